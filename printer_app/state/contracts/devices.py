"""State of the contract devices list: filters (kept in the URL), sort, paging, column chooser, inline status,
export, "Link now", and live updates (a saved device, a linking run, a poll of a shown device's printer)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from printer_app.i18n import N_, format_number, gettext
from printer_app.services import events
from printer_app.services.contracts.device_list import (
    LINKED,
    NONE,
    SORTABLE,
    UNLINKED,
    DeviceFilters,
    filter_options,
    list_devices,
)
from printer_app.services.contracts.device_store import set_device_status
from printer_app.services.contracts.devices import autolink_devices
from printer_app.services.contracts.export import FILENAME, XLSX_MIME, export_bytes
from printer_app.services.contracts.months import parse_month
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.validators import row_id
from printer_app.state import view
from printer_app.state.contracts.device_views import DeviceView, device_view, text_on
from printer_app.state.live.follow import follow
from printer_app.state.paged import MAX_SEARCH, PagedListMixin, SortableMixin
from printer_app.state.session import (
    SessionState,
    requires,
    requires_page,
    with_session,
)
from printer_app.state.view import refusal_text

ALL = "all"
VIEW = ("contracts.access_contracts_app", "contracts.view_contractdevice")
CHANGE = "contracts.change_contractdevice"
EXPORT = "contracts.export_contracts"
COLUMNS = [
    ("organization", N_("Organization")),
    ("city", N_("City")),
    ("address", N_("Address")),
    ("room", N_("Room")),
    ("manufacturer", N_("Manufacturer")),
    ("model", N_("Model")),
    ("serial", N_("Serial number")),
    ("status", N_("Status")),
    ("provider", N_("Service provider")),
    ("service_month", N_("Service month")),
    ("printer", N_("Printer")),
    ("total", N_("Total")),
    ("lowest_toner", N_("Lowest toner")),
    ("comment", N_("Comment")),
]
COLUMN_KEYS = frozenset(key for key, _label in COLUMNS)
DEFAULT_HIDDEN = "room,manufacturer,provider,comment"
DEFAULTS = {"sort": "organization", "page_size": 50}
ID_FILTERS = {"org": "organization", "city": "city", "maker": "manufacturer", "model": "model"}
NONE_FILTERS = {"status": "status", "provider": "provider"}
LIVE_KINDS = {events.CONTRACTS_CHANGED, events.INVENTORY_UPDATE}
LIVE_WINDOW = 0.3  # seconds the events after a first one may gather into one re-read of the page
LINKED_OPTIONS = [[ALL, N_("Linked or not")], [LINKED, N_("Linked to a printer")], [UNLINKED, N_("Not linked")]]


def _month(value: str):
    """A month filter's value (YYYY-MM from the month input, or MM.YYYY typed); None when it is none."""
    try:
        return parse_month(value) if value and value != ALL else None
    except ValueError:
        return None


class DevicesState(SortableMixin, PagedListMixin, SessionState):
    """The devices table; every change re-queries one page from the database and shows itself in the URL."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = VIEW
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(SORTABLE)
    LIST_FILTERS: ClassVar[tuple[str, ...]] = (
        "organization",
        "city",
        "manufacturer",
        "model",
        "status",
        "provider",
        "linked",
        "month_from",
        "month_to",
    )

    rows: list[DeviceView] = []
    total: int = 0
    page: int = 1
    page_size: int = 50
    sort: str = "organization"
    descending: bool = False
    search: str = ""
    organization: str = ALL
    city: str = ALL
    manufacturer: str = ALL
    model: str = ALL
    status: str = ALL
    provider: str = ALL
    linked: str = ALL
    month_from: str = ""  # YYYY-MM
    month_to: str = ""
    loaded: bool = False  # the URL was read: from now on the URL follows the filters
    org_options: list[list[str]] = []
    city_options: list[list[str]] = []
    maker_options: list[list[str]] = []
    model_options: list[list[str]] = []
    status_options: list[list[str]] = []
    provider_options: list[list[str]] = []
    hidden_columns: str = rx.LocalStorage(DEFAULT_HIDDEN, name="contracts_columns")
    english: bool = False  # the export's headers
    exporting: bool = False
    linking: bool = False
    link_result: str = ""  # the last "Link now" run's figures, shown until closed

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No devices match"))

    @rx.var
    def active_filters(self) -> int:
        """How many filters besides the search narrow the list (the phone's "Filters" button shows it)."""
        chosen = [getattr(self, name) for name in (*ID_FILTERS.values(), *NONE_FILTERS.values(), "linked")]
        return sum(1 for value in chosen if value != ALL) + sum(1 for m in (self.month_from, self.month_to) if m)

    @rx.var
    def models_shown(self) -> list[list[str]]:
        """The model filter's choices: those of the chosen manufacturer, or all."""
        maker = _opt(self.manufacturer)
        return [m for m in self.model_options if not maker or m[2] == maker]

    @rx.var
    def url(self) -> str:
        """The list's address with its filters, sort and page ("" until the URL was read)."""
        if not self.loaded:
            return ""
        values = {
            "q": self.search.strip(),
            **{key: _opt(getattr(self, name)) for key, name in {**ID_FILTERS, **NONE_FILTERS}.items()},
            "linked": _opt(self.linked),
            "from": self.month_from if _month(self.month_from) else "",
            "to": self.month_to if _month(self.month_to) else "",
            "sort": "" if self.sort == DEFAULTS["sort"] else self.sort,
            "desc": "1" if self.descending else "",
            "page": str(self.page) if self.page > 1 else "",
            "size": "" if self.page_size == DEFAULTS["page_size"] else str(self.page_size),
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return "/contracts" + ("?" + query if query else "")

    def _filters(self) -> DeviceFilters:
        return DeviceFilters(
            search=self.search,
            organization=_opt(self.organization),
            city=_opt(self.city),
            manufacturer=_opt(self.manufacturer),
            model=_opt(self.model),
            status=_opt(self.status),
            provider=_opt(self.provider),
            linked=_opt(self.linked),
            month_from=_month(self.month_from),
            month_to=_month(self.month_to),
        )

    async def _query(self) -> None:
        result = await with_session(
            list_devices,
            filters=self._filters(),
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        self.rows = [device_view(r) for r in result.rows]
        self.total = result.total
        self.page = result.page

    def _read_url(self, query: Mapping[str, str]) -> None:
        """Take the filters from the URL; a value the page does not offer (hostile or stale) is left at its default."""
        self.search = query.get("q", "")[:MAX_SEARCH]
        for key, name in ID_FILTERS.items():
            setattr(self, name, query.get(key, "") if row_id(query.get(key, "")) is not None else ALL)
        for key, name in NONE_FILTERS.items():
            value = query.get(key, "")
            setattr(self, name, value if value == NONE or row_id(value) is not None else ALL)
        self.linked = query.get("linked", "") if query.get("linked") in (LINKED, UNLINKED) else ALL
        self.month_from = _month_text(query.get("from", ""))
        self.month_to = _month_text(query.get("to", ""))
        self.sort = query.get("sort", "") if query.get("sort") in SORTABLE else DEFAULTS["sort"]
        self.descending = query.get("desc") == "1"
        size = query.get("size", "")
        self.page_size = int(size) if size.isdigit() and int(size) in PAGE_SIZES else DEFAULTS["page_size"]
        page = query.get("page", "")
        self.page = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1  # clamped by the query

    async def _load_options(self) -> None:
        options = await with_session(filter_options)
        makers = dict(options["model_makers"])
        colours = dict(options["status_colors"])
        self.org_options = [list(o) for o in options["organizations"]]
        self.city_options = [list(o) for o in options["cities"]]
        self.maker_options = [list(o) for o in options["manufacturers"]]
        self.model_options = [[i, name, makers.get(i, "")] for i, name in options["models"]]
        self.status_options = [
            [i, name, colours.get(i, ""), text_on(colours.get(i, ""))] for i, name in options["statuses"]
        ]
        self.provider_options = [list(o) for o in options["providers"]]

    @rx.event
    @requires_page(*VIEW)
    async def load(self):
        """Page load: the filters from the URL, the choices and the current page, then live updates."""
        self._read_url(self.router.url.query_parameters)
        await self._load_options()
        await self._query()
        self.loaded = True
        return DevicesState.listen

    @rx.event
    @requires(*VIEW)
    async def reload(self) -> None:
        """Re-read the choices and the current page after a change made in this tab (a dialog's save, a delete)."""
        await self._load_options()
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def reset_filters(self) -> None:
        """Back to every device in the default order (the URL then names no filter)."""
        self.search = self.month_from = self.month_to = ""
        for name in ("organization", "city", "manufacturer", "model", "status", "provider", "linked"):
            setattr(self, name, ALL)
        self.sort, self.descending, self.page = DEFAULTS["sort"], False, 1
        await self._query()

    @rx.event
    def toggle_column(self, column: str) -> None:
        hidden = [c for c in self.hidden_columns.split(",") if c]
        hidden = [c for c in hidden if c != column] if column in hidden else [*hidden, column]
        self.hidden_columns = ",".join(c for c in hidden if c in COLUMN_KEYS)

    @rx.event
    def set_english(self, value: bool) -> None:
        self.english = bool(value)

    @rx.event
    def dismiss_link_result(self) -> None:
        self.link_result = ""

    @rx.event
    @requires(CHANGE)
    async def set_status(self, device_id: int, status: str):
        """The status select of a row: stored at once, logged, announced to the other tabs."""
        try:
            await with_session(
                set_device_status, device_id=device_id, status="" if status == NONE else status, actor=self._actor()
            )
        except (DomainValidationError, NotFoundError) as exc:
            await self._query()
            return rx.toast.error(refusal_text(exc) if isinstance(exc, DomainValidationError) else str(exc))
        await self._query()
        return None

    @rx.event
    @requires(EXPORT, *VIEW)
    async def export(self):
        """`contracts.xlsx` of exactly what the filters show, in the list's order."""
        self.exporting = True
        yield
        try:
            data, _count = await with_session(
                export_bytes, filters=self._filters(), sort=self.sort, descending=self.descending, english=self.english
            )
        finally:
            self.exporting = False
        yield rx.download(data=data, filename=FILENAME, mime_type=XLSX_MIME)

    @rx.event
    @requires(CHANGE, *VIEW)
    async def link_now(self):
        """Link every unlinked device with a serial to a polled printer (the daily batch, run by hand)."""
        self.linking = True
        yield
        try:
            stats = await with_session(autolink_devices)
        finally:
            self.linking = False
        self.link_result = gettext(
            "Linking: {linked} of {total} devices linked, {not_found} without a printer of that serial, "
            "{multiple} with several printers, {conflicts} whose printer is linked to another device",
            linked=format_number(stats.get("linked", 0)),
            total=format_number(stats.get("total", 0)),
            not_found=format_number(stats.get("not_found", 0)),
            multiple=format_number(stats.get("multiple_found", 0)),
            conflicts=format_number(stats.get("conflicts", 0)),
        )
        await self._query()
        yield rx.toast.success(self.link_result)

    @rx.event(background=True)
    @requires(*VIEW)
    async def listen(self):
        """Re-read the page when a device changes (a save, a link run, an import: any tab, any process) or a poll
        of a shown device's printer finishes; until the tab navigates away or closes (the task is cancelled then),
        or its session no longer grants the page (checked every RECHECK_SECONDS)."""
        kept = lambda event: event[0] in LIVE_KINDS  # noqa: E731
        async with follow(self, keep=kept, permissions=VIEW, window=LIVE_WINDOW) as batches:
            async for batch in batches:
                async with self:
                    printers = {r.printer_id for r in self.rows if r.printer_id}
                    asked = (self._filters(), self.sort, self.descending, self.page, self.page_size)
                if not any(kind == events.CONTRACTS_CHANGED or p.get("printer_id") in printers for kind, p in batch):
                    continue
                filters, sort, descending, page, size = asked
                result = await with_session(
                    list_devices, filters=filters, sort=sort, descending=descending, page=page, page_size=size
                )
                async with self:  # applied only if the tab asked for nothing else meanwhile
                    if asked == (self._filters(), self.sort, self.descending, self.page, self.page_size):
                        self.rows = [device_view(r) for r in result.rows]
                        self.total, self.page = result.total, result.page


def _opt(value: str) -> str:
    return "" if value == ALL else value


def _month_text(value: str) -> str:
    """A month of the URL as the month input holds it (YYYY-MM); "" when it is none."""
    month = _month(value[:20])
    return month.strftime("%Y-%m") if month else ""
