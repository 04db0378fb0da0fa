"""Printer detail page: identity (and its flags), current supplies, counter and supply charts, paged poll history."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import status_badge
from printer_app.components.forms import busy_button, choice_select
from printer_app.components.i18n import t, tf
from printer_app.components.inventory.printer_dialog import printer_dialog
from printer_app.components.inventory.printer_flags import counter_reset, identity_flag, supplies_card
from printer_app.components.layout import page, section_card
from printer_app.components.table import data_table, pager
from printer_app.config import get_settings
from printer_app.i18n import N_
from printer_app.models.choices import TaskStatus
from printer_app.state.inventory.printer_detail import CHART_RANGES, PollView, PrinterDetailState
from printer_app.state.inventory.printer_form import PrinterFormState
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState

S = PrinterDetailState
COUNTER_LINES = [
    ("total_pages", N_("Total"), "#0090ff"),
    ("bw_a4", N_("B/W A4"), "#1f2328"),
    ("color_a4", N_("Colour A4"), "#d6198a"),
    ("bw_a3", N_("B/W A3"), "#8b8d98"),
    ("color_a3", N_("Colour A3"), "#e8c200"),
]


def identity_card() -> rx.Component:
    return rx.card(
        rx.grid(
            rx.foreach(
                S.identity,
                lambda item: rx.vstack(
                    rx.text(SessionState.t[item[0]], size="1", color=rx.color("gray", 10)),
                    rx.text(item[1], size="2", weight="medium"),
                    spacing="0",
                ),
            ),
            columns=rx.breakpoints(initial="2", sm="3", lg="5"),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def counters_chart() -> rx.Component:
    return section_card(
        N_("Page counters"),
        rx.recharts.line_chart(
            *[
                rx.recharts.line(data_key=key, name=t(label), stroke=colour, dot=False, type_="monotone")
                for key, label, colour in COUNTER_LINES
            ],
            rx.recharts.x_axis(data_key="at", tick={"fontSize": 11}, min_tick_gap=40),
            rx.recharts.y_axis(tick={"fontSize": 11}, width=80, domain=["auto", "auto"]),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            data=S.counter_points,
            height=280,
            width="100%",
            id="counters-chart",
        ),
    )


def supplies_chart() -> rx.Component:
    return section_card(
        N_("Supply levels (%)"),
        rx.recharts.line_chart(
            rx.foreach(
                S.supply_lines,
                lambda line: rx.recharts.line(data_key=line[0], stroke=line[1], dot=False, type_="stepAfter"),
            ),
            rx.recharts.x_axis(data_key="at", tick={"fontSize": 11}, min_tick_gap=40),
            rx.recharts.y_axis(domain=[0, 100], tick={"fontSize": 11}, width=40),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            data=S.supply_points,
            height=280,
            width="100%",
            id="supplies-chart",
        ),
    )


def _poll_row(poll: PollView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(poll.at, white_space="nowrap"),
        rx.table.cell(status_badge(poll.status)),
        rx.table.cell(poll.match_rule),
        rx.table.cell(poll.total, text_align="right"),
        rx.table.cell(poll.bw_a4, text_align="right"),
        rx.table.cell(poll.color_a4, text_align="right"),
        rx.table.cell(poll.bw_a3, text_align="right"),
        rx.table.cell(poll.color_a3, text_align="right"),
        rx.table.cell(
            rx.text(poll.error, size="1", color=rx.color("red", 11)),
            rx.text(poll.note, size="1", color=rx.color("gray", 11)),
            rx.cond(poll.unchecked, rx.badge(t("history not checked"), color_scheme="amber", size="1")),
        ),
    )


def history_table() -> rx.Component:
    time = rx.table.column_header_cell(tf("Time ({zone})", zone=get_settings().time_zone), white_space="nowrap")
    headers = [
        time,
        N_("Status"),
        N_("Match rule"),
        N_("Total"),
        N_("B/W A4"),
        N_("Colour A4"),
        N_("B/W A3"),
        N_("Colour A3"),
        N_("Error / note"),
    ]
    statuses = [("all", N_("Any status")), *[(s.value, s.label) for s in TaskStatus if s != TaskStatus.NEVER_RUN]]
    return section_card(
        N_("Poll history"),
        data_table(headers, S.polls, _poll_row, size="1", id="history-table"),
        pager(S),
        tools=(rx.spacer(), choice_select(statuses, S.status_filter, S.set_status_filter, id="history-status")),
    )


def printer_detail_page() -> rx.Component:
    busy = LiveState.polling_ids.contains(S.printer_id)
    return page(
        rx.cond(
            S.identity.contains("IP address"), tf("Printer {ip}", ip=S.identity["IP address"].to(str)), t("Printer")
        ),
        rx.cond(
            S.not_found != "",
            rx.callout(S.not_found, icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                rx.cond(~S.is_active, rx.callout(t("This printer is inactive (replaced or removed)."), icon="info")),
                identity_card(),
                identity_flag(),
                counter_reset(),
                supplies_card(),
                rx.hstack(
                    rx.text(t("Chart range"), size="2"),
                    rx.segmented_control.root(
                        *[rx.segmented_control.item(t(label), value=value) for value, label in CHART_RANGES],
                        value=S.chart_days,
                        on_change=S.set_chart_days,
                    ),
                    align="center",
                ),
                rx.grid(counters_chart(), supplies_chart(), columns="2", spacing="4", width="100%"),
                history_table(),
                width="100%",
                spacing="4",
            ),
        ),
        printer_dialog(),
        actions=rx.hstack(
            rx.link(rx.button(rx.icon("arrow-left", size=16), t("All printers"), variant="soft"), href="/printers"),
            busy_button(
                N_("Poll now"),
                "refresh-cw",
                busy=busy,
                on_click=LiveState.poll_now(S.printer_id),
                id="poll-now",
                variant="soft",
            ),
            rx.link(
                rx.button(rx.icon("code-xml", size=16), t("Web rules"), variant="soft", id="web-rules"),
                href="/printers/" + S.printer_id.to_string() + "/web",
            ),
            rx.button(
                rx.icon("pencil", size=16),
                t("Edit"),
                on_click=PrinterFormState.open_edit(S.printer_id),
                id="edit-printer",
            ),
        ),
    )
