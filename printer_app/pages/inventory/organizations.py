"""Organizations page: list with printer counts, add, rename, (de)activate."""

from __future__ import annotations

import reflex as rx

from printer_app.components.form_notice import form_notice
from printer_app.components.layout import page
from printer_app.components.table import field_error, sort_header
from printer_app.state.inventory.organizations import OrganizationsState

S = OrganizationsState


def _row(org) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(org["name"], weight="medium")),
        rx.table.cell(rx.code(org["code"], variant="ghost")),
        rx.table.cell(
            rx.cond(org["active"], rx.badge("Active", color_scheme="green"), rx.badge("Inactive", color_scheme="gray"))
        ),
        rx.table.cell(org["printers"], text_align="right"),
        rx.table.cell(org["active_printers"], text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.button("Rename", size="1", variant="soft", on_click=S.open_edit(org["id"])),
                rx.button(
                    rx.cond(org["active"], "Deactivate", "Activate"),
                    size="1",
                    variant="soft",
                    color_scheme=rx.cond(org["active"], "orange", "green"),
                    on_click=S.toggle_active(org["id"], org["active"]),
                ),
                spacing="2",
            )
        ),
        class_name="org-row",
    )


def org_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id > 0, "Rename organization", "Add organization")),
            rx.vstack(
                form_notice(S.errors, S.unsaved, "org-form-error"),
                rx.text("Name *", size="2", weight="medium"),
                rx.input(value=S.name, on_change=S.set_name, id="org-name", width="100%"),
                field_error(S.errors, "name"),
                rx.text("Code", size="2", weight="medium"),
                rx.input(value=S.code, on_change=S.set_code, id="org-code", width="100%"),
                field_error(S.errors, "code"),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=S.save, id="org-save"),
                    justify="end",
                    width="100%",
                ),
                spacing="2",
            ),
            max_width="440px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def organizations_page() -> rx.Component:
    return page(
        "Organizations",
        rx.hstack(
            rx.debounce_input(
                rx.input(
                    placeholder="Name or code contains…",
                    value=S.search,
                    on_change=S.set_search,
                    width="260px",
                    id="org-search",
                ),
                debounce_timeout=300,
            ),
            rx.select.root(
                rx.select.trigger(width="160px"),
                rx.select.content(
                    rx.select.item("All", value="all"),
                    rx.select.item("Active", value="active"),
                    rx.select.item("Inactive", value="inactive"),
                ),
                value=S.show,
                on_change=S.set_show,
            ),
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    sort_header("Name", "name", S),
                    sort_header("Code", "code", S),
                    rx.table.column_header_cell("State"),
                    sort_header("Printers", "printers", S),
                    rx.table.column_header_cell("Active printers"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="surface",
            width="100%",
            id="org-table",
        ),
        org_dialog(),
        actions=rx.button(rx.icon("plus", size=16), "Add organization", on_click=S.open_new, id="add-org"),
    )
