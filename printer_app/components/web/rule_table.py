"""Rule builder: the printer's stored rules (filter, sort, edit, delete with confirmation)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog
from printer_app.components.forms import debounced_input
from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.components.table import data_table, row_icon_button, sort_header
from printer_app.i18n import N_
from printer_app.state.web.rule_editor import WebRuleEditorState
from printer_app.state.web.rules import RuleRow, WebRulesState

S = WebRulesState


def _cell_code(text) -> rx.Component:
    return rx.cond(
        text != "",
        rx.code(text, variant="ghost", size="1", style={"wordBreak": "break-all"}),
        rx.text("—", color=rx.color("gray", 9)),
    )


def _row(row: RuleRow) -> rx.Component:
    editing = WebRuleEditorState.editing_id == row.id
    return rx.table.row(
        rx.table.cell(rx.text(row.field_label, weight="medium"), rx.text(row.field_name, size="1", color="gray")),
        rx.table.cell(
            rx.cond(
                row.is_calculated,
                rx.hstack(rx.badge(t("formula"), color_scheme="purple"), _cell_code(row.formula), spacing="1"),
                rx.vstack(_cell_code(row.url), rx.text(row.xpath, size="1", style={"wordBreak": "break-all"})),
            ),
            max_width="380px",
        ),
        rx.table.cell(_cell_code(row.regex), max_width="160px"),
        rx.table.cell(rx.cond(row.actions > 0, rx.badge(row.actions_text), "")),
        rx.table.cell(
            rx.hstack(
                row_icon_button("pencil", N_("Edit"), WebRuleEditorState.open_rule(row.id), class_name="edit-rule"),
                row_icon_button(
                    "trash-2", N_("Delete"), S.ask_delete(row.id), color_scheme="red", class_name="delete-rule"
                ),
                spacing="1",
            )
        ),
        background=rx.cond(editing, rx.color("accent", 3), "transparent"),
        class_name="rule-row",
        custom_attrs={"data-field": row.field_name},
    )


def _confirm_delete() -> rx.Component:
    return confirm_dialog(
        N_("Delete this rule?"),
        N_("The printer's next polls will no longer read this field."),
        action=N_("Delete"),
        on_confirm=S.delete,
        confirm_id="confirm-delete",
        open=S.confirm_delete_id > 0,
        on_cancel=S.cancel_delete,
    )


def rules_card() -> rx.Component:
    return section_card(
        N_("Saved rules"),
        rx.text(S.rule_count_text, size="2", color=rx.color("gray", 10), id="rule-count"),
        data_table(
            [
                sort_header(N_("Field"), "field_name", S),
                sort_header(N_("Where (URL, XPath)"), "url", S),
                N_("Regex"),
                N_("Actions"),
                "",
            ],
            S.rows,
            _row,
            size="1",
            id="rules-table",
        ),
        _confirm_delete(),
        tools=(
            rx.spacer(),
            debounced_input(
                S.search,
                S.set_search,
                id="rule-search",
                placeholder=t("Field, URL or XPath contains…"),
                width="240px",
                size="1",
            ),
        ),
    )
