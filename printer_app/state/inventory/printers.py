"""State of the printers list: filters (kept in the URL), sort, paging and the column chooser; holds only the visible
page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import N_, gettext, ngettext
from printer_app.models.choices import MatchRule, SupplyKind, TaskStatus
from printer_app.services.inventory.health import GROUPS
from printer_app.services.inventory.printer_export import FILENAME, XLSX_MIME, export_printers_bytes
from printer_app.services.inventory.printer_list import (
    NO_RULE_YET,
    SORTABLE,
    SUPPLY_KEYS,
    TONER_COLOURS,
    PrinterFilters,
    filter_options,
    filtered_ids,
    list_printers,
    rows_by_ids,
)
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.validators import row_id
from printer_app.state import view
from printer_app.state.live.hub import watch
from printer_app.state.live.pages import Apply, LivePage, register
from printer_app.state.live.state import RUN, LiveState
from printer_app.state.paged import MAX_SEARCH, PagedListMixin, SortableMixin
from printer_app.state.session import SessionState, in_thread, requires, requires_page, with_session
from printer_app.state.view import PrinterView, printer_view

ALL = "all"
COLUMNS = [
    ("organization", N_("Organization")),
    ("ip", N_("IP address")),
    ("model", N_("Model")),
    ("location", N_("Location")),
    ("serial", N_("Serial")),
    ("mac", N_("MAC")),
    ("status", N_("Status")),
    ("last_poll", N_("Last poll")),
    ("total", N_("Total")),
    ("bw_a4", N_("B/W A4")),
    ("color_a4", N_("Colour A4")),
    ("bw_a3", N_("B/W A3")),
    ("color_a3", N_("Colour A3")),
    ("supplies", N_("Toner")),
    ("lowest_supply", N_("Lowest supply")),
    ("match_rule", N_("Match rule")),
]
DEFAULT_HIDDEN = "mac,bw_a4,color_a4,bw_a3,color_a3,match_rule"
# Columns added after users stored their choice (`hidden_columns` lists the hidden ones): hidden unless the stored
# value names them "+key", so that a stored choice does not suddenly show them and widen the table.
OPT_IN = ("location",)
RUN_ID = re.compile(r"^\d{1,12}-[0-9a-f]{8}$")  # workers/coordination.py start_batch

VIEW = ("inventory.access_inventory_app", "inventory.view_printer")
EXPORT = "inventory.export_printers"
STATUSES = {s.value for s in TaskStatus} | set(GROUPS)
RULES = {r.value for r in MatchRule} | {NO_RULE_YET}
ACTIVITY = ("active", "inactive", "all")
DEFAULTS = {"sort": "ip", "page_size": 50}
SUPPLY_LEVELS = (5, 10, 15, 20, 25, 30, 50)  # the "a supply below X %" choices


class PrintersState(SortableMixin, PagedListMixin, SessionState):
    """The printers table; every change re-queries one page from the database and shows itself in the URL."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = VIEW
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(SORTABLE)
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ()
    LIST_FILTERS: ClassVar[tuple[str, ...]] = (
        "organization",
        "model",
        "match_rule",
        "status",
        "active",
        "supply_below",
        "supply",
    )

    rows: list[PrinterView] = []
    total: int = 0
    page: int = 1
    page_size: int = 50
    sort: str = "ip"
    descending: bool = False
    search: str = ""
    organization: str = ALL
    model: str = ALL
    match_rule: str = ALL
    status: str = ALL
    active: str = "active"
    supply_below: str = ALL  # or a whole number 0-100, as text (a select's value)
    supply: str = ALL
    run: str = ""  # a poll-all run: only the printers that failed in it
    loaded: bool = False  # the URL was read: from now on the URL follows the filters
    exporting: bool = False  # a printers.xlsx is being written
    english: bool = False  # the export's headers: Russian (the file contract) unless switched
    org_options: list[list[str]] = []
    model_options: list[list[str]] = []
    hidden_columns: str = rx.LocalStorage(DEFAULT_HIDDEN, name="printers_columns")

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No printers match"))

    @rx.var
    def narrowed(self) -> bool:
        """Whether a filter is set: "Poll all" then polls what the list shows."""
        chosen = (self.organization, self.model, self.match_rule, self.status, self.supply_below)
        return bool(self.search.strip() or self.run) or self.active != "active" or any(v != ALL for v in chosen)

    @rx.var
    def poll_label(self) -> str:
        """ "Poll 11 shown" with a filter set, else "Poll all 69" (plural forms of the user's language)."""
        if self.narrowed:
            return ngettext("Poll {n} shown", "Poll {n} shown", self.total)
        return ngettext("Poll all {n}", "Poll all {n}", self.total)

    @rx.var
    def supply_below_options(self) -> list[list[str]]:
        """The thresholds offered, and the one of the URL when it is another."""
        levels = sorted({*SUPPLY_LEVELS, *([int(self.supply_below)] if self.supply_below.isdigit() else [])})
        return [[str(p), f"< {p} %"] for p in levels]

    @rx.var
    def url(self) -> str:
        """The list's address with its filters, sort and page ("" until the URL was read)."""
        if not self.loaded:
            return ""
        values = {
            "q": self.search.strip(),
            "org": _opt(self.organization),
            "model": _opt(self.model),
            "rule": _opt(self.match_rule),
            "active": "" if self.active == "active" else self.active,
            "status": _opt(self.status),
            "supply_below": _opt(self.supply_below),
            "supply": _opt(self.supply) if _opt(self.supply_below) else "",
            "run": self.run,
            "sort": "" if self.sort == DEFAULTS["sort"] else self.sort,
            "desc": "1" if self.descending else "",
            "page": str(self.page) if self.page > 1 else "",
            "size": "" if self.page_size == DEFAULTS["page_size"] else str(self.page_size),
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return "/printers" + ("?" + query if query else "")

    def _filters(self, only_ids: tuple[int, ...] | None = None) -> PrinterFilters:
        below = 0 if self.supply_below == "0" else row_id(self.supply_below)
        return PrinterFilters(
            search=self.search,
            organization=_opt(self.organization),
            model=_opt(self.model),
            match_rule=_opt(self.match_rule),
            status=_opt(self.status),
            active=self.active,
            supply_below=below if below is not None and below <= 100 else None,
            supply=_opt(self.supply),
            only_ids=only_ids,
        )

    async def _run_filters(self) -> PrinterFilters:
        """The filters, with the printers that failed in the chosen poll-all run (read from the workers' record)."""
        if not self.run:
            return self._filters()
        from workers import jobs

        return self._filters(tuple(await in_thread(jobs.run_failures, self.run)))

    async def _query(self) -> None:
        result = await with_session(
            list_printers,
            filters=await self._run_filters(),
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        self.rows = [printer_view(r) for r in result.rows]
        watch.show(self.router.session.client_token, (r.id for r in self.rows))  # before any result can pass by
        self.total = result.total
        self.page = result.page

    def _read_url(self, query: Mapping[str, str]) -> None:
        """Take the filters from the URL; a value the page does not offer (hostile or stale) is left at its default."""
        self.search = query.get("q", "")[:MAX_SEARCH]
        org = query.get("org", "")
        self.organization = org if org == "none" or row_id(org) is not None else ALL
        self.model = query.get("model", "") if row_id(query.get("model", "")) is not None else ALL
        self.match_rule = query.get("rule", "") if query.get("rule") in RULES else ALL
        self.active = query.get("active", "") if query.get("active") in ACTIVITY else "active"
        status = query.get("status", "")
        self.status = "never" if status == TaskStatus.NEVER_RUN else status if status in STATUSES else ALL
        below = query.get("supply_below", "")
        self.supply_below = str(min(int(below), 100)) if below.isascii() and below.isdigit() and len(below) < 6 else ALL
        self.supply = query.get("supply", "") if query.get("supply") in SUPPLY_KEYS else ALL
        self.run = query.get("run", "") if RUN_ID.match(query.get("run", "")) else ""
        self.sort = query.get("sort", "") if query.get("sort") in SORTABLE else DEFAULTS["sort"]
        self.descending = query.get("desc") == "1"
        size = query.get("size", "")
        self.page_size = int(size) if size.isdigit() and int(size) in PAGE_SIZES else DEFAULTS["page_size"]
        page = query.get("page", "")
        self.page = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1  # clamped by the query

    @rx.event
    @requires_page(*VIEW)
    async def load(self):
        """Page load: the filters from the URL, filter options and the current page, then live updates."""
        self._read_url(self.router.url.query_parameters)
        options = await with_session(filter_options)
        self.org_options = [list(o) for o in options["organizations"]]
        self.model_options = [list(o) for o in options["models"]]
        await self._query()
        self.loaded = True
        return LiveState.listen("printers")

    @rx.event
    @requires(*VIEW)
    async def reload(self) -> None:
        """Re-query the current page after a change elsewhere (dialog save, delete)."""
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def reset_filters(self) -> None:
        """Back to the whole list of active printers in the default order (the URL then names no filter)."""
        self.search = ""
        self.organization = self.model = self.match_rule = self.status = self.supply = self.supply_below = ALL
        self.run = ""
        self.active = "active"
        self.sort, self.descending, self.page = DEFAULTS["sort"], False, 1
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def clear_run(self) -> None:
        """Leave the list of a run's failures for the whole list (with the other filters kept)."""
        self.run, self.page = "", 1
        await self._query()

    @rx.event
    def set_english(self, value: bool) -> None:
        self.english = value is True

    @rx.event
    @requires(EXPORT, *VIEW)
    async def export(self):
        """`printers.xlsx` of exactly what the filters show (every page), sorted by IP, Russian headers (English
        with the switch), dates in the app's time zone."""
        self.exporting = True
        yield
        try:
            data, _count = await with_session(
                export_printers_bytes,
                filters=await self._run_filters(),
                tz=get_settings().tz,
                english=self.english,
            )
        finally:
            self.exporting = False
        yield rx.download(data=data, filename=FILENAME, mime_type=XLSX_MIME)

    @rx.event
    @requires(RUN, *VIEW)
    async def poll_shown(self):
        """Poll what the list shows: with a filter set the server finds those printers itself (never trusting ids
        from the browser) and polls the pollable ones among them; without, every pollable printer."""
        ids = None
        if self.narrowed:
            ids = await with_session(filtered_ids, filters=await self._run_filters())
            if not ids:
                return rx.toast.warning(gettext("No printers match these filters."))
        live = await self.get_state(LiveState)
        return await live._start_poll_all(ids)

    @rx.event
    def toggle_column(self, column: str) -> None:
        hidden = [c for c in self.hidden_columns.split(",") if c]
        key = f"+{column}" if column in OPT_IN else column  # an opt-in column is listed when shown
        hidden = [c for c in hidden if c != key] if key in hidden else [*hidden, key]
        self.hidden_columns = ",".join(hidden)


def _opt(value: str) -> str:
    return "" if value == ALL else value


async def _reread_rows(printer_ids: set[int]) -> Apply | None:
    """Re-read the rows of printers whose poll finished; they replace the rows of those the tab still shows."""
    if not printer_ids:
        return None
    fresh = {r.id: printer_view(r) for r in await with_session(rows_by_ids, sorted(printer_ids))}

    async def apply(live: rx.State) -> None:
        printers = await live.get_state(PrintersState)
        if any(r.id in fresh for r in printers.rows):
            printers.rows = [fresh.get(r.id, r) for r in printers.rows]

    return apply


# On /printers only the changed rows re-render (memoised), so a tab may take an update every 0.05 s in a burst (and
# only once it acknowledged the last one: a tab that renders slower gets fewer, larger updates); only the tab's own
# printers count: in a Poll all run a few per second.
register(
    LivePage(
        name="printers",
        state=PrintersState,
        permission="inventory.view_printer",
        spacing=0.05,
        filtered=True,
        shown=lambda printers: {r.id for r in printers.rows},
        reread=_reread_rows,
    )
)

STATUS_OPTIONS = (
    [[ALL, N_("Any status")]]
    + [
        ["ok24h", N_("Polled OK in 24 h")],
        ["stale", N_("OK, but not polled for 24 h")],
        ["failing", N_("Failing")],
        ["never", N_("Never polled")],
    ]
    + [[s.value, s.label] for s in TaskStatus if s != TaskStatus.NEVER_RUN]
)
RULE_OPTIONS = [[ALL, N_("Any match rule")], [NO_RULE_YET, N_("No rule yet")]] + [[r.value, r.label] for r in MatchRule]
ACTIVE_OPTIONS = [["active", N_("Active")], ["inactive", N_("Inactive")], ["all", N_("Active and inactive")]]
SUPPLY_BELOW_OPTIONS = [[ALL, N_("Any supply level")]]
SUPPLY_OPTIONS = (
    [[ALL, N_("Any supply")]]
    + [[f"{SupplyKind.TONER.value}:{c.value}", c.label] for c in TONER_COLOURS]
    + [[k.value, k.label] for k in SupplyKind]
)
