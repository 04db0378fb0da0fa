"""State of the month table `/reports/<YYYY-MM>`: the month from the URL (published, or any with the visibility
permission), filters kept in the URL, sort, paging, column chooser, inline edit of the counters (by the rules of
services/reports/counter_edit.py, locks computed for the shown page only) and of A / D / L / W, "reset to
inventory", the two exports, and live updates when a row of the month changes anywhere.

An edit in progress survives a live re-read: `editing`, the typed text (the input is not re-mounted) and the value
the editor opened on (`edit_loaded`, what the optimistic check compares with) are kept, so a save over someone
else's change is refused with the value stored now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx
from babel.dates import format_date
from sqlmodel import Session

from printer_app import i18n
from printer_app.i18n import gettext
from printer_app.services import events
from printer_app.services.errors import NotFoundError
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.reports.counter_edit import CellState, page_cells
from printer_app.services.reports.export import XLSX_MIME, export_filename, export_month_bytes
from printer_app.services.reports.month_table import (
    DEFAULT_SORT,
    SORTABLE,
    TableFilters,
    TablePage,
    export_shown_bytes,
    filter_options,
    month_table,
)
from printer_app.services.reports.months import is_editable, month_key, parse_report_month
from printer_app.services.reports.visibility import month_control, month_visible
from printer_app.state import view
from printer_app.state.live.follow import follow
from printer_app.state.paged import MAX_SEARCH, PagedListMixin, SortableMixin
from printer_app.state.reports.access import ACCESS, UPLOAD, VISIBILITY
from printer_app.state.reports.cell_edit import CellEditMixin
from printer_app.state.reports.table_view import (
    DEFAULT_HIDDEN,
    HIDEABLE,
    RowView,
    row_view,
    totals_view,
)
from printer_app.state.session import (
    SessionState,
    requires,
    requires_page,
    with_session,
)

ALL = "all"
DEFAULT_PAGE_SIZE = 50
LIVE_WINDOW = 0.05  # seconds further changes may gather into the same re-read (an edit shows in the other tab at once)
HIDEABLE_KEYS = frozenset(name for name, _label in HIDEABLE)


def _threshold(value: str) -> float | None:
    """A K1 / K2 threshold from a filter field or the URL: a number 0..100 (comma accepted), else none."""
    text = (value or "").strip().replace(",", ".")[:12]
    try:
        number = float(text)
    except ValueError:
        return None
    return number if 0 <= number <= 100 else None


def _load(
    session: Session, month: date, *, can_manage: bool, permissions: tuple[str, ...], **query
) -> tuple[TablePage, bool, dict, dict[int, CellState]]:
    """The page of rows, whether the month is editable, the filter choices and the shown rows' counter locks for
    this user: refused for a hidden month."""
    _visible(session, month, can_manage)
    control = month_control(session, month)
    page = month_table(session, month, **query)
    cells = page_cells(session, month, [row.id for row in page.rows], permissions)
    return page, bool(control and is_editable(control.edit_until)), filter_options(session, month), cells


class MonthTableState(CellEditMixin, SortableMixin, PagedListMixin, SessionState):
    """One month's rows; every change re-reads one page and shows itself in the URL."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS,)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORTABLE
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("total_prints", "inventory_last_ok")
    LIST_FILTERS: ClassVar[tuple[str, ...]] = (
        "organization",
        "city",
        "model",
        "anomalies",
        "duplicates",
        "k1_below",
        "k2_below",
    )

    report_month: str = ""  # YYYY-MM of the shown month ("" until read, or when the URL names no month)
    month_title: str = ""
    problem: str = ""  # why no table is shown: a malformed month, or one not found / not published
    rows: list[RowView] = []
    totals: dict[str, str] = {}
    total: int = 0
    month_rows: int = 0
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = DEFAULT_SORT
    descending: bool = False
    search: str = ""
    organization: str = ALL
    city: str = ALL
    model: str = ALL
    anomalies: str = ""  # "1" = only rows with an anomaly mark
    duplicates: str = ""  # "1" = only rows of duplicate groups
    k1_below: str = ""
    k2_below: str = ""
    org_options: list[list[str]] = []
    city_options: list[list[str]] = []
    model_options: list[list[str]] = []
    editable: bool = False  # the month is open for editing (the user's permission is checked apart)
    editing: str = ""  # "<row id>:<field>" of the cell being edited
    edit_loaded: str = ""  # the stored value when the editor opened: a save is checked against it
    edit_error: str = ""  # why the typed value was refused (shown under the editor)
    tab_move: str = ""  # "next" / "back" after Tab / Shift+Tab in the editor, until its blur saves
    loaded: bool = False
    hidden_columns: str = rx.LocalStorage(DEFAULT_HIDDEN, name="report_columns")
    english: bool = False
    exporting: str = ""  # "month" / "shown" while an export runs

    @rx.var
    def active_filters(self) -> int:
        """How many filters besides the search narrow the table (the phone's "Filters" button shows it)."""
        chosen = (self.organization, self.city, self.model)
        return sum(1 for v in chosen if v != ALL) + sum(
            1 for v in (self.anomalies, self.duplicates, self.k1_below, self.k2_below) if v
        )

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No rows match"))

    @rx.var
    def can_edit(self) -> bool:
        return self.editable and UPLOAD in self.permissions

    @rx.var
    def url(self) -> str:
        """The page's address with its filters, sort and page ("" until the URL was read)."""
        if not self.loaded or not self.report_month:
            return ""
        values = {
            "q": self.search.strip(),
            "org": _opt(self.organization),
            "city": _opt(self.city),
            "model": _opt(self.model),
            "anomalies": self.anomalies,
            "duplicates": self.duplicates,
            "k1": self.k1_below if _threshold(self.k1_below) is not None else "",
            "k2": self.k2_below if _threshold(self.k2_below) is not None else "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
            "desc": "1" if self.descending else "",
            "page": str(self.page) if self.page > 1 else "",
            "size": "" if self.page_size == DEFAULT_PAGE_SIZE else str(self.page_size),
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return f"/reports/{self.report_month}" + ("?" + query if query else "")

    def _filters(self) -> TableFilters:
        return TableFilters(
            organization=_opt(self.organization),
            city=_opt(self.city),
            model=_opt(self.model),
            search=self.search,
            anomalies=self.anomalies == "1",
            duplicates=self.duplicates == "1",
            k1_below=_threshold(self.k1_below),
            k2_below=_threshold(self.k2_below),
        )

    def _asked(self) -> dict:
        return {
            "filters": self._filters(),
            "sort": self.sort,
            "descending": self.descending,
            "page": self.page,
            "page_size": self.page_size,
        }

    def _show(self, result: tuple[TablePage, bool, dict, dict[int, CellState]]) -> None:
        page, editable, options, cells = result
        self.rows = [row_view(r, cells.get(r.id)) for r in page.rows]
        self.totals = totals_view(page.totals)
        self.total, self.page, self.month_rows, self.editable = page.total, page.page, page.month_rows, editable
        self.org_options = [[o, o] for o in options["organization"]]
        self.city_options = [[o, o] for o in options["city"]]
        self.model_options = [[o, o] for o in options["equipment_model"]]

    async def _query(self) -> None:
        if not self.report_month or self.problem:
            return
        try:
            result = await with_session(
                _load,
                parse_report_month(self.report_month),
                can_manage=VISIBILITY in self.permissions,
                permissions=tuple(self.permissions),
                **self._asked(),
            )
        except NotFoundError:
            self._not_shown()
            return
        self._show(result)

    def _not_shown(self) -> None:
        self.rows, self.totals, self.total, self.month_rows = [], {}, 0, 0
        self.problem = gettext("Month {month} was not found or is not published.", month=self.report_month)

    def _read_url(self, query: Mapping[str, str]) -> None:
        """Filters from the URL; a value the page does not offer (hostile or stale) is left at its default."""
        self.search = query.get("q", "")[:MAX_SEARCH]
        self.organization = query.get("org", "")[:MAX_SEARCH] or ALL
        self.city = query.get("city", "")[:MAX_SEARCH] or ALL
        self.model = query.get("model", "")[:MAX_SEARCH] or ALL
        self.anomalies = "1" if query.get("anomalies") == "1" else ""
        self.duplicates = "1" if query.get("duplicates") == "1" else ""
        self.k1_below = query.get("k1", "")[:12] if _threshold(query.get("k1", "")) is not None else ""
        self.k2_below = query.get("k2", "")[:12] if _threshold(query.get("k2", "")) is not None else ""
        self.sort = query.get("sort", "") if query.get("sort") in SORTABLE else DEFAULT_SORT
        self.descending = query.get("desc") == "1"
        size = query.get("size", "")
        self.page_size = int(size) if size.isdigit() and int(size) in PAGE_SIZES else DEFAULT_PAGE_SIZE
        page = query.get("page", "")
        self.page = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1

    @rx.event
    @requires_page(ACCESS)
    async def load(self):
        """Page load: the month from the path, the filters from the URL, the page, then live updates."""
        self.loaded, self.editing, self.problem, self.rows = False, "", "", []
        raw = str(self.router.page.params.get("month", "") or "")
        try:
            month = parse_report_month(raw[:40])
        except ValueError as exc:
            self.report_month, self.month_title = "", raw[:40]
            self.problem = str(exc)
            return None
        self.report_month = month_key(month)
        self.month_title = format_date(month, "LLLL yyyy", locale=i18n.language()).capitalize()
        self._read_url(self.router.url.query_parameters)
        await self._query()
        self.loaded = not self.problem
        return MonthTableState.listen if self.loaded else None

    @rx.event
    @requires(ACCESS)
    async def reset_filters(self) -> None:
        self.search, self.anomalies, self.duplicates, self.k1_below, self.k2_below = "", "", "", "", ""
        self.organization = self.city = self.model = ALL
        self.sort, self.descending, self.page = DEFAULT_SORT, False, 1
        await self._query()

    @rx.event
    @requires(ACCESS)
    async def toggle_flag(self, name: str, value: bool) -> None:
        """The "anomalies only" / "duplicate groups only" switches."""
        if name in ("anomalies", "duplicates"):
            setattr(self, name, "1" if value is True else "")
            self.page = 1
            await self._query()

    @rx.event
    def toggle_column(self, column: str) -> None:
        hidden = [c for c in self.hidden_columns.split(",") if c]
        hidden = [c for c in hidden if c != column] if column in hidden else [*hidden, column]
        self.hidden_columns = ",".join(c for c in hidden if c in HIDEABLE_KEYS)

    @rx.event
    def set_english(self, value: bool) -> None:
        self.english = value is True

    @rx.event
    def cancel_edit(self) -> None:
        self.editing = ""

    @rx.event
    def edit_key(self, key: str, info: dict | None = None):
        """Escape closes the editor; Tab / Shift+Tab mark the move its blur (the browser's focus move) saves."""
        if key == "Escape":
            self.editing, self.tab_move = "", ""
        elif key == "Tab":
            self.tab_move = "back" if (info or {}).get("shift_key") else "next"

    @rx.event
    @requires(ACCESS)
    async def export(self, which: str):
        """`monthly_report_YYYY-MM.xlsx` of the whole month, or of every row the filters show in the table's order."""
        if which not in ("month", "shown") or not self.loaded:
            return
        month = parse_report_month(self.report_month)
        self.exporting = which
        yield
        try:
            shown = None
            if which == "shown":
                shown = {"filters": self._filters(), "sort": self.sort, "descending": self.descending}
            data, _count = await with_session(
                _export, month, can_manage=VISIBILITY in self.permissions, shown=shown, english=self.english
            )
        except NotFoundError:
            self._not_shown()
            return
        finally:
            self.exporting = ""
        yield rx.download(data=data, filename=export_filename(month), mime_type=XLSX_MIME)

    @rx.event(background=True)
    @requires(ACCESS)
    async def listen(self):
        """Re-read the page when a row of this month changes (any tab, any process), until the tab leaves or its
        session no longer grants the page (checked every RECHECK_SECONDS)."""
        async with self:
            wanted = self.report_month
        kept = lambda e: e[0] == events.REPORTS_CHANGED and e[1].get("month") == wanted  # noqa: E731
        async with follow(self, keep=kept, permissions=(ACCESS,), window=LIVE_WINDOW) as batches:
            async for _batch in batches:
                async with self:
                    if self.report_month != wanted:
                        return
                    asked, can_manage, perms = self._asked(), VISIBILITY in self.permissions, tuple(self.permissions)
                try:
                    result = await with_session(
                        _load, parse_report_month(wanted), can_manage=can_manage, permissions=perms, **asked
                    )
                except NotFoundError:
                    async with self:
                        self._not_shown()
                    return
                async with self:  # applied only if the tab asked for nothing else meanwhile
                    if asked == self._asked() and self.report_month == wanted:
                        self._show(result)


def _visible(session: Session, month: date, can_manage: bool) -> None:
    """NotFoundError for a month this user may not see (absent, or unpublished without the permission)."""
    if not month_visible(session, month, can_manage=can_manage):
        raise NotFoundError(month_key(month))


def _export(session: Session, month: date, *, can_manage: bool, shown: dict | None, english: bool):
    """The whole month's workbook, or (`shown`: the filters and sort) that of the rows the table shows."""
    _visible(session, month, can_manage)
    if shown is None:
        return export_month_bytes(session, month, english=english)
    return export_shown_bytes(session, month, english=english, **shown)


def _opt(value: str) -> str:
    return "" if value == ALL else value
