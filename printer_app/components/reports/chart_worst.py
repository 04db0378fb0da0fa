"""The devices with the lowest K1 in a chosen month (rows with A > 0), as bars and as a table."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import choice_select
from printer_app.components.layout import section_card
from printer_app.components.reports.chart_sla import TARGET_COLOUR, no_figures, numbers_table
from printer_app.i18n import N_
from printer_app.state.reports.charts import ChartsState

S = ChartsState


def worst_section() -> rx.Component:
    month = choice_select([], S.worst_month, S.set_worst_month, dynamic=S.shown, width="160px", id="charts-worst")
    chart = rx.recharts.bar_chart(
        rx.recharts.bar(
            data_key="k1", name="K1", unit=" %", fill="#f76b15", max_bar_size=28, is_animation_active=False
        ),
        rx.recharts.reference_line(
            x=S.target, stroke=TARGET_COLOUR, stroke_dasharray="6 4", if_overflow="extendDomain"
        ),
        rx.recharts.x_axis(type_="number", domain=[0, 100], tick={"fontSize": 11}, unit="%"),
        rx.recharts.y_axis(data_key="label", type_="category", tick={"fontSize": 11}, width=110),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", horizontal=False),
        rx.recharts.graphing_tooltip(),
        data=S.worst_points,
        layout="vertical",
        height=320,
        width="100%",
    )
    return section_card(
        N_("Lowest K1 of the month"),
        rx.cond(
            S.worst_points.length() > 0,
            rx.box(chart, width="100%", id="chart-worst"),
            no_figures(N_("No device of this month has A > 0."), "chart-worst-empty"),
        ),
        numbers_table(
            [N_("Serial number"), N_("Model"), N_("Organization"), N_("Address"), N_("K1"), N_("A"), N_("D")],
            S.worst_table,
            ["serial", "model", "organization", "address", "k1", "a", "d"],
            id="worst-table",
        ),
        tools=(rx.spacer(), month),
        id="section-worst",
    )
