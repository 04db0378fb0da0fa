"""The month history page `/reports/<YYYY-MM>/history`: every counter change of the month's rows with filters (in
the URL), sort, paging and revert; it follows changes made elsewhere (state/reports/month_history.py `follow`)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.reports.history_filters import history_filters
from printer_app.components.reports.history_table import history_cards, history_table, history_zone_note
from printer_app.components.reports.row_history import revert_dialog
from printer_app.components.table import pager
from printer_app.components.url_sync import url_sync
from printer_app.state.reports.month_history import MonthHistoryState

S = MonthHistoryState


def month_problem(problem: rx.Var[str]) -> rx.Component:
    """Why nothing is shown (a malformed month, or one not found / not published) and the way back."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("calendar-x", size=16)),
        rx.callout.text(problem),
        rx.link(t("All months"), href="/reports", margin_left="auto"),
        color_scheme="amber",
        width="100%",
        id="month-problem",
        style={"alignItems": "center"},
    )


def back_link(month: rx.Var[str]) -> rx.Component:
    return rx.link(
        rx.button(rx.icon("table-2", size=16), t("Back to the table"), variant="soft"),
        href="/reports/" + month,
        id="back-to-table",
    )


def month_history_page() -> rx.Component:
    heading = rx.cond(S.month_title != "", t("Change history") + " · " + S.month_title, t("Change history"))
    return page(
        heading,
        url_sync(url=MonthHistoryState.url),
        rx.cond(
            S.problem != "",
            month_problem(S.problem),
            rx.fragment(
                history_zone_note(),
                history_filters(),
                history_table(),
                history_cards(),
                rx.cond(
                    S.loaded & (S.total == 0), rx.center(rx.text(t("No changes match these filters.")), padding="16px")
                ),
                pager(S),
                revert_dialog(),
            ),
        ),
        actions=rx.cond(S.report_month != "", back_link(S.report_month)),
    )
