"""The dashboard's SLA card: last month's K1 / K2 of the organizations with the lowest K1, linking to the charts."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.layout import section_card
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.state.reports.charts import ROUTE


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["organization"]),
        rx.table.cell(row["k1"], white_space="nowrap"),
        rx.table.cell(row["k2"], white_space="nowrap"),
        class_name="sla-card-row",
    )


def sla_card(state) -> rx.Component:
    """`state.sla_rows` ({organization, k1, k2}) of `state.sla_month` (its label); shown when `state.sla_shown`."""
    link = rx.link(
        t("SLA charts"),
        rx.icon("arrow-right", size=14),
        href=ROUTE,
        size="2",
        id="sla-card-link",
        display="inline-flex",
        align_items="center",
        gap="4px",
    )
    return rx.cond(
        state.sla_shown,
        section_card(
            N_("Lowest SLA last month"),
            rx.cond(
                state.sla_rows.length() > 0,
                rx.vstack(
                    rx.text(tf("Month: {month}", month=state.sla_month), size="2", color=rx.color("gray", 11)),
                    data_table(
                        [N_("Organization"), N_("K1"), N_("K2")], state.sla_rows, _row, size="1", id="sla-card-table"
                    ),
                    width="100%",
                ),
                rx.text(t("No monthly report yet."), size="2", color=rx.color("gray", 11), id="sla-card-empty"),
            ),
            link,
            id="sla-card",
        ),
    )
