"""The SSO whitelist tab of /users: who may sign in with SSO, their initial groups, CSV import."""

from __future__ import annotations

import reflex as rx

from printer_app.components.access.user_dialogs import group_picker
from printer_app.components.form_notice import form_notice
from printer_app.components.table import field_error, search_box, sort_header
from printer_app.state.access.users import ALL
from printer_app.state.access.whitelist import UPLOAD_ID, WhitelistState

S = WhitelistState


def _sort_header(label: str, column: str) -> rx.Component:
    return sort_header(label, column, S)


def _row(e) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(e.username, weight="medium")),
        rx.table.cell(e.full_name),
        rx.table.cell(e.email),
        rx.table.cell(
            rx.cond(e.is_active, rx.badge("Active", color_scheme="green"), rx.badge("Inactive", color_scheme="gray"))
        ),
        rx.table.cell(rx.text(e.initial_groups, size="2"), max_width="240px"),
        rx.table.cell(rx.text(e.notes, size="2", color=rx.color("gray", 11)), max_width="220px"),
        rx.table.cell(rx.text(e.added, size="2"), white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=S.open_edit(e.username)),
                rx.button(
                    rx.cond(e.is_active, "Deactivate", "Activate"),
                    size="1",
                    variant="soft",
                    color_scheme=rx.cond(e.is_active, "orange", "green"),
                    on_click=S.toggle_active(e.username, e.is_active),
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_remove(e.username),
                    title="Remove from the whitelist",
                ),
                spacing="2",
            )
        ),
        id="entry-" + e.username,
        class_name="entry-row",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        search_box(
            S.search, S.set_search, placeholder="Username, name, email or notes…", id="whitelist-search", width="260px"
        ),
        rx.select.root(
            rx.select.trigger(width="180px"),
            rx.select.content(
                rx.select.item("Active and inactive", value=ALL),
                rx.select.item("Active", value="active"),
                rx.select.item("Inactive", value="inactive"),
            ),
            value=S.active,
            on_change=S.set_active_filter,
        ),
        rx.spacer(),
        rx.upload(
            rx.button(rx.icon("upload", size=16), "Import CSV", variant="soft", id="whitelist-import"),
            id=UPLOAD_ID,
            accept={"text/csv": [".csv"], "text/plain": [".txt"]},
            max_files=1,
            multiple=False,
            no_drag=True,
            on_drop=S.import_csv,
            border="none",
            padding="0",
        ),
        rx.button(rx.icon("plus", size=16), "Add to whitelist", on_click=S.open_new, id="add-entry"),
        width="100%",
        spacing="2",
        align="center",
    )


def _import_result() -> rx.Component:
    failed = S.import_errors.length() > 0
    return rx.cond(
        S.import_done,
        rx.callout(
            rx.vstack(
                rx.text(
                    f"Import: {S.import_created} created, {S.import_updated} updated, ",
                    S.import_errors.length(),
                    rx.cond(S.import_errors.length() == 1, " error", " errors"),
                    rx.cond(failed, " — nothing was saved; fix the file and import it again.", ""),
                    weight="medium",
                    id="import-summary",
                ),
                rx.foreach(S.import_errors, lambda msg: rx.text(msg, size="2")),
                spacing="1",
            ),
            icon=rx.cond(failed, "triangle-alert", "circle-check"),
            color_scheme=rx.cond(failed, "red", "green"),
            width="100%",
            id="import-result",
        ),
    )


def _entry_dialog() -> rx.Component:
    def field(label: str, name: str, **props) -> rx.Component:
        return rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.input(
                value=S.form[name], on_change=lambda v: S.set_value(name, v), id=f"entry-{name}", width="100%", **props
            ),
            field_error(S.errors, name),
            spacing="1",
            width="100%",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing, "Edit whitelist entry", "Add to the SSO whitelist")),
            rx.dialog.description(
                "Only active entries may sign in with SSO; a new user gets the initial groups (else “Viewer”).",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                form_notice(S.errors, S.unsaved, "entry-form-error"),
                rx.hstack(
                    field("Username *", "username", disabled=S.editing), field("Full name", "full_name"), width="100%"
                ),
                field("Email", "email", type="email"),
                rx.vstack(
                    rx.text("Notes", size="2", weight="medium"),
                    rx.text_area(
                        value=S.form["notes"],
                        on_change=lambda v: S.set_value("notes", v),
                        id="entry-notes",
                        rows="2",
                        width="100%",
                    ),
                    field_error(S.errors, "notes"),
                    spacing="1",
                    width="100%",
                ),
                rx.text("Initial groups", size="2", weight="medium"),
                group_picker(S, "entry-groups"),
                field_error(S.errors, "groups"),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=S.save, id="entry-save"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="520px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove ", rx.code(S.confirm_remove), " from the whitelist?"),
            rx.alert_dialog.description(
                "Their SSO sessions end at once; the account stays for the change log.", size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_remove)
                ),
                rx.alert_dialog.action(rx.button("Remove", color_scheme="red", on_click=S.remove, id="confirm-remove")),
                justify="end",
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
        ),
        open=S.confirm_remove != "",
    )


def whitelist_panel() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        rx.text(
            "CSV columns: username, email, full_name, groups (separated by “;”). Existing entries are updated.",
            size="1",
            color=rx.color("gray", 10),
        ),
        _import_result(),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    _sort_header("Username", "username"),
                    _sort_header("Full name", "full_name"),
                    _sort_header("Email", "email"),
                    _sort_header("State", "active"),
                    rx.table.column_header_cell("Initial groups"),
                    rx.table.column_header_cell("Notes"),
                    _sort_header("Added", "added_at"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="surface",
            width="100%",
            id="whitelist-table",
        ),
        rx.cond(S.rows.length() == 0, rx.text("The whitelist is empty.", size="2", color=rx.color("gray", 10))),
        _entry_dialog(),
        _remove_dialog(),
        width="100%",
        spacing="3",
        padding_top="12px",
    )
