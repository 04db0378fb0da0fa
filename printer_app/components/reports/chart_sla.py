"""K1 and K2 per organization and month as lines with the target line, and the same numbers as a table."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.layout import section_card
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.state.reports.charts import ChartsState

S = ChartsState
TARGET_COLOUR = "#e5484d"


def no_figures(message: str, id: str) -> rx.Component:
    return rx.center(
        rx.text(t(message), size="2", color=rx.color("gray", 11), text_align="center"),
        height="80px",
        width="100%",
        id=id,
    )


def numbers_table(headers: list[str], rows, keys: list[str], *, id: str) -> rx.Component:
    """The chart's numbers, one table row per point (readable without the chart, and what a test compares)."""
    return rx.box(
        data_table(
            headers,
            rows,
            lambda row: rx.table.row(*[rx.table.cell(row[key]) for key in keys]),
            size="1",
            id=id,
        ),
        width="100%",
        max_height="320px",
        overflow="auto",
    )


def _line_chart(which: str) -> rx.Component:
    return rx.recharts.line_chart(
        rx.foreach(
            S.series,
            lambda s: rx.recharts.line(
                data_key=f"{which}_" + s[0],
                name=s[1],
                stroke=s[2],
                unit=" %",
                type_="monotone",
                is_animation_active=False,
            ),
        ),
        rx.recharts.reference_line(
            rx.recharts.label(
                value=tf("Target {target} %", target=S.target), position="insideBottomLeft", fill=TARGET_COLOUR
            ),
            y=S.target,
            stroke=TARGET_COLOUR,
            stroke_dasharray="6 4",
            if_overflow="extendDomain",
        ),
        rx.recharts.x_axis(data_key="month", tick={"fontSize": 11}, min_tick_gap=16),
        rx.recharts.y_axis(domain=[0, 100], tick={"fontSize": 11}, width=40, unit="%"),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=S.sla_points,
        height=300,
        width="100%",
    )


def sla_section(which: str, title: str) -> rx.Component:
    """The K1 (`which` = "k1") or K2 chart."""
    return section_card(
        title,
        rx.cond(
            S.sla_points.length() > 0,
            rx.box(_line_chart(which), width="100%", id=f"chart-{which}"),
            no_figures(N_("No months to show."), f"chart-{which}-empty"),
        ),
        id=f"section-{which}",
    )


def sla_numbers() -> rx.Component:
    return section_card(
        N_("K1 and K2 by month and organization"),
        numbers_table(
            [N_("Month"), N_("Organization"), N_("K1"), N_("Rows with A > 0"), N_("K2"), N_("Rows with W > 0")],
            S.sla_table,
            ["month", "organization", "k1", "k1_rows", "k2", "k2_rows"],
            id="sla-table",
        ),
        id="section-sla-numbers",
    )
