"""Printer detail page: identity (and its flags), current supplies, counter and supply charts, paged poll history."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import status_badge
from printer_app.components.changes import action_badge, changes_cell
from printer_app.components.contracts.cartridge_request import request_cartridge_button
from printer_app.components.forms import busy_button, choice_select
from printer_app.components.i18n import t, tf
from printer_app.components.inventory.printer_dialog import printer_dialog
from printer_app.components.inventory.printer_flags import counter_reset, identity_flag, supplies_card
from printer_app.components.layout import page, section_card
from printer_app.components.supplies.printer_supplies import lifetimes_card, supplies_chart
from printer_app.components.table import data_table, pager
from printer_app.config import get_settings
from printer_app.i18n import N_
from printer_app.models.choices import TaskStatus
from printer_app.state.contracts.cartridge_request import CartridgeRequestState
from printer_app.state.inventory.printer_detail import CHART_PERIODS, CHART_RANGES, PollView, PrinterDetailState
from printer_app.state.inventory.printer_form import PrinterFormState
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState
from printer_app.state.supplies.printer_supplies import PrinterSuppliesState

S = PrinterDetailState


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
        id="printer-identity",
    )


def _axes(*extra: rx.Component) -> list[rx.Component]:
    return [
        rx.recharts.x_axis(data_key="label", tick={"fontSize": 11}, min_tick_gap=16),
        rx.recharts.y_axis(y_axis_id="pages", tick={"fontSize": 11}, width=64, allow_decimals=False),
        *extra,
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.graphing_tooltip(),
    ]


def _pages_bar() -> rx.Component:
    return rx.recharts.bar(data_key="pages", name=t("Pages printed"), fill="#0090ff", y_axis_id="pages")


def usage_chart() -> rx.Component:
    """Pages printed per day or month as bars; the total counter as a line only when asked for."""
    bars = rx.recharts.bar_chart(_pages_bar(), *_axes(), data=S.usage_points, height=280, width="100%")
    with_counter = rx.recharts.composed_chart(
        _pages_bar(),
        rx.recharts.line(
            data_key="counter",
            name=t("Total counter"),
            stroke="#1f2328",
            dot=False,
            y_axis_id="counter",
            connect_nulls=True,
        ),
        *_axes(
            rx.recharts.y_axis(
                y_axis_id="counter", orientation="right", tick={"fontSize": 11}, width=80, domain=["auto", "auto"]
            )
        ),
        rx.recharts.legend(),
        data=S.usage_points,
        height=280,
        width="100%",
    )
    return section_card(
        N_("Pages printed"),
        rx.cond(
            S.usage_ready,
            rx.box(rx.cond(S.cumulative, with_counter, bars), width="100%", id="usage-chart"),
            rx.center(
                rx.text(
                    t("No data yet: the chart needs two successful polls that read the page counter."),
                    size="2",
                    color=rx.color("gray", 11),
                    text_align="center",
                ),
                height="120px",
                width="100%",
                id="usage-no-data",
            ),
        ),
        rx.hstack(
            rx.segmented_control.root(
                *[rx.segmented_control.item(t(label), value=value) for value, label in CHART_PERIODS],
                value=S.chart_period,
                on_change=S.set_chart_period,
                size="1",
                id="usage-period",
            ),
            rx.checkbox(
                t("Total counter line"), checked=S.cumulative, on_change=S.set_cumulative, size="1", id="usage-counter"
            ),
            spacing="4",
            align="center",
            flex_wrap="wrap",
        ),
        id="usage-card",
    )


NUMBER = {"text_align": "right", "white_space": "nowrap", "font_variant_numeric": "tabular-nums"}


def _poll_row(poll: PollView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(poll.at, white_space="nowrap", font_variant_numeric="tabular-nums"),
        rx.table.cell(status_badge(poll.status)),
        rx.table.cell(poll.match_rule, white_space="nowrap"),
        rx.table.cell(poll.total, **NUMBER),
        rx.table.cell(poll.bw_a4, **NUMBER),
        rx.table.cell(poll.color_a4, **NUMBER),
        rx.table.cell(poll.bw_a3, **NUMBER),
        rx.table.cell(poll.color_a3, **NUMBER),
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
        *[
            rx.table.column_header_cell(t(label), text_align="right", white_space="nowrap")
            for label in (N_("Total"), N_("B/W A4"), N_("Colour A4"), N_("B/W A3"), N_("Colour A3"))
        ],
        N_("Error / note"),
    ]
    statuses = [("all", N_("Any status")), *[(s.value, s.label) for s in TaskStatus if s != TaskStatus.NEVER_RUN]]
    return section_card(
        N_("Poll history"),
        data_table(headers, S.polls, _poll_row, size="1", id="history-table"),
        pager(S),
        tools=(rx.spacer(), choice_select(statuses, S.status_filter, S.set_status_filter, id="history-status")),
    )


def _change_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r.when, size="2"), white_space="nowrap"),
        # who, and for the poller how it was started; a person's client address stays on the change log page
        rx.table.cell(rx.text(r.user, size="2"), rx.text(r.how, size="1", color=rx.color("gray", 10))),
        rx.table.cell(action_badge(r)),
        rx.table.cell(changes_cell(r)),
        class_name="change-row",
    )


def changes_card() -> rx.Component:
    """The printer's change-log entries, newest first: what people changed and what the poller learned or moved."""
    link = "/changes?object_type=printer&object_id=" + S.printer_id.to_string()
    return section_card(
        N_("Changes"),
        rx.cond(
            S.changes_total > 0,
            data_table(
                [
                    rx.table.column_header_cell(
                        tf("When ({zone})", zone=get_settings().time_zone), width="150px", white_space="nowrap"
                    ),
                    rx.table.column_header_cell(t("By"), width="150px"),
                    rx.table.column_header_cell(t("Action"), width="130px"),
                    N_("Changes"),
                ],
                S.changes,
                _change_row,
                size="1",
                id="changes-table",
            ),
            rx.text(t("No changes recorded yet."), size="2", color=rx.color("gray", 11)),
        ),
        rx.cond(
            SessionState.permissions.contains("access.view_entity_changes") & (S.changes_total > 0),
            rx.link(
                tf("This printer in the change log ({n})", n=S.changes_total),
                href=link,
                size="2",
                id="all-changes",
            ),
        ),
        id="changes-card",
    )


def printer_detail_page() -> rx.Component:
    busy = LiveState.polling_ids.contains(S.printer_id)
    return page(
        rx.cond(S.heading != "", S.heading, t("Printer")),
        rx.cond(
            S.not_found != "",
            rx.callout(S.not_found, icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                rx.text(S.subtitle, size="2", color=rx.color("gray", 11), margin_top="-12px", id="page-subtitle"),
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
                        on_change=lambda days: [S.set_chart_days(days), PrinterSuppliesState.reload()],
                    ),
                    align="center",
                    flex_wrap="wrap",  # on a phone the choices go under their label
                ),
                rx.grid(
                    usage_chart(),
                    supplies_chart(),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                lifetimes_card(),
                history_table(),
                changes_card(),
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
            request_cartridge_button(CartridgeRequestState.for_printer(S.printer_id)),
            rx.button(
                rx.icon("pencil", size=16),
                t("Edit"),
                on_click=PrinterFormState.open_edit(S.printer_id),
                id="edit-printer",
            ),
        ),
    )
