"""The dashboard's "Runs out this week" card: the count, the first few supplies, a link to /supplies filtered."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import supply_bar
from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.i18n import N_
from printer_app.state.supplies.runs_out import RunsOutState
from printer_app.state.supplies.views import SupplyRowView

S = RunsOutState


def _row(row: rx.Var[SupplyRowView]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.link(row.printer, href="/printers/" + row.printer_id.to_string(), class_name="soon-printer"),
            rx.el.span(row.organization, class_name="pi-sub", title=row.organization),
        ),
        rx.el.td(row.supply),
        rx.el.td(supply_bar(row.bar.color, row.bar.percent, row.bar.label, row.bar.known, row.bar.tone, row.bar.level)),
        rx.el.td(rx.el.span(row.days, class_name="pi-tone-text-" + row.days_tone)),
        class_name="soon-row",
        key=row.id.to_string(),
    )


def runs_out_card() -> rx.Component:
    return rx.cond(
        S.shown,
        section_card(
            N_("Runs out this week"),
            rx.hstack(
                rx.heading(S.count, size="7", id="soon-count"),
                rx.text(S.count_text, size="2", color=rx.color("gray", 11)),
                align="baseline",
                spacing="2",
            ),
            rx.cond(
                S.count > 0,
                rx.el.div(
                    rx.el.table(rx.el.tbody(rx.foreach(S.rows, _row)), class_name="pi-table"),
                    class_name="pi-table-wrap pi-table-short",
                    id="soon-table",
                ),
                rx.text(t("Nothing runs out within a week."), size="2", color=rx.color("gray", 11), id="soon-none"),
            ),
            rx.link(
                t("All supplies that run out this week"),
                rx.icon("arrow-right", size=14),
                href=S.link,
                size="2",
                id="soon-link",
                display="inline-flex",
                align_items="center",
                gap="4px",
            ),
            id="runs-out-card",
        ),
    )
