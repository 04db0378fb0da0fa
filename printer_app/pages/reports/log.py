"""The month's bulk operation log `/reports/<YYYY-MM>/log`: uploads, syncs, bulk edits and deletions, with an
operation filter, sort and paging (state/reports/month_log.py)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.reports.history_log import log_cards, log_table, operation_filter
from printer_app.components.table import pager
from printer_app.pages.reports.history import back_link, month_problem
from printer_app.state.reports.month_log import MonthLogState

S = MonthLogState


def month_log_page() -> rx.Component:
    heading = rx.cond(S.month_title != "", t("Operations log") + " · " + S.month_title, t("Operations log"))
    return page(
        heading,
        rx.cond(
            S.problem != "",
            month_problem(S.problem),
            rx.fragment(
                rx.hstack(operation_filter(), width="100%"),
                log_table(),
                log_cards(),
                rx.cond(
                    S.total == 0, rx.center(rx.text(t("No operations were logged for this month.")), padding="16px")
                ),
                pager(S),
            ),
        ),
        actions=rx.cond(S.report_month != "", back_link(S.report_month)),
    )
