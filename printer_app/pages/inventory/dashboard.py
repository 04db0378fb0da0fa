"""Dashboard: the fleet at a glance; every tile opens the printers list filtered to what it counts."""

from __future__ import annotations

from typing import NamedTuple

import reflex as rx

from printer_app.components.forms import choice_select
from printer_app.components.i18n import t, tf
from printer_app.components.layout import page, section_card
from printer_app.components.reports.chart_card import sla_card
from printer_app.components.supplies.runs_out_card import runs_out_card
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.models.choices import TaskStatus
from printer_app.services.inventory.dashboard import LOW_SUPPLY_PERCENT, NO_ORGANIZATION
from printer_app.state.inventory.dashboard import DashboardState

S = DashboardState


class Tile(NamedTuple):
    key: str  # of DashboardState.counts
    label: str
    icon: str
    colour: str
    href: str  # the printers list showing what the tile counts (the list's URL filters)
    meaning: str  # the tooltip: what is counted


ADD_UP = N_("The four groups add up to the active printers.")
TILES = [
    Tile("total", N_("All printers"), "printer", "gray", "/printers?active=all", N_("Active and inactive printers.")),
    Tile(
        "active",
        N_("Active printers"),
        "power",
        "blue",
        "/printers",
        N_("Printers in use (inactive ones were replaced or removed)."),
    ),
    Tile(
        "ok_24h",
        N_("Polled OK in 24 h"),
        "circle-check",
        "green",
        "/printers?status=ok24h",
        N_("Active printers whose last poll succeeded, within the last 24 hours."),
    ),
    Tile(
        "stale",
        N_("Not polled in 24 h"),
        "clock-alert",
        "amber",
        "/printers?status=stale",
        N_("Active printers whose last poll succeeded, but more than 24 hours ago: nothing polled them since."),
    ),
    Tile(
        "failing",
        N_("Failing"),
        "circle-alert",
        "red",
        "/printers?status=failing",
        N_("Active printers whose last poll failed: no answer, a validation error or a history inconsistency."),
    ),
    Tile(
        "never_polled",
        N_("Not polled yet"),  # not the status "Never polled": Russian needs the plural here ("Не опрашивался")
        "circle-off",
        "gray",
        "/printers?status=never",
        N_("Active printers that were never polled."),
    ),
]
GROUPS = ("ok_24h", "stale", "failing", "never_polled")
BAR_COLOURS = {
    "SUCCESS": "#30a46c",
    "FAILED": "#e5484d",
    "VALIDATION_ERROR": "#f76b15",
    "HISTORICAL_INCONSISTENCY": "#ffc53d",
}


def stat_tile(tile: Tile) -> rx.Component:
    """A count and its label; a link to the printers it counts, with a tooltip saying what that is."""
    meaning = t(tile.meaning)
    if tile.key in GROUPS or tile.key == "active":
        meaning = meaning + " " + t(ADD_UP)
    return rx.tooltip(
        rx.link(
            rx.card(
                rx.hstack(
                    rx.icon(tile.icon, size=26, color=rx.color(tile.colour, 10), flex_shrink="0"),
                    rx.vstack(
                        rx.text(t(tile.label), size="2", color=rx.color("gray", 11), text_wrap="balance"),
                        rx.heading(S.count_texts[tile.key], size="7", id=f"count-{tile.key}"),
                        spacing="0",
                        min_width="0",
                    ),
                    align="center",
                    spacing="3",
                ),
                width="100%",
                height="100%",
                _hover={"background": rx.color("accent", 2)},
            ),
            href=tile.href,
            underline="none",
            color="inherit",
            id=f"tile-{tile.key}",
            aria_label=t(tile.label),
        ),
        content=meaning,
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
            rx.recharts.y_axis(tick={"fontSize": 11}, width=40),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            data=S.outcomes,
            height=300,
            width="100%",
            id="outcomes-chart",
        ),
    )


def _supply_row(s) -> rx.Component:
    href = "/printers/" + s["printer_id"].to(str)
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.vstack(
                    rx.text(s["ip_address"], weight="medium"),
                    rx.text(s["model"], size="1", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                href=href,
                underline="none",
                class_name="supply-printer",
            )
        ),
        rx.table.cell(s["organization"]),
        rx.table.cell(s["description"]),
        rx.table.cell(
            rx.hstack(
                rx.progress(
                    value=s["percent"].to(int),
                    width="64px",
                    color_scheme=rx.cond(s["percent"].to(int) < 10, "red", "amber"),
                ),
                rx.text(s["percent"].to(str) + " %", size="1", white_space="nowrap"),
                align="center",
            )
        ),
        class_name="supply-row",
    )


def low_supplies() -> rx.Component:
    organization = choice_select(
        [("all", N_("All organizations")), (NO_ORGANIZATION, N_("No organization"))],
        rx.cond(S.supply_org == "", "all", S.supply_org),
        S.set_supply_org,
        dynamic=S.organizations,
        width="100%",
        id="supply-org",
    )
    show_all = rx.link(
        tf("All printers with a supply below {percent} %", percent=LOW_SUPPLY_PERCENT),
        rx.icon("arrow-right", size=14),
        href=S.supplies_link,
        size="2",
        id="supplies-show-all",
        display="inline-flex",
        align_items="center",
        gap="4px",
    )
    return section_card(
        N_("Lowest supplies"),
        rx.box(organization, width="100%", max_width="320px"),
        data_table(
            [N_("Printer"), N_("Organization"), N_("Supply"), N_("Level")],
            S.low_supplies,
            _supply_row,
            size="1",
            id="low-supplies",
        ),
        rx.cond(
            S.low_supplies.length() == 0,
            rx.text(t("No supply levels reported yet."), size="2", color=rx.color("gray", 11), id="no-supplies"),
        ),
        show_all,
    )


def dashboard_page() -> rx.Component:
    return page(
        N_("Dashboard"),
        rx.grid(
            *[stat_tile(tile) for tile in TILES],
            columns=rx.breakpoints(initial="1", xs="2", sm="3", lg="6"),
            spacing="3",
            width="100%",
            id="dashboard-tiles",
        ),
        rx.text(t(ADD_UP), size="1", color=rx.color("gray", 11)),
        rx.grid(
            outcomes_chart(),
            low_supplies(),
            runs_out_card(),
            sla_card(S),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
            align="start",
        ),
    )
