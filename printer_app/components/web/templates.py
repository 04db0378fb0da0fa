"""Rule builder: templates of the printer's device model: save the current rules as one, apply or delete one."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import debounced_input, field_error
from printer_app.components.i18n import t, tf
from printer_app.components.layout import section_card
from printer_app.components.table import data_table, row_icon_button, sort_header
from printer_app.i18n import N_
from printer_app.services.web.templates import DESCRIPTION_MAX, NAME_MAX
from printer_app.state.session import SessionState
from printer_app.state.web.common import PUBLIC_TEMPLATES
from printer_app.state.web.rules import WebRulesState
from printer_app.state.web.templates import TemplateRow, WebTemplatesState

T = WebTemplatesState


def _row(row: TemplateRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(row.name, weight="medium"),
            rx.text(row.description, size="1", color=rx.color("gray", 10)),
        ),
        rx.table.cell(rx.cond(row.is_public, rx.badge(t("public"), color_scheme="green"), rx.badge(t("private")))),
        rx.table.cell(row.creator),
        rx.table.cell(row.rules, text_align="right"),
        rx.table.cell(row.usage_count, text_align="right", class_name="template-usage"),
        rx.table.cell(row.updated, white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    t("Apply"),
                    size="1",
                    variant="soft",
                    on_click=[T.apply(row.id), WebRulesState.refresh],
                    class_name="apply-template",
                ),
                rx.cond(
                    row.can_delete,
                    row_icon_button("trash-2", N_("Delete template"), T.delete(row.id), color_scheme="red"),
                ),
                spacing="2",
            )
        ),
        class_name="template-row",
        custom_attrs={"data-name": row.name},
    )


def _save_form() -> rx.Component:
    return rx.vstack(
        rx.text(
            tf("Save the saved rules as a template for {model}", model=WebRulesState.printer_model),
            size="2",
            weight="medium",
        ),
        rx.hstack(
            rx.input(
                value=T.name,
                on_change=T.set_name,
                placeholder=t("Template name"),
                max_length=NAME_MAX,
                id="template-name",
                width="240px",
            ),
            rx.input(
                value=T.description,
                on_change=T.set_description,
                placeholder=t("Description (optional)"),
                max_length=DESCRIPTION_MAX,
                id="template-description",
                flex="1",
            ),
            rx.cond(
                SessionState.permissions.contains(PUBLIC_TEMPLATES),
                rx.hstack(
                    rx.switch(checked=T.is_public, on_change=T.set_is_public, id="template-public", size="1"),
                    rx.text(t("Public"), size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.button(rx.icon("bookmark-plus", size=16), t("Save as template"), on_click=T.save, id="save-template"),
            width="100%",
            align="center",
        ),
        field_error(T.errors, "name"),
        field_error(T.errors, "description"),
        field_error(T.errors, "form"),
        width="100%",
        spacing="2",
    )


def templates_card() -> rx.Component:
    return section_card(
        N_("Templates"),
        rx.cond(
            WebRulesState.has_model,
            rx.vstack(
                _save_form(),
                rx.divider(),
                rx.hstack(
                    debounced_input(
                        T.search,
                        T.set_search,
                        id="template-search",
                        placeholder=t("Name, description or author contains…"),
                        width="320px",
                        size="1",
                    ),
                    rx.spacer(),
                    rx.checkbox(
                        t("Applying replaces this printer's rules"),
                        checked=T.overwrite,
                        on_change=T.set_overwrite,
                        id="template-overwrite",
                    ),
                    width="100%",
                    align="center",
                ),
                data_table(
                    [
                        sort_header(N_("Name"), "name", T),
                        N_("Visibility"),
                        sort_header(N_("Author"), "creator", T),
                        N_("Rules"),
                        sort_header(N_("Used"), "usage_count", T),
                        sort_header(N_("Updated"), "updated", T),
                        "",
                    ],
                    T.rows,
                    _row,
                    size="1",
                    id="templates-table",
                ),
                rx.cond(
                    T.rows.length() == 0,
                    rx.text(t("No templates for this model yet."), size="2", color=rx.color("gray", 10)),
                ),
                width="100%",
            ),
            rx.callout(
                t("Templates belong to a device model: set this printer's model (Edit on the printer page) first."),
                icon="info",
            ),
        ),
    )
