"""State of /supplies: the fleet's supplies (filters kept in the URL, sort, paging), "What to order" within N days,
the export, the cartridge request for the chosen rows, and live updates when the forecasts of shown printers change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import N_, gettext, ngettext
from printer_app.models.choices import SupplyColor, SupplyKind
from printer_app.services import events
from printer_app.services.contracts.request_email import MIME_TYPE, RequestRefused
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.supplies.export import FILENAME, XLSX_MIME, export_supplies
from printer_app.services.supplies.fleet import MAX_DAYS, SORTABLE, SupplyFilters, filter_options, list_supplies
from printer_app.services.supplies.ordering import DEFAULT_DAYS, parse_days, what_to_order
from printer_app.services.supplies.request import MAX_PRINTERS, request_for_printers
from printer_app.services.validators import row_id
from printer_app.state import view
from printer_app.state.live.follow import follow
from printer_app.state.paged import MAX_SEARCH, PagedListMixin, SortableMixin
from printer_app.state.session import (
    SessionState,
    requires,
    requires_page,
    with_session,
)
from printer_app.state.supplies.views import OrderLineView, SupplyRowView, order_line_view, supply_row_view

ALL = "all"
VIEW = ("inventory.access_inventory_app", "inventory.view_printer")
EXPORT = "inventory.export_printers"
REQUEST = ("contracts.access_contracts_app", "contracts.view_contractdevice")
DEFAULTS = {"sort": "days", "page_size": 50}
TABS = ("supplies", "order")
LEVELS = (5, 10, 20, 30, 50)  # "level below X %" choices
WITHIN = (3, 7, 14, 30, 60)  # "empty within N days" choices
LIVE_WINDOW = 0.3
KIND_OPTIONS = [[ALL, N_("Any kind")]] + [[k.value, k.label] for k in SupplyKind]
COLOR_OPTIONS = [[ALL, N_("Any colour")]] + [[c.value, c.label] for c in SupplyColor]


def _whole(value: str, top: int) -> str:
    """A whole number 0..top as text, or ALL."""
    ok = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 6 and int(value) <= top
    return str(int(value)) if ok else ALL


class SuppliesState(SortableMixin, PagedListMixin, SessionState):
    """One page of the fleet's supplies; every change re-queries the database and shows itself in the URL."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = VIEW
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(SORTABLE)
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("pages_last", "pages_avg", "seen")
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("organization", "kind", "color", "level_below", "empty_within")

    rows: list[SupplyRowView] = []
    total: int = 0
    page: int = 1
    page_size: int = 50
    sort: str = "days"
    descending: bool = False
    search: str = ""
    organization: str = ALL
    kind: str = ALL
    color: str = ALL
    level_below: str = ALL
    empty_within: str = ALL
    tab: str = "supplies"
    order_days: str = str(DEFAULT_DAYS)
    order_lines: list[OrderLineView] = []
    selected: list[int] = []  # supply rows chosen for a cartridge request
    loaded: bool = False
    exporting: bool = False
    org_options: list[list[str]] = []

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No supplies match"))

    @rx.var
    def active_filters(self) -> int:
        return sum(
            1 for v in (self.organization, self.kind, self.color, self.level_below, self.empty_within) if v != ALL
        )

    @rx.var
    def order_total(self) -> int:
        return sum(line.count for line in self.order_lines)

    @rx.var
    def request_label(self) -> str:
        return ngettext("Request cartridges ({n})", "Request cartridges ({n})", len(self.selected))

    @rx.var
    def level_options(self) -> list[list[str]]:
        levels = sorted({*LEVELS, *([int(self.level_below)] if self.level_below != ALL else [])})
        return [[str(p), f"< {p} %"] for p in levels]

    @rx.var
    def within_options(self) -> list[list[str]]:
        days = sorted({*WITHIN, *([int(self.empty_within)] if self.empty_within != ALL else [])})
        return [[str(d), ngettext("Empty within {n} day", "Empty within {n} days", d)] for d in days]

    @rx.var
    def url(self) -> str:
        """The page's address with its filters, tab, sort and page ("" until the URL was read)."""
        if not self.loaded:
            return ""
        values = {
            "tab": "" if self.tab == "supplies" else self.tab,
            "q": self.search.strip(),
            "org": _opt(self.organization),
            "kind": _opt(self.kind),
            "color": _opt(self.color),
            "below": _opt(self.level_below),
            "within": _opt(self.empty_within),
            "days": "" if self.order_days == str(DEFAULT_DAYS) else self.order_days,
            "sort": "" if self.sort == DEFAULTS["sort"] else self.sort,
            "desc": "1" if self.descending else "",
            "page": str(self.page) if self.page > 1 else "",
            "size": "" if self.page_size == DEFAULTS["page_size"] else str(self.page_size),
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return "/supplies" + ("?" + query if query else "")

    def _filters(self) -> SupplyFilters:
        below, within = _opt(self.level_below), _opt(self.empty_within)
        return SupplyFilters(
            search=self.search,
            organization=_opt(self.organization),
            kind=_opt(self.kind),
            color=_opt(self.color),
            level_below=int(below) if below else None,
            empty_within=int(within) if within else None,
        )

    def _asked(self) -> tuple:
        return (self._filters(), self.sort, self.descending, self.page, self.page_size, self.tab, self.order_days)

    async def _query(self) -> None:
        self._apply(*await _read(*self._asked()))

    def _apply(self, page, lines) -> None:
        if page is not None:
            self.rows = [supply_row_view(r) for r in page.rows]
            self.total, self.page = page.total, page.page
        if lines is not None:
            self.order_lines = [order_line_view(line, i) for i, line in enumerate(lines)]

    def _read_url(self, query: Mapping[str, str]) -> None:
        """Take the filters from the URL; a value the page does not offer (hostile or stale) is left at its default."""
        self.tab = query.get("tab", "") if query.get("tab") in TABS else "supplies"
        self.search = query.get("q", "")[:MAX_SEARCH]
        org = query.get("org", "")
        self.organization = org if org == "none" or row_id(org) is not None else ALL
        self.kind = query.get("kind", "") if query.get("kind") in {k.value for k in SupplyKind} else ALL
        self.color = query.get("color", "") if query.get("color") in {c.value for c in SupplyColor} else ALL
        self.level_below = _whole(query.get("below", ""), 100)
        self.empty_within = _whole(query.get("within", ""), MAX_DAYS)
        self.order_days = str(parse_days(query.get("days", "")))
        self.sort = query.get("sort", "") if query.get("sort") in SORTABLE else DEFAULTS["sort"]
        self.descending = query.get("desc") == "1"
        size = query.get("size", "")
        self.page_size = int(size) if size.isdigit() and int(size) in PAGE_SIZES else DEFAULTS["page_size"]
        page = query.get("page", "")
        self.page = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1

    @rx.event
    @requires_page(*VIEW)
    async def load(self):
        """Page load: the filters from the URL, the organizations and the current page, then live updates."""
        self._read_url(self.router.url.query_parameters)
        self.org_options = [list(o) for o in (await with_session(filter_options))["organizations"]]
        self.selected = []
        await self._query()
        self.loaded = True
        return SuppliesState.listen

    @rx.event
    @requires(*VIEW)
    async def set_tab(self, value: str):
        if value not in TABS:
            return rx.toast.error(view.not_a_choice(value))
        self.tab = value
        await self._query()
        return None

    @rx.event
    @requires(*VIEW)
    async def set_order_days(self, value: str) -> None:
        """The horizon of "What to order" (1..MAX_DAYS days; anything else: the default)."""
        self.order_days = str(parse_days(value))
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def reset_filters(self) -> None:
        self.search = ""
        self.organization = self.kind = self.color = self.level_below = self.empty_within = ALL
        self.sort, self.descending, self.page = DEFAULTS["sort"], False, 1
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def toggle_selected(self, supply_id: int):
        if not isinstance(supply_id, int) or isinstance(supply_id, bool):
            return None
        if supply_id in self.selected:
            self.selected = [i for i in self.selected if i != supply_id]
        elif len(self.selected) >= MAX_PRINTERS:
            return rx.toast.warning(gettext("At most {n} printers in one request", n=MAX_PRINTERS))
        else:
            self.selected = [*self.selected, supply_id]
        return None

    @rx.event
    def clear_selected(self) -> None:
        self.selected = []

    @rx.event
    @requires(*REQUEST, *VIEW)
    async def request_selected(self):
        """One cartridge request e-mail for the printers of the chosen rows, naming the cartridges of those rows (read
        again on the server: the browser sends nothing but the choice)."""
        try:
            name, data = await with_session(_request, user_id=self._user_id, ids=tuple(self.selected))
        except RequestRefused as refused:
            return rx.toast.error(refused.message)
        return rx.download(data=data, filename=name, mime_type=MIME_TYPE)

    @rx.event
    @requires(EXPORT, *VIEW)
    async def export(self):
        """`supplies.xlsx`: the supplies the filters show (every page, in the list's order) and what to order."""
        self.exporting = True
        yield
        try:
            data, _count = await with_session(
                export_supplies,
                filters=self._filters(),
                sort=self.sort,
                descending=self.descending,
                days=parse_days(self.order_days),
                tz=get_settings().tz,
                lang=self.language,
            )
        finally:
            self.exporting = False
        yield rx.download(data=data, filename=FILENAME, mime_type=XLSX_MIME)

    @rx.event(background=True)
    @requires(*VIEW)
    async def listen(self):
        """Re-read the page when the forecasts of a shown printer change (SUPPLIES_CHANGED from any process), "What to
        order" on any change; until the tab leaves or its session no longer grants the page."""
        kept = lambda event: event[0] == events.SUPPLIES_CHANGED  # noqa: E731
        async with follow(self, keep=kept, permissions=VIEW, window=LIVE_WINDOW) as batches:
            async for batch in batches:
                changed = {i for _kind, p in batch for i in p.get("printer_ids") or () if isinstance(i, int)}
                async with self:
                    shown = {r.printer_id for r in self.rows}
                    asked = self._asked()
                if asked[5] != "order" and not changed & shown:
                    continue
                result = await _read(*asked)
                async with self:  # applied only if the tab asked for nothing else meanwhile
                    if asked == self._asked():
                        self._apply(*result)


async def _read(filters, sort, descending, page, page_size, tab, order_days):
    """The rows of the tab shown: (supplies page or None, order lines or None)."""
    if tab == "order":
        return None, await with_session(what_to_order, filters=filters, days=parse_days(order_days))
    result = await with_session(
        list_supplies, filters=filters, sort=sort, descending=descending, page=page, page_size=page_size
    )
    return result, None


def _request(session, *, user_id: int | None, ids: tuple[int, ...]):
    rows = list_supplies(session, filters=SupplyFilters(ids=ids), page_size=200).rows
    cartridges: dict[int, list[str]] = {}
    for row in rows:
        if row.cartridge or row.part_number:
            text = row.cartridge + (f" ({row.part_number})" if row.part_number else "")
            cartridges.setdefault(row.printer_id, []).append(text.strip())
    printer_ids = list(dict.fromkeys(r.printer_id for r in rows))
    texts = {pid: ", ".join(dict.fromkeys(parts)) for pid, parts in cartridges.items()}
    return request_for_printers(session, user_id=user_id, printer_ids=printer_ids, cartridges=texts)


def _opt(value: str) -> str:
    return "" if value == ALL else value
