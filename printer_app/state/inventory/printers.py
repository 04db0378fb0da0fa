"""State of the printers list: filters, sort, paging and the column chooser; holds only the visible page."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from printer_app.i18n import N_, gettext
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.inventory.printer_list import (
    NO_RULE_YET,
    SORTABLE,
    PrinterFilters,
    filter_options,
    list_printers,
    rows_by_ids,
)
from printer_app.state import view
from printer_app.state.live.hub import watch
from printer_app.state.live.pages import Apply, LivePage, register
from printer_app.state.live.state import LiveState
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.view import PrinterView, printer_view

ALL = "all"
COLUMNS = [
    ("organization", N_("Organization")),
    ("ip", N_("IP address")),
    ("serial", N_("Serial")),
    ("mac", N_("MAC")),
    ("model", N_("Model")),
    ("status", N_("Status")),
    ("last_poll", N_("Last poll")),
    ("total", N_("Total")),
    ("bw_a4", N_("B/W A4")),
    ("color_a4", N_("Colour A4")),
    ("bw_a3", N_("B/W A3")),
    ("color_a3", N_("Colour A3")),
    ("supplies", N_("Toner")),
    ("match_rule", N_("Match rule")),
]
DEFAULT_HIDDEN = "mac,bw_a3,color_a3,match_rule"


VIEW = ("inventory.access_inventory_app", "inventory.view_printer")


class PrintersState(SortableMixin, PagedListMixin, SessionState):
    """The printers table; every change re-queries one page from the database."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = VIEW
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(SORTABLE)
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("organization", "model", "match_rule", "status", "active")

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
    org_options: list[list[str]] = []
    model_options: list[list[str]] = []
    hidden_columns: str = rx.LocalStorage(DEFAULT_HIDDEN, name="printers_hidden_columns")

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No printers match"))

    def _filters(self) -> PrinterFilters:
        def opt(value: str) -> str:
            return "" if value == ALL else value

        return PrinterFilters(
            search=self.search,
            organization=opt(self.organization),
            model=opt(self.model),
            match_rule=opt(self.match_rule),
            status=opt(self.status),
            active=self.active,
        )

    async def _query(self) -> None:
        result = await with_session(
            list_printers,
            filters=self._filters(),
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        self.rows = [printer_view(r) for r in result.rows]
        watch.show(self.router.session.client_token, (r.id for r in self.rows))  # before any result can pass by
        self.total = result.total
        self.page = result.page

    @rx.event
    @requires_page(*VIEW)
    async def load(self):
        """Page load: refresh filter options and the current page, then listen for live updates."""
        options = await with_session(filter_options)
        self.org_options = [list(o) for o in options["organizations"]]
        self.model_options = [list(o) for o in options["models"]]
        await self._query()
        return LiveState.listen("printers")

    @rx.event
    @requires(*VIEW)
    async def reload(self) -> None:
        """Re-query the current page after a change elsewhere (dialog save, delete)."""
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def reset_filters(self) -> None:
        self.search = ""
        self.organization = self.model = self.match_rule = self.status = ALL
        self.active = "active"
        self.page = 1
        await self._query()

    @rx.event
    def toggle_column(self, column: str) -> None:
        hidden = [c for c in self.hidden_columns.split(",") if c]
        hidden = [c for c in hidden if c != column] if column in hidden else [*hidden, column]
        self.hidden_columns = ",".join(hidden)


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


# On /printers only the changed rows re-render (memoised), so a tab may take an update every 0.1 s in a burst; only
# the tab's own printers count: in a Poll all run a few per second.
register(
    LivePage(
        name="printers",
        state=PrintersState,
        permission="inventory.view_printer",
        spacing=0.1,
        filtered=True,
        shown=lambda printers: {r.id for r in printers.rows},
        reread=_reread_rows,
    )
)

STATUS_OPTIONS = [[ALL, N_("Any status")]] + [[s.value, s.label] for s in TaskStatus]
RULE_OPTIONS = [[ALL, N_("Any match rule")], [NO_RULE_YET, N_("No rule yet")]] + [[r.value, r.label] for r in MatchRule]
ACTIVE_OPTIONS = [["active", N_("Active")], ["inactive", N_("Inactive")], ["all", N_("Active and inactive")]]
