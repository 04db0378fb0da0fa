"""State of `/reports/<YYYY-MM>/history`: every counter change of the month's rows, filtered (user, source, field,
dates, serial / organization search; all kept in the URL), sorted and paged on the server. Needs
`view_change_history` and the month's visibility (an unpublished month needs `can_manage_month_visibility`).
Reverting from here goes through RowHistoryState's confirmation; the page re-reads when the month changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx
from babel.dates import format_date
from sqlmodel import Session

from printer_app import i18n
from printer_app.i18n import gettext, parse_date
from printer_app.models.choices import ChangeSource
from printer_app.services.errors import NotFoundError
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.reports.columns import COUNTER_FIELDS
from printer_app.services.reports.history import SORTS, HistoryFilters, HistoryPage, history_page, history_users
from printer_app.services.reports.months import is_editable, month_key, parse_report_month
from printer_app.services.reports.visibility import month_control, month_visible
from printer_app.state import view
from printer_app.state.paged import MAX_SEARCH, PagedListMixin, SortableMixin
from printer_app.state.reports.access import ACCESS, EDIT_END, HISTORY, VISIBILITY
from printer_app.state.reports.row_history import EntryView, entry_view, follow_month
from printer_app.state.session import SessionState, requires, requires_page, with_session

ALL = "all"
DEFAULT_PAGE_SIZE = 50
DATES = ("date_from", "date_to")


def typed_date(value: str) -> date | None:
    """A date filter as typed (05.12.2026 or 2026-12-05); None when empty or not (yet) a whole date."""
    try:
        return parse_date(value[:20])
    except ValueError:
        return None


def _load(session: Session, month: date, *, can_manage: bool, **query) -> tuple[HistoryPage, bool, list]:
    """The page of entries, whether the month is editable, the user filter's choices; refused for a hidden month."""
    if not month_visible(session, month, can_manage=can_manage):
        raise NotFoundError(month_key(month))
    control = month_control(session, month)
    return (
        history_page(session, month, **query),
        bool(control and is_editable(control.edit_until)),
        history_users(session, month),
    )


class MonthHistoryState(SortableMixin, PagedListMixin, SessionState):
    """One month's counter change history; every change re-reads one page and shows itself in the URL."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS, HISTORY)
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("user", "source", "field")
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORTS
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("time",)

    report_month: str = ""
    month_title: str = ""
    problem: str = ""
    rows: list[EntryView] = []
    total: int = 0
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = "time"
    descending: bool = True
    search: str = ""
    user: str = ALL
    source: str = ALL
    field: str = ALL
    date_from: str = ""
    date_to: str = ""
    user_options: list[list[str]] = []
    editable: bool = False
    loaded: bool = False

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No changes match"))

    @rx.var
    def can_revert(self) -> bool:
        return self.editable and EDIT_END in self.permissions

    @rx.var
    def active_filters(self) -> int:
        chosen = sum(1 for v in (self.user, self.source, self.field) if v != ALL)
        return chosen + sum(1 for v in (self.date_from, self.date_to) if typed_date(v))

    @rx.var
    def date_from_invalid(self) -> bool:
        return self.date_from.strip() != "" and typed_date(self.date_from) is None

    @rx.var
    def date_to_invalid(self) -> bool:
        return self.date_to.strip() != "" and typed_date(self.date_to) is None

    @rx.var
    def url(self) -> str:
        """The page's address with its filters, sort and page ("" until the URL was read)."""
        if not self.loaded or not self.report_month:
            return ""
        dates = {name: getattr(self, name) for name in DATES if typed_date(getattr(self, name))}
        values = {
            "q": self.search.strip(),
            "user": _opt(self.user),
            "source": _opt(self.source),
            "field": _opt(self.field),
            "from": typed_date(dates["date_from"]).isoformat() if "date_from" in dates else "",
            "to": typed_date(dates["date_to"]).isoformat() if "date_to" in dates else "",
            "sort": "" if self.sort == "time" else self.sort,
            "asc": "1" if not self.descending else "",
            "page": str(self.page) if self.page > 1 else "",
            "size": "" if self.page_size == DEFAULT_PAGE_SIZE else str(self.page_size),
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return f"/reports/{self.report_month}/history" + ("?" + query if query else "")

    def _asked(self) -> dict:
        filters = HistoryFilters(
            user=_opt(self.user),
            source=_opt(self.source),
            field=_opt(self.field),
            date_from=typed_date(self.date_from),
            date_to=typed_date(self.date_to),
            search=self.search,
        )
        return {
            "filters": filters,
            "sort": self.sort,
            "descending": self.descending,
            "page": self.page,
            "page_size": self.page_size,
        }

    async def _query(self) -> None:
        if not self.report_month or self.problem:
            return
        try:
            page, editable, users = await with_session(
                _load,
                parse_report_month(self.report_month),
                can_manage=VISIBILITY in self.permissions,
                **self._asked(),
            )
        except NotFoundError:
            self.rows, self.total = [], 0
            self.problem = gettext("Month {month} was not found or is not published.", month=self.report_month)
            return
        self.rows = [self._linked(entry_view(e)) for e in page.rows]
        self.total, self.page, self.editable = page.total, page.page, editable
        self.user_options = [[value, name] for value, name in users]

    def _linked(self, entry: EntryView) -> EntryView:
        """The entry with the address of its row in the month table (found there by its serial)."""
        entry.link = f"/reports/{self.report_month}" + (f"?{urlencode({'q': entry.serial})}" if entry.serial else "")
        return entry

    def _read_url(self, query: Mapping[str, str]) -> None:
        """Filters from the URL; a value the page does not offer (hostile or stale) is left at its default."""
        self.search = query.get("q", "")[:MAX_SEARCH]
        user = query.get("user", "")
        self.user = user if user == "system" or (user.isascii() and user.isdigit() and len(user) < 10) else ALL
        self.source = query.get("source", "") if query.get("source") in set(ChangeSource) else ALL
        self.field = query.get("field", "") if query.get("field") in COUNTER_FIELDS else ALL
        self.date_from = query.get("from", "")[:20] if typed_date(query.get("from", "")) else ""
        self.date_to = query.get("to", "")[:20] if typed_date(query.get("to", "")) else ""
        self.sort = query.get("sort", "") if query.get("sort") in SORTS else "time"
        self.descending = query.get("asc") != "1"
        size = query.get("size", "")
        self.page_size = int(size) if size.isdigit() and int(size) in PAGE_SIZES else DEFAULT_PAGE_SIZE
        page = query.get("page", "")
        self.page = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1

    @rx.event
    @requires_page(ACCESS, HISTORY)
    async def load(self):
        """Page load: the month from the path, the filters from the URL, the page, then live updates."""
        self.loaded, self.problem, self.rows = False, "", []
        raw = str(self.router.page.params.get("month", "") or "")[:40]
        try:
            month = parse_report_month(raw)
        except ValueError as exc:
            self.report_month, self.month_title, self.problem = "", raw, str(exc)
            return None
        self.report_month = month_key(month)
        self.month_title = format_date(month, "LLLL yyyy", locale=i18n.language()).capitalize()
        self._read_url(self.router.url.query_parameters)
        await self._query()
        self.loaded = not self.problem
        return MonthHistoryState.follow if self.loaded else None

    @rx.event
    @requires(ACCESS, HISTORY)
    async def set_date(self, name: str, value: str):
        """A date filter as typed: it filters once it is a whole date (or empty)."""
        if name not in DATES or not isinstance(value, str) or len(value) > 20:
            return rx.toast.error(gettext("That is not one of the filter's choices."))
        before = typed_date(getattr(self, name))
        setattr(self, name, value)
        if typed_date(value) != before:
            self.page = 1
            await self._query()
        return None

    @rx.event
    @requires(ACCESS, HISTORY)
    async def reset_filters(self) -> None:
        self.search, self.date_from, self.date_to, self.page = "", "", "", 1
        self.user = self.source = self.field = ALL
        self.sort, self.descending = "time", True
        await self._query()

    @rx.event(background=True)
    @requires(ACCESS, HISTORY)
    async def follow(self):
        """Re-read the page when a row of this month changes anywhere (an edit, a revert, a sync, an upload)."""
        async with self:
            month = self.report_month

        await follow_month(
            self,
            month=month,
            affects=lambda _payload: True,
            still=lambda: self.report_month == month,
            reread=self._query,
        )


def _opt(value: str) -> str:
    return "" if value == ALL else value
