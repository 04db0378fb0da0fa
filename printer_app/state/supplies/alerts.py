"""State of the alert list (`/supplies/alerts`): the user's low-supply alerts with read / unread, filters, sort and
paging; follows new and cleared alerts live (SUPPLY_ALERTS from any worker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from sqlmodel import select

from printer_app import i18n
from printer_app.i18n import N_, gettext, ngettext
from printer_app.models import Organization
from printer_app.services import events
from printer_app.services.supplies import alert_inbox
from printer_app.services.supplies.alert_inbox import VIEW, AlertFilters, AlertRow, list_alerts
from printer_app.services.supplies.alert_mail import supply_label
from printer_app.services.validators import parse_id
from printer_app.state import view
from printer_app.state.live.follow import follow
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.session import (
    SessionState,
    requires,
    requires_page,
    with_session,
)
from printer_app.state.supplies.bell import AlertBellState

ALL = "all"
STATUS_OPTIONS = [["active", N_("Open")], ["cleared", N_("Cleared by a replacement")], [ALL, N_("All")]]
READ_OPTIONS = [[ALL, N_("Read and unread")], ["unread", N_("Unread")], ["read", N_("Read")]]
REASON_OPTIONS = [[ALL, N_("Any reason")], ["below_percent", N_("Level below")], ["empty_within_days", N_("Runs out")]]
REASON_LABELS = dict(REASON_OPTIONS[1:])
LIVE_WINDOW = 0.3


@dataclass
class AlertView:
    """An alert as the list shows it."""

    id: int = 0
    created: str = ""
    printer_id: int = 0
    printer: str = ""
    organization: str = ""
    supply: str = ""
    reason: str = ""
    level: str = ""
    days: str = ""
    rule: str = ""
    cleared: str = ""  # when a replacement cleared it, "" while open
    read: bool = False


def alert_view(row: AlertRow) -> AlertView:
    return AlertView(
        id=row.id,
        created=view.local_time(row.created_at),
        printer_id=row.printer_id,
        printer=f"{row.model} ({row.ip})" if row.model else row.ip,
        organization=row.organization or "—",
        supply=supply_label(row.kind, row.color, row.description),
        reason=gettext(REASON_LABELS[row.reason]) if row.reason in REASON_LABELS else row.reason,
        level=f"{row.level_percent} %" if row.level_percent is not None else "—",
        days="—" if row.days_to_empty is None else ngettext("{n} day", "{n} days", max(0, round(row.days_to_empty))),
        rule=row.rule,
        cleared=view.local_time(row.cleared_at) if row.cleared_at else "",
        read=row.read,
    )


def _organizations(session) -> list[list[str]]:
    return [
        [str(i), name]
        for i, name in session.exec(select(Organization.id, Organization.name).order_by(Organization.name))
    ]


class SupplyAlertsState(PagedListMixin, SortableMixin, SessionState):
    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = VIEW
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("status", "read", "organization", "reason")
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(alert_inbox.ALERT_SORTS)
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("created_at",)

    rows: list[AlertView] = []
    total: int = 0
    page: int = 1
    page_size: int = 25
    search: str = ""
    status: str = "active"
    read: str = ALL
    organization: str = ALL
    reason: str = ALL
    sort: str = "created_at"
    descending: bool = True
    org_options: list[list[str]] = []

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No alerts match"))

    def _filters(self) -> AlertFilters:
        return AlertFilters(
            status=self.status if self.status in alert_inbox.STATUSES else "active",
            read=self.read if self.read in alert_inbox.READS else ALL,
            organization_id=parse_id(self.organization) if self.organization != ALL else None,
            reason=self.reason if self.reason in ("below_percent", "empty_within_days") else "",
            search=self.search,
        )

    def _wanted(self) -> dict:
        return {
            "user_id": self._user_id,
            "filters": self._filters(),
            "sort": self.sort,
            "descending": self.descending,
            "page": self.page,
            "page_size": self.page_size,
        }

    def _show(self, result) -> None:
        self.rows = [alert_view(r) for r in result.rows]
        self.total, self.page = result.total, result.page

    async def _query(self) -> None:
        self._show(await with_session(list_alerts, **self._wanted()))

    @rx.event
    @requires_page(*VIEW)
    async def load(self):
        self.org_options = await with_session(_organizations)
        await self._query()
        return SupplyAlertsState.listen

    @rx.event
    @requires(*VIEW)
    async def reset_filters(self) -> None:
        self.search, self.status, self.read, self.organization, self.reason, self.page = "", "active", ALL, ALL, ALL, 1
        await self._query()

    async def _after_read(self) -> None:
        await self._query()
        bell = await self.get_state(AlertBellState)
        bell.unread = await with_session(alert_inbox.unread_count, user_id=self._user_id)

    @rx.event
    @requires(*VIEW)
    async def mark_read(self, alert_id: int) -> None:
        await with_session(_read, self._user_id, [alert_id] if isinstance(alert_id, int) else [])
        await self._after_read()

    @rx.event
    @requires(*VIEW)
    async def mark_unread(self, alert_id: int) -> None:
        if isinstance(alert_id, int):
            await with_session(_unread, self._user_id, alert_id)
        await self._after_read()

    @rx.event
    @requires(*VIEW)
    async def mark_all_read(self):
        changed = await with_session(_all_read, self._user_id)
        await self._after_read()
        return rx.toast.success(ngettext("{n} alert marked read", "{n} alerts marked read", changed))

    @rx.event(background=True)
    @requires(*VIEW)
    async def listen(self):
        """Re-read the page when alerts are raised or cleared anywhere, until the tab leaves the page or its session
        no longer grants it (checked every RECHECK_SECONDS)."""
        kept = lambda event: event[0] == events.SUPPLY_ALERTS  # noqa: E731
        async with follow(self, keep=kept, permissions=VIEW, window=LIVE_WINDOW) as batches:
            async for _batch in batches:  # read off the tab's lock, then apply
                async with self:
                    wanted, lang = self._wanted(), self.language
                result = await with_session(list_alerts, **wanted)
                async with self:
                    with i18n.use_language(lang):
                        self._show(result)


def _announce_read(session, user_id: int) -> None:
    """The user's other tabs recount their bell."""
    events.publish_after_commit(session, events.SUPPLY_ALERTS, {"read_by": user_id})


def _read(session, user_id: int, alert_ids: list[int]) -> int:
    changed = alert_inbox.mark_read(session, user_id=user_id, alert_ids=alert_ids)
    _announce_read(session, user_id)
    return changed


def _unread(session, user_id: int, alert_id: int) -> None:
    alert_inbox.mark_unread(session, user_id=user_id, alert_id=alert_id)
    _announce_read(session, user_id)


def _all_read(session, user_id: int) -> int:
    changed = alert_inbox.mark_all_read(session, user_id=user_id)
    _announce_read(session, user_id)
    return changed
