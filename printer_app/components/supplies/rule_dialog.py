"""The alert rules: their table and the add / edit dialog."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import active_badge
from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.components.table import data_table, row_icon_button, sort_header
from printer_app.i18n import N_
from printer_app.models.choices import SupplyKind
from printer_app.services.supplies.alert_rules import EMAIL_MODES
from printer_app.state.supplies.alert_rules import GLOBAL
from printer_app.state.supplies.alert_rules import AlertRulesState as S


def _row(rule) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(rule.name, weight="medium")),
        rx.table.cell(rule.organization),
        rx.table.cell(rule.kinds),
        rx.table.cell(rule.condition),
        rx.table.cell(rx.text(rule.recipients, size="1", max_width="240px", overflow_wrap="break-word")),
        rx.table.cell(
            rx.hstack(
                rx.text(rule.email_mode),
                rx.cond(rule.webhook, rx.badge("webhook", color_scheme="blue")),
                rx.cond(rule.in_app, rx.badge(t("In the app"), color_scheme="gray")),
                spacing="1",
                flex_wrap="wrap",
            )
        ),
        rx.table.cell(active_badge(rule.is_active)),
        rx.table.cell(rule.alerts, text_align="right"),
        rx.table.cell(rx.text(rule.updated, white_space="nowrap")),
        rx.table.cell(
            rx.hstack(
                row_icon_button("pencil", N_("Edit"), S.open_edit(rule.id), class_name="rule-edit"),
                row_icon_button(
                    "trash-2",
                    N_("Delete"),
                    S.ask_delete(rule.id, rule.name),
                    color_scheme="red",
                    class_name="rule-delete",
                ),
                spacing="2",
            )
        ),
        class_name="rule-row",
    )


def rule_table() -> rx.Component:
    table = data_table(
        [
            sort_header(N_("Name"), "name", S),
            sort_header(N_("Organization"), "organization", S),
            N_("Supply kinds"),
            N_("Condition"),
            N_("E-mail recipients"),
            N_("Delivery"),
            N_("State"),
            sort_header(N_("Open alerts"), "alerts", S, align="right"),
            sort_header(N_("Changed"), "updated_at", S),
            "",
        ],
        S.rows,
        _row,
        variant="surface",
        size="1",
        id="rule-table",
    )
    return rx.box(table, width="100%", overflow_x="auto")


def _input(name: str, label: str, **props) -> rx.Component:
    return labelled(
        label,
        rx.input(
            value=S.form[name], on_change=lambda v: S.set_value(name, v), id=f"rule-{name}", width="100%", **props
        ),
        errors=S.errors,
        name=name,
    )


def _kinds() -> rx.Component:
    return labelled(
        N_("Supply kinds"),
        rx.flex(
            *[
                rx.checkbox(
                    t(kind.label),
                    checked=S.kinds.contains(kind.value),
                    on_change=lambda checked, k=kind.value: S.toggle_kind(k, checked),
                    id=f"rule-kind-{kind.value}",
                    size="2",
                )
                for kind in SupplyKind
            ],
            wrap="wrap",
            gap="12px",
        ),
        errors=S.errors,
        name="kinds",
        hint=N_("None ticked: every kind."),
    )


def _flag(name: str, label: str) -> rx.Component:
    return rx.checkbox(
        t(label),
        checked=S.form[name] == "true",
        on_change=lambda v: S.set_value(name, rx.cond(v, "true", "false")),
        id=f"rule-{name}",
    )


def rule_dialog() -> rx.Component:
    return form_dialog(
        rx.cond(S.editing_id > 0, t("Edit alert rule"), t("Add alert rule")),
        form_notice(S.errors, S.unsaved, "rule-form-error"),
        _input("name", N_("Name *")),
        labelled(
            N_("Organization"),
            choice_select(
                [(GLOBAL, N_("All organizations"))],
                S.form["organization_id"],
                lambda v: S.set_value("organization_id", v),
                dynamic=S.org_options,
                width="100%",
                id="rule-organization_id",
            ),
            errors=S.errors,
            name="organization_id",
        ),
        _kinds(),
        rx.hstack(
            _input("below_percent", N_("Level below, %"), type="number", min=1, max=100),
            _input("empty_within_days", N_("Empty within, days"), type="number", min=1, max=365),
            width="100%",
            spacing="3",
        ),
        rx.text(
            t("An alert is raised when either condition is met, once per cartridge."),
            size="1",
            color=rx.color("gray", 10),
        ),
        labelled(
            N_("E-mail recipients"),
            rx.text_area(
                value=S.form["emails"],
                on_change=lambda v: S.set_value("emails", v),
                id="rule-emails",
                width="100%",
                rows="2",
                placeholder="ops@example.com, it@example.com",
            ),
            errors=S.errors,
            name="emails",
        ),
        rx.hstack(
            labelled(
                N_("E-mail"),
                choice_select(
                    list(EMAIL_MODES.items()),
                    S.form["email_mode"],
                    lambda v: S.set_value("email_mode", v),
                    width="100%",
                    id="rule-email_mode",
                ),
                errors=S.errors,
                name="email_mode",
            ),
            labelled(
                N_("Language of the messages"),
                choice_select(
                    [("ru", N_("Russian")), ("en", N_("English"))],
                    S.form["language"],
                    lambda v: S.set_value("language", v),
                    width="100%",
                    id="rule-language",
                ),
                errors=S.errors,
                name="language",
            ),
            width="100%",
            spacing="3",
        ),
        _input("webhook_url", N_("Webhook URL"), placeholder="https://desk.example.com/hooks/printers"),
        labelled(
            N_("Signing secret"),
            rx.input(
                value=S.form["webhook_secret"],
                on_change=lambda v: S.set_value("webhook_secret", v),
                type="password",
                id="rule-webhook_secret",
                width="100%",
                placeholder=rx.cond(S.has_secret, t("Stored; type to replace it"), ""),
            ),
            errors=S.errors,
            name="webhook_secret",
            hint=N_("The body is signed with HMAC-SHA256 in the X-Printer-Inventory-Signature header."),
        ),
        rx.hstack(_flag("in_app", N_("Show in the app")), _flag("is_active", N_("Active")), spacing="4"),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        on_save=S.save,
        save_id="rule-save",
        max_width="600px",
    )


def delete_question() -> rx.Component:
    return confirm_dialog(
        t("Delete alert rule"),
        tf("Delete the rule “{name}” and the alerts it raised?", name=S.delete_name),
        action=N_("Delete"),
        on_confirm=S.confirm_delete,
        confirm_id="rule-delete-confirm",
        open=S.delete_id > 0,
        on_cancel=S.cancel_delete,
    )
