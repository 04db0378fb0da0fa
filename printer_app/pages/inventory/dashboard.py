"""Dashboard: the fleet at a glance."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import page, section_card
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.models.choices import TaskStatus
from printer_app.state.inventory.dashboard import DashboardState

S = DashboardState
CARDS = [
    ("total", N_("Printers"), "printer", "gray"),
    ("active", N_("Active"), "circle-check", "blue"),
    ("ok_24h", N_("Polled OK in 24 h"), "activity", "green"),
    ("failing", N_("Failing"), "circle-alert", "red"),
    ("never_polled", N_("Never polled"), "circle-dashed", "amber"),
]
BAR_COLOURS = {
    "SUCCESS": "#30a46c",
    "FAILED": "#e5484d",
    "VALIDATION_ERROR": "#f76b15",
    "HISTORICAL_INCONSISTENCY": "#ffc53d",
}


def stat_card(key: str, label: str, icon: str, colour: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=28, color=rx.color(colour, 10)),
            rx.vstack(
                rx.text(t(label), size="2", color=rx.color("gray", 11)),
                rx.heading(S.count_texts[key], size="7", id=f"count-{key}"),
                spacing="0",
            ),
            align="center",
            spacing="4",
        ),
        width="100%",
    )


def outcomes_chart() -> rx.Component:
    return section_card(
        N_("Poll outcomes per day (last 30 days)"),
        rx.recharts.bar_chart(
            *[
                rx.recharts.bar(data_key=s.value, name=t(s.label), stack_id="a", fill=BAR_COLOURS[s.value])
                for s in TaskStatus
                if s.value in BAR_COLOURS
            ],
            rx.recharts.x_axis(data_key="day", tick={"fontSize": 11}),
            rx.recharts.y_axis(tick={"fontSize": 11}),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            data=S.outcomes,
            height=300,
            width="100%",
            id="outcomes-chart",
        ),
    )


def _supply_row(s) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(s["ip_address"], href="/printers/" + s["printer_id"].to(str))),
        rx.table.cell(s["organization"]),
        rx.table.cell(s["description"]),
        rx.table.cell(
            rx.hstack(
                rx.progress(
                    value=s["percent"].to(int),
                    width="80px",
                    color_scheme=rx.cond(s["percent"].to(int) < 10, "red", "amber"),
                ),
                rx.text(s["percent"].to(str) + "%", size="1"),
                align="center",
            )
        ),
    )


def low_supplies() -> rx.Component:
    return section_card(
        N_("Lowest supplies"),
        data_table(
            [N_("Printer"), N_("Organization"), N_("Supply"), N_("Level")],
            S.low_supplies,
            _supply_row,
            size="1",
            id="low-supplies",
        ),
    )


def dashboard_page() -> rx.Component:
    return page(
        N_("Dashboard"),
        rx.grid(*[stat_card(*c) for c in CARDS], columns="5", spacing="4", width="100%"),
        rx.grid(outcomes_chart(), low_supplies(), columns="2", spacing="4", width="100%"),
    )
