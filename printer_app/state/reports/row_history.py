"""State of a month row's history side panel (opened from the row's "History" button in the month table) and of
the revert confirmation, which the month history page uses too.

Reading needs `view_change_history` (and the month's visibility); reverting needs `edit_counters_end` besides,
checked again by the service. The panel follows changes of its row made anywhere (REPORTS_CHANGED of the row's
month naming the row, or the whole month) while it is open; `follow_month` is that loop, shared with the month
history page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import reflex as rx

from printer_app.i18n import format_number, gettext
from printer_app.services import events
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import parse_page
from printer_app.services.reports.history import HistoryEntry, row_history
from printer_app.services.reports.months import month_key
from printer_app.services.reports.revert import revert_entry, revert_preview
from printer_app.state import view
from printer_app.state.live.hub import hub, next_batch
from printer_app.state.reports.access import ACCESS, EDIT_END, HISTORY, VISIBILITY
from printer_app.state.session import SessionState, in_thread, principal_for_cookie, requires, with_session
from printer_app.state.view import refusal_text

PANEL_PAGE_SIZE = 25
AGENT_SHOWN = 40  # characters of a user agent shown; the whole one on hover
LIVE_WINDOW = 0.05  # seconds further changes may gather into the same re-read (an edit shows in the other tab at once)
RECHECK_SECONDS = 30.0


@dataclass
class EntryView:
    """One change as the panel and the month history show it."""

    id: int = 0
    row_id: int = 0
    when: str = ""
    user: str = ""
    field: str = ""
    field_label: str = ""
    old: str = ""
    new: str = ""
    source: str = ""
    source_label: str = ""
    ip: str = ""
    agent: str = ""
    agent_short: str = ""
    comment: str = ""
    serial: str = ""
    organization: str = ""
    revertable: bool = False  # the old value is known (the month and the current value are checked on asking)
    link: str = ""  # the row in the month table (the month history page sets it)


def entry_view(entry: HistoryEntry) -> EntryView:
    agent = entry.user_agent
    return EntryView(
        id=entry.id,
        row_id=entry.report_id,
        when=view.local_time(entry.timestamp),
        user=entry.user,
        field=entry.field,
        field_label=entry.field_label,
        old="—" if entry.old is None else format_number(entry.old),
        new="—" if entry.new is None else format_number(entry.new),
        source=entry.source,
        source_label=entry.source_label,
        ip=entry.ip,
        agent=agent,
        agent_short=agent if len(agent) <= AGENT_SHOWN else agent[: AGENT_SHOWN - 1] + "…",
        comment=entry.comment,
        serial=entry.serial or entry.inventory,
        organization=entry.organization,
        revertable=entry.old is not None,
    )


async def follow_month(
    state: SessionState,
    *,
    month: str,
    affects: Callable[[dict], bool],
    still: Callable[[], bool],
    reread: Callable[[], Awaitable[None]],
) -> None:
    """Re-read a view of `month` when a change that `affects` it is announced, while `still()` holds (checked under
    the state's lock on every change and every RECHECK_SECONDS) and the tab's session still grants HISTORY."""
    queue = hub.attach()
    try:
        async with state:
            cookie = state.router.headers.cookie
        loop = asyncio.get_running_loop()
        recheck_at = loop.time() + RECHECK_SECONDS
        while True:
            batch = await next_batch(
                queue,
                window=LIVE_WINDOW,
                timeout=max(0.0, recheck_at - loop.time()),
                keep=lambda e: e[0] == events.REPORTS_CHANGED and e[1].get("month") == month and affects(e[1]),
            )
            if loop.time() >= recheck_at:  # also ends a loop whose view went away without a change to notice
                principal = await in_thread(principal_for_cookie, cookie)
                async with state:
                    if principal is None or not principal.can(HISTORY) or not still():
                        return
                recheck_at = loop.time() + RECHECK_SECONDS
            if not batch:
                continue
            async with state:
                if not still():
                    return
                await reread()
    finally:
        hub.detach(queue)


class RowHistoryState(SessionState):
    """The side panel of one row's history, and the question before a revert."""

    open: bool = False
    row_id: int = 0
    month: str = ""  # YYYY-MM of the row
    title: str = ""  # serial · organization
    editable: bool = False
    entries: list[EntryView] = []
    total: int = 0
    page: int = 1
    page_size: int = PANEL_PAGE_SIZE
    confirm_id: int = 0  # the entry a revert is asked for (0: no question open)
    confirm_field: str = ""
    confirm_current: str = ""
    confirm_restores: str = ""
    confirm_problem: str = ""
    reverting: bool = False

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def can_revert(self) -> bool:
        return self.editable and EDIT_END in self.permissions

    async def _query(self) -> None:
        if not self.row_id:
            return
        try:
            found = await with_session(
                row_history, self.row_id, can_manage=VISIBILITY in self.permissions, page=self.page
            )
        except NotFoundError as exc:
            self.entries, self.total, self.title = [], 0, str(exc)
            return
        self.month, self.editable = month_key(found.month), found.editable
        self.title = " · ".join(part for part in (found.serial, found.organization) if part)
        self.entries = [entry_view(e) for e in found.page.rows]
        self.total, self.page = found.page.total, found.page.page

    @rx.event
    @requires(ACCESS, HISTORY)
    async def open_row(self, row_id: int):
        """The row's "History" button: the panel opens on its newest entries and follows the row."""
        if isinstance(row_id, bool) or not isinstance(row_id, int) or row_id <= 0:
            return None
        self.row_id, self.page, self.open, self.entries, self.title = row_id, 1, True, [], ""
        await self._query()
        return RowHistoryState.follow

    @rx.event
    @requires(ACCESS)
    async def set_open(self, value: bool) -> None:
        """Escape, the close button or a click outside close the panel (its listener ends with it)."""
        if value is not True:
            self.open, self.row_id = False, 0

    @rx.event
    @requires(ACCESS, HISTORY)
    async def go_to(self, page: int):
        try:
            self.page = max(1, min(parse_page(page), self.page_count))
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        await self._query()
        return None

    @rx.event
    @requires(ACCESS, HISTORY, EDIT_END)
    async def ask_revert(self, entry_id: int):
        """The question before a revert: the field, its value now and the value it restores (or why not)."""
        if isinstance(entry_id, bool) or not isinstance(entry_id, int) or entry_id <= 0:
            return None
        try:
            preview = await with_session(revert_preview, entry_id=entry_id, permissions=self._perms())
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self.confirm_id, self.confirm_field = preview.entry_id, preview.field_label
        self.confirm_current, self.confirm_restores = preview.current, preview.restores
        self.confirm_problem = preview.problem
        return None

    @rx.event
    @requires(ACCESS)
    async def cancel_revert(self) -> None:
        self.confirm_id, self.confirm_problem = 0, ""

    @rx.event
    @requires(ACCESS, HISTORY, EDIT_END)
    async def confirm_revert(self):
        """Revert the asked entry; the panel and every tab of the month follow through the announcement."""
        entry_id, self.confirm_id = self.confirm_id, 0
        if not entry_id:
            return None
        try:
            result = await with_session(revert_entry, entry_id=entry_id, permissions=self._perms(), actor=self._actor())
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        except DomainValidationError as exc:
            await self._query()
            return rx.toast.error(refusal_text(exc))
        await self._query()
        return rx.toast.success(gettext("Reverted: the value {value} is back.", value=format_number(result.value)))

    def _perms(self) -> frozenset[str]:
        return frozenset(self.permissions)

    @rx.event(background=True)
    @requires(ACCESS, HISTORY)
    async def follow(self):
        """While the panel shows this row: re-read it when the row (or the whole month) changes anywhere."""
        async with self:
            row_id, month = self.row_id, self.month
        if not row_id or not month:
            return

        async def reread() -> None:
            await self._query()

        await follow_month(
            self,
            month=month,
            affects=lambda payload: payload.get("all") or row_id in (payload.get("row_ids") or ()),
            still=lambda: self.open and self.row_id == row_id,
            reread=reread,
        )
