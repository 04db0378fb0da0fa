"""The month table page `/reports/<YYYY-MM>`: filters (in the URL), the table with its totals, paging, exports and
inline editing of A / D / L / W; open tabs follow changes made elsewhere (state/reports/month_table.py `listen`)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.reports.month_sync import month_sync_bar
from printer_app.components.reports.row_history import history_panel, month_history_links
from printer_app.components.reports.table_filters import exports, filters
from printer_app.components.reports.table_grid import month_grid
from printer_app.components.table import pager
from printer_app.components.url_sync import url_sync
from printer_app.state.reports.month_table import MonthTableState

S = MonthTableState


def _problem() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("calendar-x", size=16)),
        rx.callout.text(S.problem),
        rx.link(t("All months"), href="/reports", margin_left="auto"),
        color_scheme="amber",
        width="100%",
        id="month-problem",
        style={"alignItems": "center"},
    )


def _status() -> rx.Component:
    return rx.text(
        rx.cond(S.editable, t("Open for editing"), t("Closed for editing")),
        " · ",
        tf("Rows in the month: {n}", n=S.month_rows),
        size="2",
        color=rx.color("gray", 11),
        id="month-status",
    )


def month_table_page() -> rx.Component:
    heading = rx.cond(S.month_title != "", t("Monthly report") + " · " + S.month_title, t("Monthly report"))
    return page(
        heading,
        url_sync(url=MonthTableState.url),
        rx.cond(
            S.problem != "",
            _problem(),
            rx.fragment(
                _status(),
                month_sync_bar(),
                filters(),
                month_grid(),
                rx.cond(
                    S.loaded & (S.total == 0), rx.center(rx.text(t("No rows match these filters.")), padding="16px")
                ),
                pager(S),
                history_panel(),
            ),
        ),
        actions=rx.cond(
            S.problem == "",
            # the rows of buttons inside wrap too on a phone rather than widening the page
            rx.hstack(
                month_history_links(S.report_month),
                exports(),
                wrap="wrap",
                style={"& > .rt-Flex": {"flexWrap": "wrap"}},
            ),
        ),
    )
