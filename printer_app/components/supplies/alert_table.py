"""The alert list: filters, the table with read / unread and the printer link, the pager."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import filter_select
from printer_app.components.i18n import t
from printer_app.components.table import data_table, pager, reset_button, row_icon_button, search_box, sort_header
from printer_app.i18n import N_
from printer_app.state.supplies.alerts import READ_OPTIONS, REASON_OPTIONS, STATUS_OPTIONS
from printer_app.state.supplies.alerts import SupplyAlertsState as S


def alert_filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=t("Printer, organization or rule…"), id="alert-search"),
        filter_select(S, "status", STATUS_OPTIONS, width="200px"),
        filter_select(S, "read", READ_OPTIONS),
        filter_select(S, "organization", [["all", N_("All organizations")]], dynamic=S.org_options, width="200px"),
        filter_select(S, "reason", REASON_OPTIONS),
        reset_button(S.reset_filters, search_id="alert-search", id="alert-reset"),
        flex_wrap="wrap",
        spacing="2",
        width="100%",
    )


def _row(alert) -> rx.Component:
    unread = ~alert.read & (alert.cleared == "")
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.cond(unread, rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("red", 9))),
                rx.text(alert.created, white_space="nowrap"),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.link(alert.printer, href="/printers/" + alert.printer_id.to(str), class_name="alert-printer")),
        rx.table.cell(alert.organization),
        rx.table.cell(rx.text(alert.supply, weight=rx.cond(unread, "bold", "regular"))),
        rx.table.cell(alert.reason),
        rx.table.cell(alert.level, text_align="right", white_space="nowrap"),
        rx.table.cell(alert.days, white_space="nowrap"),
        rx.table.cell(alert.rule),
        rx.table.cell(
            rx.cond(
                alert.cleared != "",
                rx.badge(t("Cleared"), color_scheme="gray", title=alert.cleared),
                rx.badge(t("Open"), color_scheme="amber"),
            )
        ),
        rx.table.cell(
            rx.cond(
                alert.read,
                row_icon_button("mail", N_("Mark unread"), S.mark_unread(alert.id), class_name="alert-unread"),
                row_icon_button("mail-check", N_("Mark read"), S.mark_read(alert.id), class_name="alert-read"),
            )
        ),
        class_name=rx.cond(unread, "alert-row alert-row-unread", "alert-row"),
    )


def alert_table() -> rx.Component:
    table = data_table(
        [
            sort_header(N_("Raised"), "created_at", S),
            sort_header(N_("Printer"), "printer", S),
            sort_header(N_("Organization"), "organization", S),
            N_("Supply"),
            N_("Reason"),
            sort_header(N_("Level"), "level", S, align="right"),
            sort_header(N_("Runs out in"), "days", S),
            sort_header(N_("Rule"), "rule", S),
            N_("State"),
            "",
        ],
        S.rows,
        _row,
        variant="surface",
        size="1",
        id="alert-table",
    )
    return rx.vstack(rx.box(table, width="100%", overflow_x="auto"), pager(S), width="100%", spacing="3")
