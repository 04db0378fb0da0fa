"""Rule builder: the printer's stored rules (filter, sort, edit, delete with confirmation)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.table import sort_header
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
                rx.hstack(rx.badge("formula", color_scheme="purple"), _cell_code(row.formula), spacing="1"),
                rx.vstack(_cell_code(row.url), rx.text(row.xpath, size="1", style={"wordBreak": "break-all"})),
            ),
            max_width="380px",
        ),
        rx.table.cell(_cell_code(row.regex), max_width="160px"),
        rx.table.cell(rx.cond(row.actions > 0, rx.badge(row.actions.to_string() + " actions"), "")),
        rx.table.cell(
            rx.hstack(
                rx.icon_button(
                    rx.icon("pencil", size=14),
                    variant="ghost",
                    size="1",
                    on_click=WebRuleEditorState.open_rule(row.id),
                    title="Edit",
                    class_name="edit-rule",
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    size="1",
                    color_scheme="red",
                    on_click=S.ask_delete(row.id),
                    title="Delete",
                    class_name="delete-rule",
                ),
                spacing="1",
            )
        ),
        background=rx.cond(editing, rx.color("accent", 3), "transparent"),
        class_name="rule-row",
        custom_attrs={"data-field": row.field_name},
    )


def _confirm_delete() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this rule?"),
            rx.alert_dialog.description("The printer's next polls will no longer read this field."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=S.delete, id="confirm-delete")),
                justify="end",
                spacing="2",
            ),
        ),
        open=S.confirm_delete_id > 0,
        on_open_change=S.cancel_delete,
    )


def rules_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Saved rules", size="3", white_space="nowrap"),
                rx.spacer(),
                rx.debounce_input(
                    rx.input(
                        placeholder="Field, URL or XPath contains…",
                        value=S.search,
                        on_change=S.set_search,
                        width="240px",
                        size="1",
                        id="rule-search",
                    ),
                    debounce_timeout=300,
                ),
                width="100%",
                align="center",
            ),
            rx.text(S.rule_count_text, size="2", color=rx.color("gray", 10), id="rule-count"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        sort_header("Field", "field_name", S),
                        sort_header("Where (URL, XPath)", "url", S),
                        rx.table.column_header_cell("Regex"),
                        rx.table.column_header_cell("Actions"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                size="1",
                width="100%",
                id="rules-table",
            ),
            _confirm_delete(),
            width="100%",
        ),
        width="100%",
    )
