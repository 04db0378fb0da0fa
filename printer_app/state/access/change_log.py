"""State of the change log page: filters, paging; holds only the visible page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import reflex as rx

from printer_app.i18n import N_, gettext
from printer_app.services.access.change_log import (
    ChangeFilters,
    ChangeRow,
    FieldChange,
    change_filter_options,
    list_changes,
)
from printer_app.state import view
from printer_app.state.paged import PagedListMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.view import local_time

VIEW = "access.view_entity_changes"
ALL = "all"
FILTERS = ("object_type", "action", "user", "date_from", "date_to")
ACTION_OPTIONS = [
    [ALL, N_("All actions")],
    ["create", N_("Created")],
    ["update", N_("Updated")],
    ["delete", N_("Deleted")],
]


@dataclass
class ChangeView:
    """A change-log row as shown."""

    id: int = 0
    when: str = ""
    action: str = ""
    object_label: str = ""
    object_id: int = 0
    object_repr: str = ""
    user: str = ""
    ip_address: str = ""
    link: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def change_view(row: ChangeRow) -> ChangeView:
    return ChangeView(
        id=row.id,
        when=local_time(row.timestamp),
        action=row.action,
        object_label=row.object_label,
        object_id=row.object_id,
        object_repr=row.object_repr,
        user=row.user,
        ip_address=row.ip_address,
        link=row.link,
        changes=row.changes,
    )


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ChangeLogState(PagedListMixin, SessionState):
    """The change log table; every change re-queries one page."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (VIEW,)
    LIST_FILTERS: ClassVar[tuple[str, ...]] = FILTERS

    rows: list[ChangeView] = []
    total: int = 0
    page: int = 1
    page_size: int = 50
    search: str = ""
    object_type: str = ALL
    action: str = ALL
    user: str = ALL
    date_from: str = ""
    date_to: str = ""
    type_options: list[list[str]] = []
    user_options: list[list[str]] = []

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No changes match"))

    async def _query(self) -> None:
        def opt(value: str) -> str:
            return "" if value == ALL else value

        filters = ChangeFilters(
            object_type=opt(self.object_type),
            action=opt(self.action),
            user=opt(self.user),
            date_from=_date(self.date_from),
            date_to=_date(self.date_to),
            search=self.search,
        )
        result = await with_session(list_changes, filters=filters, page=self.page, page_size=self.page_size)
        self.rows = [change_view(r) for r in result.rows]
        self.total, self.page = result.total, result.page

    @rx.event
    @requires_page(VIEW)
    async def load(self) -> None:
        options = await with_session(change_filter_options)
        self.type_options = [list(o) for o in options["object_types"]]
        self.user_options = [list(o) for o in options["users"]]
        await self._query()

    @rx.event
    @requires(VIEW)
    async def reset_filters(self) -> None:
        self.search, self.date_from, self.date_to, self.page = "", "", "", 1
        self.object_type = self.action = self.user = ALL
        await self._query()
