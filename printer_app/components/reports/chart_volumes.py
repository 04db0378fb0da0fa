"""Pages printed per month: one stacked bar per organization (A4 / A3, b/w and colour), and the numbers."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.components.reports.chart_sla import no_figures, numbers_table
from printer_app.i18n import N_
from printer_app.state.reports.charts import KIND_COLOURS, KIND_LABELS, ChartsState

S = ChartsState


def _legend() -> rx.Component:
    """The four colours (the chart's own legend would list every organization four times)."""
    return rx.hstack(
        *[
            rx.hstack(
                rx.box(width="12px", height="12px", background=colour, border_radius="2px"),
                rx.text(t(KIND_LABELS[kind]), size="1"),
                align="center",
                spacing="1",
            )
            for kind, colour in KIND_COLOURS.items()
        ],
        rx.text(t("one bar per organization"), size="1", color=rx.color("gray", 11)),
        wrap="wrap",
        spacing="3",
    )


def volume_section() -> rx.Component:
    chart = rx.recharts.bar_chart(
        rx.foreach(
            S.volume_bars,
            lambda b: rx.recharts.bar(
                data_key=b[0], name=b[1], fill=b[2], stack_id=b[3], max_bar_size=48, is_animation_active=False
            ),
        ),
        rx.recharts.x_axis(data_key="month", tick={"fontSize": 11}, min_tick_gap=16),
        rx.recharts.y_axis(tick={"fontSize": 11}, width=72, allow_decimals=False),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.graphing_tooltip(),
        data=S.volume_points,
        height=320,
        width="100%",
    )
    return section_card(
        N_("Pages printed per month"),
        rx.cond(
            S.volume_points.length() > 0,
            rx.vstack(rx.box(chart, width="100%", id="chart-volumes"), _legend(), width="100%"),
            no_figures(N_("No months to show."), "chart-volumes-empty"),
        ),
        numbers_table(
            [
                N_("Month"),
                N_("Organization"),
                N_("A4 b/w"),
                N_("A4 colour"),
                N_("A3 b/w"),
                N_("A3 colour"),
                N_("Total"),
            ],
            S.volume_table,
            ["month", "organization", "a4_bw", "a4_color", "a3_bw", "a3_color", "total"],
            id="volume-table",
        ),
        rx.text(
            t(
                "End minus start of each counter pair. A device listed twice (once for A4, once for A3) counts "
                "its first row's A4 pages and its later rows' A3 pages."
            ),
            size="1",
            color=rx.color("gray", 11),
        ),
        id="section-volumes",
    )
