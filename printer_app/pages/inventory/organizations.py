"""Organizations page: list with printer counts, add, rename, (de)activate."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import active_badge
from printer_app.components.dialogs import form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import active_toggle, choice_select, debounced_input, labelled
from printer_app.components.layout import page
from printer_app.components.table import data_table, sort_header
from printer_app.state.inventory.organizations import OrganizationsState

S = OrganizationsState


def _row(org) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(org["name"], weight="medium")),
        rx.table.cell(rx.code(org["code"], variant="ghost")),
        rx.table.cell(active_badge(org["active"])),
        rx.table.cell(org["printers"], text_align="right"),
        rx.table.cell(org["active_printers"], text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.button("Rename", size="1", variant="soft", on_click=S.open_edit(org["id"])),
                active_toggle(org["active"], S.toggle_active(org["id"], org["active"])),
                spacing="2",
            )
        ),
        class_name="org-row",
    )


def org_dialog() -> rx.Component:
    return form_dialog(
        rx.cond(S.editing_id > 0, "Rename organization", "Add organization"),
        form_notice(S.errors, S.unsaved, "org-form-error"),
        labelled(
            "Name *",
            rx.input(value=S.name, on_change=S.set_name, id="org-name", width="100%"),
            errors=S.errors,
            name="name",
        ),
        labelled(
            "Code",
            rx.input(value=S.code, on_change=S.set_code, id="org-code", width="100%"),
            errors=S.errors,
            name="code",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        on_save=S.save,
        save_id="org-save",
        max_width="440px",
    )


def organizations_page() -> rx.Component:
    return page(
        "Organizations",
        rx.hstack(
            debounced_input(
                S.search, S.set_search, id="org-search", placeholder="Name or code contains…", width="260px"
            ),
            choice_select(
                [("all", "All"), ("active", "Active"), ("inactive", "Inactive")], S.show, S.set_show, width="160px"
            ),
        ),
        data_table(
            [
                sort_header("Name", "name", S),
                sort_header("Code", "code", S),
                "State",
                sort_header("Printers", "printers", S),
                "Active printers",
                "",
            ],
            S.rows,
            _row,
            variant="surface",
            id="org-table",
        ),
        org_dialog(),
        actions=rx.button(rx.icon("plus", size=16), "Add organization", on_click=S.open_new, id="add-org"),
    )
