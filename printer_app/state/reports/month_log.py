"""State of `/reports/<YYYY-MM>/log`: the month's bulk operations (uploads, syncs, bulk edits, deletions) with
sort, an operation filter (also from the URL: `?op=excel_upload`) and paging on the server. Needs
`view_change_history`; an unpublished month's log needs `can_manage_month_visibility`, a deleted month's log stays
readable (services/reports/bulk_log.py `log_visible`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import reflex as rx
from babel.dates import format_date
from sqlmodel import Session

from printer_app import i18n
from printer_app.i18n import gettext
from printer_app.models.choices import BulkOperation
from printer_app.services.errors import NotFoundError
from printer_app.services.reports.bulk_log import SORTS, LogEntry, LogPage, log_page, log_visible
from printer_app.services.reports.months import month_key, parse_report_month
from printer_app.state import view
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.reports.access import ACCESS, HISTORY, VISIBILITY
from printer_app.state.session import SessionState, requires_page, with_session

ALL = "all"
DEFAULT_PAGE_SIZE = 25


@dataclass
class LogView:
    id: int = 0
    operation: str = ""
    operation_label: str = ""
    user: str = ""
    started: str = ""
    finished: str = ""
    duration: str = ""
    success: bool = True
    error: str = ""
    records: str = ""
    fields: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    ip: str = ""


def log_view(entry: LogEntry) -> LogView:
    return LogView(
        id=entry.id,
        operation=entry.operation,
        operation_label=entry.operation_label,
        user=entry.user,
        started=view.local_time(entry.started),
        finished=view.local_time(entry.finished) if entry.finished else "",
        duration=entry.duration,
        success=entry.success,
        error=entry.error,
        records=i18n.format_number(entry.records),
        fields=entry.fields,
        params=entry.params,
        ip=entry.ip,
    )


def _load(session: Session, month: date, *, can_manage: bool, **query) -> LogPage:
    if not log_visible(session, month, can_manage=can_manage):
        raise NotFoundError(month_key(month))
    return log_page(session, month, **query)


class MonthLogState(SortableMixin, PagedListMixin, SessionState):
    """One month's bulk operation log."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS, HISTORY)
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("operation",)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORTS
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("started", "records")

    report_month: str = ""
    month_title: str = ""
    problem: str = ""
    rows: list[LogView] = []
    total: int = 0
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = "started"
    descending: bool = True
    search: str = ""  # the paged-list contract; this log has no search box
    operation: str = ALL

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No operations match"))

    async def _query(self) -> None:
        if not self.report_month or self.problem:
            return
        try:
            page = await with_session(
                _load,
                parse_report_month(self.report_month),
                can_manage=VISIBILITY in self.permissions,
                operation="" if self.operation == ALL else self.operation,
                sort=self.sort,
                descending=self.descending,
                page=self.page,
                page_size=self.page_size,
            )
        except NotFoundError:
            self.rows, self.total = [], 0
            self.problem = gettext("Month {month} was not found or is not published.", month=self.report_month)
            return
        self.rows = [log_view(e) for e in page.rows]
        self.total, self.page = page.total, page.page

    @rx.event
    @requires_page(ACCESS, HISTORY)
    async def load(self) -> None:
        self.problem, self.rows, self.page = "", [], 1
        raw = str(self.router.page.params.get("month", "") or "")[:40]
        try:
            month = parse_report_month(raw)
        except ValueError as exc:
            self.report_month, self.month_title, self.problem = "", raw, str(exc)
            return
        self.report_month = month_key(month)
        self.month_title = format_date(month, "LLLL yyyy", locale=i18n.language()).capitalize()
        wanted = self.router.url.query_parameters.get("op", "")
        self.operation = wanted if wanted in set(BulkOperation) else ALL
        await self._query()
