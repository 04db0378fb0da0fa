"""Rule builder: the result of "Test all rules" and the printer's latest stored poll."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import status_badge
from printer_app.components.spinner import spinner
from printer_app.state.web.rule_runs import TestRow, WebRuleRunsState

R = WebRuleRunsState


def _row(row: TestRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(row.field_label, weight="medium"),
            rx.cond(~row.is_output, rx.text("for formulas only", size="1", color=rx.color("gray", 10))),
        ),
        rx.table.cell(rx.text(row.value, weight="bold", class_name="test-value")),
        rx.table.cell(rx.code(row.raw, variant="ghost", size="1", style={"wordBreak": "break-all"}), max_width="360px"),
        rx.table.cell(rx.text(row.error, size="1", color=rx.color("red", 11), class_name="test-error")),
        rx.table.cell(rx.text(row.url, size="1", color=rx.color("gray", 10), style={"wordBreak": "break-all"})),
        class_name="test-row",
        custom_attrs={"data-field": row.field_name},
    )


def test_results_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Test of all rules", size="3"),
                rx.cond(R.tested_at != "", rx.text("at " + R.tested_at, size="2", color=rx.color("gray", 10))),
                rx.spacer(),
                rx.text(R.test_summary, size="2", id="test-summary"),
                width="100%",
                align="center",
            ),
            rx.cond(
                R.results.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("Field", "Value", "Raw", "Error", "URL")]
                        )
                    ),
                    rx.table.body(rx.foreach(R.results, _row)),
                    size="1",
                    width="100%",
                    id="test-results",
                ),
                rx.text(
                    "“Test all rules” reads every saved rule from the device as a poll would; nothing is stored.",
                    size="2",
                    color=rx.color("gray", 10),
                ),
            ),
            width="100%",
        ),
        width="100%",
    )


def last_poll_card() -> rx.Component:
    poll = R.last_poll
    return rx.card(
        rx.hstack(
            rx.text("Latest stored poll", size="2", weight="bold"),
            rx.cond(
                poll.contains("status"),
                rx.hstack(
                    status_badge(poll["status"].to(str)),
                    rx.text(poll["at"].to(str), size="2"),
                    rx.text("source " + poll["source"].to(str), size="2", color=rx.color("gray", 11)),
                    rx.text("total ", rx.text.strong(poll["total"].to(str)), size="2", id="last-poll-total"),
                    rx.text(poll["error"].to(str), size="1", color=rx.color("red", 11)),
                    spacing="3",
                    align="center",
                    id="last-poll",
                ),
                rx.text("never polled", size="2", color=rx.color("gray", 10)),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        width="100%",
    )


def run_buttons() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.cond(R.testing, spinner(16), rx.icon("flask-conical", size=16)),
            "Test all rules",
            variant="soft",
            on_click=R.test_all,
            disabled=R.testing,
            id="test-all",
        ),
        rx.button(
            rx.cond(R.polling, spinner(16), rx.icon("refresh-cw", size=16)),
            "Poll now",
            on_click=R.poll_now,
            disabled=R.polling,
            id="web-poll-now",
        ),
        spacing="2",
    )
