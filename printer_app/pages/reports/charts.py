"""SLA charts: K1 / K2 per organization over the months with a target line, pages printed per month, the devices
with the lowest K1; each chart with its numbers as a table (state/reports/charts.py)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.layout import page
from printer_app.components.reports.chart_filters import chart_filters
from printer_app.components.reports.chart_sla import sla_numbers, sla_section
from printer_app.components.reports.chart_volumes import volume_section
from printer_app.components.reports.chart_worst import worst_section
from printer_app.i18n import N_


def charts_page() -> rx.Component:
    return page(
        N_("SLA charts"),
        chart_filters(),
        rx.grid(
            sla_section("k1", N_("K1: availability")),
            sla_section("k2", N_("K2: requests on time")),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        sla_numbers(),
        volume_section(),
        worst_section(),
    )
