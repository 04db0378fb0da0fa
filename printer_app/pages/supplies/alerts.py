"""Low-supply alerts: the user's alert list (`/supplies/alerts`) and the rules that raise them
(`/supplies/alert-rules`), two tabs of one section."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.supplies.alert_table import alert_filters, alert_table
from printer_app.components.supplies.rule_dialog import delete_question, rule_dialog, rule_table
from printer_app.i18n import N_
from printer_app.state.session import SessionState
from printer_app.state.supplies.alert_rules import MANAGE
from printer_app.state.supplies.alert_rules import AlertRulesState as R
from printer_app.state.supplies.alerts import SupplyAlertsState as S


def _tabs(current: str) -> rx.Component:
    """Alerts | Rules (the rules only for who may manage them): links, so each tab has its own URL and guard."""

    def tab(label: str, href: str, key: str) -> rx.Component:
        return rx.link(
            rx.button(t(label), variant="solid" if key == current else "soft", size="2"), href=href, id=f"tab-{key}"
        )

    return rx.hstack(
        tab(N_("Alerts"), "/supplies/alerts", "alerts"),
        rx.cond(SessionState.permissions.contains(MANAGE), tab(N_("Rules"), "/supplies/alert-rules", "rules")),
        spacing="2",
    )


def alerts_page() -> rx.Component:
    return page(
        N_("Low-supply alerts"),
        _tabs("alerts"),
        alert_filters(),
        alert_table(),
        actions=rx.button(
            rx.icon("check-check", size=16),
            t("Mark all read"),
            on_click=S.mark_all_read,
            variant="soft",
            id="alerts-all-read",
        ),
    )


def alert_rules_page() -> rx.Component:
    return page(
        N_("Low-supply alerts"),
        _tabs("rules"),
        rx.text(
            t("A rule of an organization applies to its printers, a rule of all organizations to every printer."),
            size="2",
            color=rx.color("gray", 11),
        ),
        rule_table(),
        rule_dialog(),
        delete_question(),
        actions=rx.button(rx.icon("plus", size=16), t("Add alert rule"), on_click=R.open_new, id="add-rule"),
    )
