"""State of the change log page: filters (one object's entries from the URL), paging; holds only the visible page."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import reflex as rx

from printer_app.i18n import N_, gettext, parse_date
from printer_app.models.choices import ChangeAction
from printer_app.services.access.change_log import ChangeFilters, change_filter_options, list_changes
from printer_app.services.validators import row_id
from printer_app.state import view
from printer_app.state.changes import ChangeView, change_view
from printer_app.state.paged import MAX_SEARCH, PagedListMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session

VIEW = "access.view_entity_changes"
ALL = "all"
FILTERS = ("object_type", "action", "user")
DATES = ("date_from", "date_to")
ACTION_OPTIONS = [
    [ALL, N_("All actions")],
    ["create", N_("Created")],
    ["update", N_("Updated")],
    ["delete", N_("Deleted")],
    *[[a.value, a.label] for a in ChangeAction],
]


def typed_date(value: str) -> date | None:
    """A date filter as typed; None when empty or not (yet) a whole date."""
    try:
        return parse_date(value)
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
    object_id: int = (
        0  # with object_type: one object's entries (from the URL: /changes?object_type=printer&object_id=7)
    )
    action: str = ALL
    user: str = ALL
    date_from: str = ""  # as typed: 05.12.2026 or 2026-12-05
    date_to: str = ""
    _object_kind: str = ""  # the kind object_id is of
    type_options: list[list[str]] = []
    user_options: list[list[str]] = []

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No changes match"))

    @rx.var
    def object_title(self) -> str:
        """'Printer #7' while the log shows one object's entries."""
        if not self.object_id:
            return ""
        label = next((name for value, name in self.type_options if value == self.object_type), self.object_type)
        return f"{label} #{self.object_id}"

    @rx.var
    def date_from_invalid(self) -> bool:
        return self.date_from.strip() != "" and typed_date(self.date_from) is None

    @rx.var
    def date_to_invalid(self) -> bool:
        return self.date_to.strip() != "" and typed_date(self.date_to) is None

    async def _query(self) -> None:
        def opt(value: str) -> str:
            return "" if value == ALL else value

        if self.object_type != self._object_kind:  # another kind was chosen: the URL's one object no longer applies
            self.object_id = 0

        filters = ChangeFilters(
            object_type=opt(self.object_type),
            object_id=self.object_id or None,
            action=opt(self.action),
            user=opt(self.user),
            date_from=typed_date(self.date_from),
            date_to=typed_date(self.date_to),
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
        query = self.router.url.query_parameters
        object_id = row_id(query.get("object_id", ""))
        kind = query.get("object_type", "")
        if object_id is not None and kind and len(kind) <= MAX_SEARCH:
            self.object_type, self.object_id, self._object_kind, self.page = kind, object_id, kind, 1
        elif self.object_id:  # the URL no longer names an object: the whole log again
            self.object_type, self.object_id, self.page = ALL, 0, 1
        await self._query()

    @rx.event
    @requires(VIEW)
    async def set_date(self, name: str, value: str):
        """A date filter as typed: it filters once it is a whole date (or empty), in the user's format or ISO."""
        if name not in DATES or not isinstance(value, str) or len(value) > 20:
            return rx.toast.error(gettext("That is not one of the filter's choices."))
        before = typed_date(getattr(self, name))
        setattr(self, name, value)
        if typed_date(value) != before:
            self.page = 1
            await self._query()
        return None

    @rx.event
    @requires(VIEW)
    async def reset_filters(self) -> None:
        self.search, self.date_from, self.date_to, self.page, self.object_id = "", "", "", 1, 0
        self.object_type = self.action = self.user = ALL
        await self._query()
