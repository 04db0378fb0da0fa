"""Rule builder: the result of "Test all rules" and the printer's latest stored poll."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import status_badge
from printer_app.components.dialogs import confirm_dialog
from printer_app.components.forms import busy_button
from printer_app.components.i18n import t, tf
from printer_app.components.layout import section_card
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.state.web.rule_runs import TestRow, WebRuleRunsState
from printer_app.state.web.rules import WebRulesState

R = WebRuleRunsState


def _row(row: TestRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(row.field_label, weight="medium"),
            rx.cond(~row.is_output, rx.text(t("for formulas only"), size="1", color=rx.color("gray", 10))),
        ),
        rx.table.cell(rx.text(row.value, weight="bold", class_name="test-value")),
        rx.table.cell(rx.code(row.raw, variant="ghost", size="1", style={"wordBreak": "break-all"}), max_width="360px"),
        rx.table.cell(rx.text(row.error, size="1", color=rx.color("red", 11), class_name="test-error")),
        rx.table.cell(rx.text(row.url, size="1", color=rx.color("gray", 10), style={"wordBreak": "break-all"})),
        class_name="test-row",
        custom_attrs={"data-field": row.field_name},
    )


def test_results_card() -> rx.Component:
    return section_card(
        N_("Test of all rules"),
        rx.cond(
            R.results.length() > 0,
            data_table(
                [N_("Field"), N_("Value"), N_("Raw"), N_("Error"), N_("URL")],
                R.results,
                _row,
                size="1",
                id="test-results",
            ),
            rx.text(
                t("“Test all rules” reads every saved rule from the device as a poll would; nothing is stored."),
                size="2",
                color=rx.color("gray", 10),
            ),
        ),
        tools=(
            rx.cond(
                R.tested_at != "", rx.text(tf("at {time}", time=R.tested_at), size="2", color=rx.color("gray", 10))
            ),
            rx.spacer(),
            rx.text(R.test_summary, size="2", id="test-summary"),
        ),
    )


def last_poll_card() -> rx.Component:
    poll = R.last_poll
    return rx.card(
        rx.hstack(
            rx.text(t("Latest stored poll"), size="2", weight="bold"),
            rx.cond(
                poll.contains("status"),
                rx.hstack(
                    status_badge(poll["status"].to(str)),
                    rx.text(poll["at"].to(str), size="2"),
                    rx.text(tf("source {source}", source=poll["source"].to(str)), size="2", color=rx.color("gray", 11)),
                    rx.text(t("total"), " ", rx.text.strong(poll["total"].to(str)), size="2", id="last-poll-total"),
                    rx.text(poll["error"].to(str), size="1", color=rx.color("red", 11)),
                    spacing="3",
                    align="center",
                    id="last-poll",
                ),
                rx.text(t("never polled"), size="2", color=rx.color("gray", 10)),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        width="100%",
    )


def _confirm_poll() -> rx.Component:
    return confirm_dialog(
        N_("Poll without a serial number or MAC rule?"),
        N_(
            "This printer is read through its web rules, and none of them reads its serial number or MAC address: "
            "the poll cannot tell that the device is still this printer and will fail its identity check. Add a "
            "rule for the serial number (or MAC address) first, or poll anyway."
        ),
        action=N_("Poll anyway"),
        on_confirm=[WebRulesState.cancel_poll, R.poll_now],
        confirm_id="confirm-poll",
        open=WebRulesState.confirm_poll,
        on_cancel=WebRulesState.cancel_poll,
        color_scheme="amber",
    )


def run_buttons() -> rx.Component:
    return rx.hstack(
        busy_button(
            N_("Test all rules"), "flask-conical", busy=R.testing, on_click=R.test_all, id="test-all", variant="soft"
        ),
        busy_button(
            N_("Poll now"),
            "refresh-cw",
            busy=R.polling,
            on_click=WebRulesState.poll_now,
            id="web-poll-now",
        ),
        _confirm_poll(),
        spacing="2",
    )
