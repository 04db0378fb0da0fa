"""On a printer's page: the supply levels chart with each supply's forecast to empty (dashed) and its replacements
(a vertical mark), the forecasts in words, and the cartridge lifetimes table."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.i18n import N_
from printer_app.state.supplies.printer_chart import LifetimeView
from printer_app.state.supplies.printer_supplies import PrinterSuppliesState

S = PrinterSuppliesState


def _line(line) -> rx.Component:
    return rx.cond(
        line[2] == "forecast",
        rx.recharts.line(
            data_key=line[0], stroke=line[1], dot=False, stroke_dasharray="6 4", connect_nulls=True, legend_type="none"
        ),
        rx.recharts.line(data_key=line[0], stroke=line[1], dot=False, type_="stepAfter"),
    )


def _mark(mark) -> rx.Component:
    return rx.recharts.reference_line(x=mark[0], stroke=mark[1], stroke_dasharray="2 3", stroke_width=2, label="↻")


def supplies_chart() -> rx.Component:
    return section_card(
        N_("Supply levels (%)"),
        rx.cond(
            S.points.length() > 1,
            rx.recharts.line_chart(
                rx.foreach(S.lines, _line),
                rx.foreach(S.marks, _mark),
                rx.recharts.x_axis(data_key="at", tick={"fontSize": 11}, min_tick_gap=40),
                rx.recharts.y_axis(domain=[0, 100], tick={"fontSize": 11}, width=40),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                data=S.points,
                height=280,
                width="100%",
                id="supplies-chart",
            ),
            rx.center(
                rx.text(t("No supply levels in this period yet."), size="2", color=rx.color("gray", 11)),
                height="120px",
                width="100%",
            ),
        ),
        rx.cond(
            S.forecasts.length() > 0,
            rx.el.div(
                rx.foreach(
                    S.forecasts,
                    lambda f: rx.el.div(
                        rx.el.span(f[0], class_name="pi-faint"),
                        " ",
                        rx.el.strong(f[1], class_name="printer-forecast-days"),
                        rx.cond(f[2] != "", rx.el.span(" · " + f[2], class_name="pi-faint")),
                        class_name="printer-forecast",
                    ),
                ),
                style={"fontSize": "13px", "display": "grid", "gap": "2px"},
                id="printer-forecasts",
            ),
        ),
        rx.text(t("Dashed: the forecast to empty. ↻: a cartridge replaced."), size="1", color=rx.color("gray", 10)),
    )


def _lifetime(life: rx.Var[LifetimeView]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(life.supply),
        rx.el.td(rx.cond(life.replaced, life.started, rx.el.span(life.started + " *", title=t("History starts")))),
        rx.el.td(life.ended),
        rx.el.td(life.levels),
        rx.el.td(life.pages, class_name="pi-num"),
        rx.el.td(rx.el.span(life.yield_text, class_name="pi-tone-text-" + life.yield_tone)),
        class_name="lifetime-row",
        key=life.id.to_string(),
    )


def lifetimes_card() -> rx.Component:
    headers = [N_("Supply"), N_("Installed"), N_("Replaced"), N_("Level"), N_("Pages"), N_("Yield vs rated")]
    return section_card(
        N_("Cartridge lifetimes"),
        rx.cond(
            S.lifetimes.length() > 0,
            rx.el.div(
                rx.el.table(
                    rx.el.thead(
                        rx.el.tr(*[rx.el.th(t(h), class_name="pi-num" if h == "Pages" else None) for h in headers])
                    ),
                    rx.el.tbody(rx.foreach(S.lifetimes, _lifetime)),
                    class_name="pi-table",
                ),
                class_name="pi-table-wrap pi-table-short",
                id="lifetimes-table",
            ),
            rx.text(
                t("No cartridge lifetimes yet: they appear once polls have read the levels."),
                size="2",
                color=rx.color("gray", 11),
            ),
        ),
        id="lifetimes-card",
    )
