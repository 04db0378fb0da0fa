"""Rule builder: the form of one rule (where, what, regex, formula, actions) and what it yields right now."""

from __future__ import annotations

import reflex as rx

from printer_app.components.form_notice import form_notice
from printer_app.components.forms import busy_button, choice_select, debounced_input, field_error, labelled
from printer_app.components.i18n import t, text, tf
from printer_app.components.layout import section_card
from printer_app.components.table import row_icon_button
from printer_app.i18n import N_
from printer_app.models.choices import WebField, WebProtocol
from printer_app.state.web.rule_editor import WebRuleEditorState
from printer_app.state.web.rules import WebRulesState

E = WebRuleEditorState
ACTION_TYPES = [("click", N_("Click")), ("send_keys", N_("Type text")), ("wait", N_("Wait"))]


def _label(label: str, hint: str = "") -> rx.Component:
    return rx.hstack(
        rx.text(text(label), size="2", weight="medium"),
        rx.text(text(hint), size="1", color=rx.color("gray", 10)) if hint else rx.fragment(),
        align="baseline",
        spacing="2",
        wrap="wrap",
    )


def _debounced(value, on_change, element_id: str, placeholder="") -> rx.Component:
    return debounced_input(value, on_change, id=element_id, placeholder=placeholder, width="100%")


def _field(label: str, hint: str, control: rx.Component, name: str, **props) -> rx.Component:
    """A rule field: its label with the hint beside it, the control, and the error of `name` (a model field)."""
    return labelled(_label(label, hint), control, errors=E.errors, name=name, **props)


def _action_input(action, index, key: str, **props) -> rx.Component:
    return rx.input(
        value=action[key], on_change=lambda v: E.set_action(index, key, v), class_name=f"action-{key}", **props
    )


def _action_row(action, index) -> rx.Component:
    return rx.hstack(
        rx.text((index + 1).to_string() + ".", size="2", width="20px"),
        choice_select(
            ACTION_TYPES, action["type"], lambda v: E.set_action(index, "type", v), id="action-type", width="140px"
        ),
        rx.cond(
            action["type"] != "wait",
            _action_input(
                action,
                index,
                "selector",
                placeholder=t("CSS selector"),
                title=t("CSS selector, e.g. #tab-counters"),
                flex="2",
            ),
        ),
        rx.cond(
            action["type"] == "send_keys",
            _action_input(action, index, "value", placeholder=t("text to type"), flex="1"),
        ),
        _action_input(action, index, "wait", width="64px", title=t("seconds to wait afterwards")),
        rx.text(t("s"), size="2"),
        row_icon_button("x", N_("Remove"), E.remove_action(index), color_scheme="red"),
        width="100%",
        align="center",
        spacing="2",
        class_name="action-row",
    )


def _actions() -> rx.Component:
    return rx.vstack(
        _label(
            N_("Actions before reading"), N_("run in the headless browser, in this order, before the value is read")
        ),
        rx.foreach(E.actions, _action_row),
        rx.hstack(
            *[
                rx.button(rx.icon("plus", size=14), t(label), size="1", variant="soft", on_click=E.add_action(kind))
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
                rx.text(t("Result"), size="2", weight="bold"),
                rx.match(
                    E.value_source,
                    ("preview", rx.badge(t("on the preview"), color_scheme="gray")),
                    ("device", rx.badge(t("on the device"), color_scheme="blue")),
                    rx.fragment(),
                ),
                spacing="2",
                align="center",
            ),
            rx.hstack(
                rx.text(t("Raw"), size="2", min_width="60px", color=rx.color("gray", 11)),
                rx.code(rx.cond(E.raw_value != "", E.raw_value, "—"), id="rule-raw", size="2", variant="ghost"),
                align="start",
                width="100%",
            ),
            rx.hstack(
                rx.text(t("Value"), size="2", min_width="60px", color=rx.color("gray", 11)),
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


def _full_url():
    """The address the rule reads: protocol, the printer's IP, then the path (a `:port/...` path keeps its port)."""
    path = E.url_path.strip()
    joined = rx.cond(
        path == "",
        "/",
        rx.cond(path.startswith(":") | path.startswith("/"), path, "/" + path),
    )
    return E.protocol + "://" + WebRulesState.printer_ip + joined


def _editing_banner() -> rx.Component:
    """Says plainly that the form now changes a saved rule (after a click on a rule of the table)."""
    return rx.cond(
        E.editing_id > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("pencil", size=16)),
            rx.hstack(
                rx.callout.text(
                    tf("Editing the saved rule «{field}» (#{id})", field=E.field_label, id=E.editing_id),
                    weight="medium",
                ),
                rx.spacer(),
                rx.button(
                    t("Cancel changes"),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=E.open_rule(E.editing_id),
                    id="editing-cancel",
                ),
                rx.button(t("New rule"), size="1", variant="soft", on_click=E.new_rule, id="editing-new"),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="2",
            ),
            color_scheme="blue",
            size="1",
            width="100%",
            id="editing-banner",
        ),
    )


def _where() -> rx.Component:
    return rx.cond(
        E.is_calculated,
        _field(
            N_("Formula"),
            N_("field names, + - * / // % ** ( )"),
            _debounced(E.formula, E.set_formula, "rule-formula", "variable_1 + counter_a4_bw * 2"),
            "calculation_formula",
        ),
        rx.vstack(
            rx.hstack(
                choice_select(WebProtocol.options(), E.protocol, E.set_protocol, id="rule-protocol", width="90px"),
                rx.code(
                    "://" + WebRulesState.printer_ip,
                    variant="ghost",
                    size="2",
                    white_space="nowrap",
                    id="rule-host",
                    title=t("The printer's address: the page is always read from the printer itself"),
                ),
                rx.box(
                    _debounced(E.url_path, E.set_url_path, "rule-url", t("/status.html or :8080/status.html")), flex="1"
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.text(
                t("Reads"),
                " ",
                rx.code(_full_url(), variant="ghost", size="1", word_break="break-all"),
                size="1",
                color=rx.color("gray", 10),
                id="rule-full-url",
            ),
            field_error(E.errors, "url_path"),
            _field(
                N_("XPath"),
                N_("or a JSON path ($.a.b); empty = the whole page for a regex"),
                _debounced(
                    E.xpath, E.set_xpath, "rule-xpath", t("click a value in the preview, or type //td[@id='total']")
                ),
                "xpath",
            ),
            width="100%",
            spacing="1",
        ),
    )


def editor_card() -> rx.Component:
    return section_card(
        rx.cond(E.editing_id > 0, tf("Edit rule #{id}", id=E.editing_id), t("New rule")),
        _editing_banner(),
        rx.hstack(
            _field(
                N_("Field"),
                "",
                choice_select(WebField.options(), E.field_name, E.set_field_name, id="rule-field", width="200px"),
                "field_name",
                width="auto",
            ),
            rx.hstack(
                rx.switch(checked=E.is_calculated, on_change=E.set_is_calculated, id="rule-calculated"),
                rx.text(t("Calculated from other fields"), size="2"),
                align="center",
                spacing="2",
                padding_top="22px",
            ),
            spacing="5",
            width="100%",
        ),
        _where(),
        rx.grid(
            _field(
                N_("Regex"),
                N_("group 1 or the whole match"),
                _debounced(E.regex_pattern, E.set_regex_pattern, "rule-regex", r"(\d+)%"),
                "regex_pattern",
            ),
            _field(
                N_("Replacement"),
                N_("optional; replaces every match"),
                _debounced(E.regex_replacement, E.set_regex_replacement, "rule-replacement", r"\1"),
                "regex_replacement",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.cond(~E.is_calculated, _actions()),
        _result(),
        form_notice(E.errors, E.unsaved, "rule-form-error"),
        rx.hstack(
            busy_button(
                N_("Test rule on the device"),
                "flask-conical",
                busy=E.testing,
                on_click=E.test_on_device,
                id="test-rule",
                variant="soft",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("save", size=16), t("Save rule"), on_click=[E.save, WebRulesState.refresh], id="save-rule"
            ),
            width="100%",
        ),
        tools=(
            rx.spacer(),
            rx.cond(  # while a saved rule is edited, its banner offers "New rule" (one button, not two)
                E.editing_id > 0,
                rx.fragment(),
                rx.button(rx.icon("file-plus", size=14), t("New rule"), size="1", variant="soft", on_click=E.new_rule),
            ),
        ),
        spacing="3",
    )
