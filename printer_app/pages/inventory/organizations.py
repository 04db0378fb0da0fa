"""Organizations page: list with printer counts, add, rename, (de)activate."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import active_badge
from printer_app.components.dialogs import form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import active_toggle, choice_select, debounced_input, labelled
from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.table import data_table, sort_header
from printer_app.i18n import N_
from printer_app.state.inventory.organizations import OrganizationsState

S = OrganizationsState


def _row(org) -> rx.Component:
    printers = "/printers?org=" + org["id"].to(str)  # the printers list of this organization (its active ones)
    return rx.table.row(
        rx.table.cell(rx.text(org["name"], weight="medium")),
        rx.table.cell(rx.code(org["code"], variant="ghost")),
        rx.table.cell(active_badge(org["active"])),
        rx.table.cell(
            rx.link(org["printers_text"], href=printers + "&active=all", class_name="org-printers"),
            text_align="right",
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.link(org["active_printers"], href=printers, class_name="org-active-printers"), text_align="right"
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(t("Rename"), size="1", variant="soft", on_click=S.open_edit(org["id"])),
                active_toggle(org["active"], S.toggle_active(org["id"], org["active"])),
                spacing="2",
            )
        ),
        class_name="org-row",
    )


def org_dialog() -> rx.Component:
    return form_dialog(
        rx.cond(S.editing_id > 0, t("Rename organization"), t("Add organization")),
        form_notice(S.errors, S.unsaved, "org-form-error"),
        labelled(
            N_("Name *"),
            rx.input(value=S.name, on_change=S.set_name, id="org-name", width="100%"),
            errors=S.errors,
            name="name",
        ),
        labelled(
            N_("Code"),
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
        N_("Organizations"),
        rx.hstack(
            debounced_input(
                S.search, S.set_search, id="org-search", placeholder=t("Name or code contains…"), width="260px"
            ),
            choice_select(
                [("all", N_("All")), ("active", N_("Active")), ("inactive", N_("Inactive"))],
                S.show,
                S.set_show,
                width="160px",
            ),
            flex_wrap="wrap",
        ),
        data_table(
            [
                sort_header(N_("Name"), "name", S),
                sort_header(N_("Code"), "code", S),
                N_("State"),
                sort_header(N_("Printers"), "printers", S),
                N_("Active printers"),
                "",
            ],
            S.rows,
            _row,
            variant="surface",
            id="org-table",
        ),
        org_dialog(),
        actions=rx.button(rx.icon("plus", size=16), t("Add organization"), on_click=S.open_new, id="add-org"),
    )
