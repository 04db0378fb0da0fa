"""Rule builder: the form of one rule (where, what, regex, formula, actions) and what it yields right now."""

from __future__ import annotations

import reflex as rx

from printer_app.components.form_notice import form_notice
from printer_app.components.spinner import spinner
from printer_app.components.table import field_error
from printer_app.models.choices import WebField, WebProtocol
from printer_app.state.web.rule_editor import WebRuleEditorState
from printer_app.state.web.rules import WebRulesState

E = WebRuleEditorState
ACTION_TYPES = [("click", "Click"), ("send_keys", "Type text"), ("wait", "Wait")]


def _label(text: str, hint: str = "") -> rx.Component:
    return rx.hstack(
        rx.text(text, size="2", weight="medium"),
        rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 10))),
        align="baseline",
        spacing="2",
    )


def _debounced(value, on_change, element_id: str, placeholder: str = "") -> rx.Component:
    return rx.debounce_input(
        rx.input(value=value, on_change=on_change, id=element_id, placeholder=placeholder, width="100%"),
        debounce_timeout=300,
    )


def _select(items: list[tuple[str, str]], value, on_change, element_id: str, width: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=element_id, width=width),
        rx.select.content(*[rx.select.item(label, value=v) for v, label in items]),
        value=value,
        on_change=on_change,
    )


def _action_row(action, index) -> rx.Component:
    return rx.hstack(
        rx.text((index + 1).to_string() + ".", size="2", width="20px"),
        _select(ACTION_TYPES, action["type"], lambda v: E.set_action(index, "type", v), "action-type", "120px"),
        rx.cond(
            action["type"] != "wait",
            rx.input(
                value=action["selector"],
                on_change=lambda v: E.set_action(index, "selector", v),
                placeholder="CSS selector, e.g. #tab-counters",
                class_name="action-selector",
                flex="2",
            ),
        ),
        rx.cond(
            action["type"] == "send_keys",
            rx.input(
                value=action["value"],
                on_change=lambda v: E.set_action(index, "value", v),
                placeholder="text to type",
                class_name="action-value",
                flex="1",
            ),
        ),
        rx.input(
            value=action["wait"],
            on_change=lambda v: E.set_action(index, "wait", v),
            width="64px",
            title="seconds to wait afterwards",
            class_name="action-wait",
        ),
        rx.text("s", size="2"),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            color_scheme="red",
            size="1",
            on_click=E.remove_action(index),
            title="Remove",
        ),
        width="100%",
        align="center",
        spacing="2",
        class_name="action-row",
    )


def _actions() -> rx.Component:
    return rx.vstack(
        _label("Actions before reading", "run in the headless browser, in this order (DOMAIN 5.4)"),
        rx.foreach(E.actions, _action_row),
        rx.hstack(
            *[
                rx.button(rx.icon("plus", size=14), label, size="1", variant="soft", on_click=E.add_action(kind))
                for kind, label in ACTION_TYPES
            ],
            spacing="2",
        ),
        field_error(E.errors, "actions_chain"),
        width="100%",
        spacing="2",
    )


def _result() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text("Result", size="2", weight="bold"),
                rx.match(
                    E.value_source,
                    ("preview", rx.badge("on the preview", color_scheme="gray")),
                    ("device", rx.badge("on the device", color_scheme="blue")),
                    rx.fragment(),
                ),
                spacing="2",
                align="center",
            ),
            rx.hstack(
                rx.text("Raw", size="2", width="60px", color=rx.color("gray", 11)),
                rx.code(rx.cond(E.raw_value != "", E.raw_value, "—"), id="rule-raw", size="2", variant="ghost"),
                align="start",
                width="100%",
            ),
            rx.hstack(
                rx.text("Value", size="2", width="60px", color=rx.color("gray", 11)),
                rx.text(rx.cond(E.value != "", E.value, "—"), id="rule-value", size="3", weight="bold"),
                align="center",
            ),
            rx.cond(E.value_error != "", rx.text(E.value_error, color=rx.color("red", 11), size="2", id="rule-error")),
            spacing="1",
            width="100%",
        ),
        padding="10px 12px",
        border_radius="6px",
        background=rx.color("accent", 2),
        border=f"1px solid {rx.color('accent', 5)}",
        width="100%",
        max_height="200px",
        overflow_y="auto",
    )


def _where() -> rx.Component:
    return rx.cond(
        E.is_calculated,
        rx.vstack(
            _label("Formula", "field names, + - * / // % ** ( )"),
            _debounced(E.formula, E.set_formula, "rule-formula", "variable_1 + counter_a4_bw * 2"),
            field_error(E.errors, "calculation_formula"),
            width="100%",
            spacing="1",
        ),
        rx.vstack(
            rx.hstack(
                _select(WebProtocol.options(), E.protocol, E.set_protocol, "rule-protocol", "90px"),
                rx.box(
                    _debounced(E.url_path, E.set_url_path, "rule-url", "/status.html or :8080/status.html"), flex="1"
                ),
                width="100%",
            ),
            field_error(E.errors, "url_path"),
            _label("XPath", "or a JSON path ($.a.b); empty = the whole page for a regex"),
            _debounced(E.xpath, E.set_xpath, "rule-xpath", "click a value in the preview, or type //td[@id='total']"),
            field_error(E.errors, "xpath"),
            width="100%",
            spacing="1",
        ),
    )


def editor_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(rx.cond(E.editing_id > 0, "Edit rule #" + E.editing_id.to_string(), "New rule"), size="3"),
                rx.spacer(),
                rx.button(rx.icon("file-plus", size=14), "New rule", size="1", variant="soft", on_click=E.new_rule),
                width="100%",
                align="center",
            ),
            rx.hstack(
                rx.vstack(
                    _label("Field"),
                    _select(WebField.options(), E.field_name, E.set_field_name, "rule-field", "200px"),
                    field_error(E.errors, "field_name"),
                    spacing="1",
                ),
                rx.hstack(
                    rx.switch(checked=E.is_calculated, on_change=E.set_is_calculated, id="rule-calculated"),
                    rx.text("Calculated from other fields", size="2"),
                    align="center",
                    spacing="2",
                    padding_top="22px",
                ),
                spacing="5",
                width="100%",
            ),
            _where(),
            rx.grid(
                rx.vstack(
                    _label("Regex", "group 1 or the whole match"),
                    _debounced(E.regex_pattern, E.set_regex_pattern, "rule-regex", r"(\d+)%"),
                    field_error(E.errors, "regex_pattern"),
                    spacing="1",
                ),
                rx.vstack(
                    _label("Replacement", "optional; replaces every match"),
                    _debounced(E.regex_replacement, E.set_regex_replacement, "rule-replacement", r"\1"),
                    field_error(E.errors, "regex_replacement"),
                    spacing="1",
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.cond(~E.is_calculated, _actions()),
            _result(),
            form_notice(E.errors, E.unsaved, "rule-form-error"),
            rx.hstack(
                rx.button(
                    rx.cond(E.testing, spinner(16), rx.icon("flask-conical", size=16)),
                    "Test rule on the device",
                    variant="soft",
                    on_click=E.test_on_device,
                    disabled=E.testing,
                    id="test-rule",
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("save", size=16), "Save rule", on_click=[E.save, WebRulesState.refresh], id="save-rule"
                ),
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
        width="100%",
    )
