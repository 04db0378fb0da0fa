"""The month history's entries: a sortable table on a wide screen (scrolling sideways when narrow), a card per
entry on a phone. Each entry links to its row in the month table and offers a revert when the user may."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.reports.row_history import change_text, origin_text, revert_button, source_badge
from printer_app.components.table import sort_header
from printer_app.config import get_settings
from printer_app.i18n import N_
from printer_app.state.reports.month_history import MonthHistoryState
from printer_app.state.reports.row_history import EntryView

S = MonthHistoryState
WIDE = rx.breakpoints(initial="none", md="block")
NARROW = rx.breakpoints(initial="flex", md="none")


def _row_link(entry: rx.Var[EntryView]) -> rx.Component:
    """The entry's row in the month table (found by its serial there)."""
    return rx.vstack(
        rx.link(
            rx.cond(entry.serial != "", entry.serial, "#" + entry.row_id.to_string()),
            href=entry.link,
            class_name="pi-mono history-row-link",
        ),
        rx.text(
            entry.organization, size="1", color=rx.color("gray", 11), class_name="pi-clip", title=entry.organization
        ),
        spacing="0",
        max_width="220px",
    )


def _row(entry: rx.Var[EntryView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(entry.when, size="2"), white_space="nowrap"),
        rx.table.cell(rx.text(entry.user, size="2")),
        rx.table.cell(_row_link(entry)),
        rx.table.cell(change_text(entry)),
        rx.table.cell(source_badge(entry)),
        rx.table.cell(origin_text(entry), max_width="220px"),
        rx.table.cell(rx.text(entry.comment, size="1"), max_width="200px"),
        rx.table.cell(revert_button(entry, S.can_revert, "")),
        class_name="history-entry",
        custom_attrs={"data-entry": entry.id},
    )


def history_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    sort_header(N_("When"), "time", S),
                    sort_header(N_("User"), "user", S),
                    rx.table.column_header_cell(t("Row")),
                    sort_header(N_("Counter"), "field", S),
                    sort_header(N_("Source"), "source", S),
                    rx.table.column_header_cell(t("IP / browser")),
                    rx.table.column_header_cell(t("Comment")),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            size="1",
            width="100%",
            variant="surface",
            id="history-table",
        ),
        overflow_x="auto",
        width="100%",
        display=WIDE,
    )


def _card(entry: rx.Var[EntryView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(entry.when, size="1", weight="medium"),
                rx.text(entry.user, size="1", color=rx.color("gray", 11)),
                rx.spacer(),
                source_badge(entry),
                width="100%",
                align="center",
                spacing="2",
            ),
            _row_link(entry),
            change_text(entry),
            origin_text(entry),
            rx.cond(entry.comment != "", rx.text(entry.comment, size="1", font_style="italic")),
            rx.hstack(rx.spacer(), revert_button(entry, S.can_revert, "card-"), width="100%"),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="history-card",
    )


def history_cards() -> rx.Component:
    return rx.vstack(rx.foreach(S.rows, _card), width="100%", spacing="2", display=NARROW, id="history-cards")


def history_zone_note() -> rx.Component:
    return rx.text(
        tf("Times in {zone}", zone=get_settings().time_zone),
        " · ",
        rx.cond(S.editable, t("Open for editing"), t("Closed for editing")),
        size="1",
        color=rx.color("gray", 11),
        id="history-status",
    )
