"""The SSO whitelist tab of /users: who may sign in with SSO, their initial groups, CSV import."""

from __future__ import annotations

import reflex as rx

from printer_app.components.access.user_dialogs import group_picker
from printer_app.components.badges import active_badge
from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import active_toggle, choice_select, form_input, labelled
from printer_app.components.i18n import t
from printer_app.components.table import data_table, row_icon_button, search_box, sort_header
from printer_app.i18n import N_
from printer_app.state.access.users import ALL
from printer_app.state.access.whitelist import UPLOAD_ID, WhitelistState

S = WhitelistState


def _row(e) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(e.username, weight="medium")),
        rx.table.cell(e.full_name),
        rx.table.cell(e.email),
        rx.table.cell(active_badge(e.is_active)),
        rx.table.cell(rx.text(e.initial_groups, size="2"), max_width="240px"),
        rx.table.cell(rx.text(e.notes, size="2", color=rx.color("gray", 11)), max_width="220px"),
        rx.table.cell(rx.text(e.added, size="2"), white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                rx.button(t("Edit"), size="1", variant="soft", on_click=S.open_edit(e.username)),
                active_toggle(e.is_active, S.toggle_active(e.username, e.is_active)),
                row_icon_button(
                    "trash-2",
                    N_("Remove from the whitelist"),
                    S.ask_remove(e.username),
                    variant="soft",
                    color_scheme="red",
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
            S.search,
            S.set_search,
            placeholder=N_("Username, name, email or notes…"),
            id="whitelist-search",
            width="280px",
        ),
        choice_select(
            [(ALL, N_("Active and inactive")), ("active", N_("Active")), ("inactive", N_("Inactive"))],
            S.active,
            S.set_active_filter,
            width="200px",
        ),
        rx.spacer(),
        rx.upload(
            rx.button(rx.icon("upload", size=16), t("Import CSV"), variant="soft", id="whitelist-import"),
            id=UPLOAD_ID,
            accept={"text/csv": [".csv"], "text/plain": [".txt"]},
            max_files=1,
            multiple=False,
            no_drag=True,
            on_drop=S.import_csv,
            border="none",
            padding="0",
        ),
        rx.button(rx.icon("plus", size=16), t("Add to whitelist"), on_click=S.open_new, id="add-entry"),
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
                    S.import_summary,
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
        return form_input(S, name, label, id_prefix="entry", **props)

    return form_dialog(
        rx.cond(S.editing, t("Edit whitelist entry"), t("Add to the SSO whitelist")),
        form_notice(S.errors, S.unsaved, "entry-form-error"),
        rx.hstack(
            field(N_("Username *"), "username", disabled=S.editing), field(N_("Full name"), "full_name"), width="100%"
        ),
        field(N_("Email"), "email", type="email"),
        field(N_("Notes"), "notes", control=rx.text_area, rows="2"),
        labelled(N_("Initial groups"), group_picker(S, "entry-groups"), errors=S.errors, name="groups"),
        description=N_("Only active entries may sign in with SSO; a new user gets the initial groups (else “Viewer”)."),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        on_save=S.save,
        save_id="entry-save",
    )


def _remove_dialog() -> rx.Component:
    return confirm_dialog(
        rx.fragment(t("Remove from the whitelist:"), " ", rx.code(S.confirm_remove), "?"),
        N_("Their SSO sessions end at once; the account stays for the change log."),
        action=N_("Remove"),
        on_confirm=S.remove,
        confirm_id="confirm-remove",
        open=S.confirm_remove != "",
        on_cancel=S.cancel_remove,
    )


def whitelist_panel() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        rx.text(
            t("CSV columns: username, email, full_name, groups (separated by “;”). Existing entries are updated."),
            size="1",
            color=rx.color("gray", 10),
        ),
        _import_result(),
        data_table(
            [
                sort_header(N_("Username"), "username", S),
                sort_header(N_("Full name"), "full_name", S),
                sort_header(N_("Email"), "email", S),
                sort_header(N_("State"), "active", S),
                N_("Initial groups"),
                N_("Notes"),
                sort_header(N_("Added"), "added_at", S),
                "",
            ],
            S.rows,
            _row,
            variant="surface",
            id="whitelist-table",
        ),
        rx.cond(S.rows.length() == 0, rx.text(t("The whitelist is empty."), size="2", color=rx.color("gray", 10))),
        _entry_dialog(),
        _remove_dialog(),
        width="100%",
        spacing="3",
        padding_top="12px",
    )
