"""Search, filters and paging of a server-side paged table, shared by the list pages' states."""

from __future__ import annotations

import inspect
from typing import ClassVar

import reflex as rx

from printer_app.i18n import gettext
from printer_app.services.errors import DomainValidationError
from printer_app.services.paging import parse_page, parse_page_size
from printer_app.state.session import SessionState, requires
from printer_app.state.view import refusal_text


def _list_permissions(state: SessionState, *_args, **_kwargs) -> tuple[str, ...]:
    """What any handler of the table needs: the state's LIST_PERMISSIONS."""
    return state.LIST_PERMISSIONS


_listing = requires(_list_permissions)
MAX_SEARCH = 200  # characters of a search or filter value; longer is not typed by a person


async def requery(state: rx.State) -> None:
    """Re-read a table: its state's `_query` reads the database in a worker thread (async) or, until moved, not."""
    if inspect.isawaitable(requeried := state._query()):
        await requeried


class PagedListMixin(rx.State, mixin=True):
    """The search box, the filter selects and the pager of a table whose state re-reads one page in `_query`.

    The state using it (a SessionState) holds the vars `search`, `page`, `page_size` and a `page_count` var, and
    names what a user needs for any of these handlers (`LIST_PERMISSIONS`) and which of its vars are filters
    (`LIST_FILTERS`). Every change but a page move starts again at page 1. `_query` may be async (see `requery`).
    """

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = ()
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ()

    @rx.event
    @_listing
    async def set_search(self, value: str):
        if not isinstance(value, str) or len(value) > MAX_SEARCH:
            return rx.toast.error(gettext("A search is text of at most {n} characters.", n=MAX_SEARCH))
        self.search, self.page = value, 1
        await requery(self)
        return None

    @rx.event
    @_listing
    async def set_filter(self, name: str, value: str):
        """A filter select's choice; anything but a short text (a forged event) is refused before it is kept."""
        if name not in self.LIST_FILTERS:
            return None
        if not isinstance(value, str) or len(value) > MAX_SEARCH:
            return rx.toast.error(gettext("That is not one of the filter's choices."))
        setattr(self, name, value)
        self.page = 1
        await requery(self)
        return None

    @rx.event
    @_listing
    async def go_to(self, page: int):
        try:
            wanted = parse_page(page)
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        self.page = max(1, min(wanted, self.page_count))
        await requery(self)
        return None

    @rx.event
    @_listing
    async def set_page_size(self, value: str):
        try:
            self.page_size, self.page = parse_page_size(value), 1
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        await requery(self)
        return None


class SortableMixin(rx.State, mixin=True):
    """A table sorted by a column header: a click sorts by that column, a second click reverses it.

    The state using it holds the vars `sort` and `descending`, names its sortable columns (`SORT_COLUMNS`; anything
    else, a forged event, is refused), the columns whose first click sorts high to low (`DESCENDING_FIRST`), and
    whether a new order re-reads the rows (`SORT_REQUERIES`: the query sorts) or only re-orders what is held.
    """

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = ()
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = ()
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ()
    SORT_REQUERIES: ClassVar[bool] = True

    @rx.event
    @_listing
    async def sort_by(self, column: str):
        if not isinstance(column, str) or column not in self.SORT_COLUMNS:
            return rx.toast.error(gettext("That column cannot be sorted."))
        self.descending = not self.descending if self.sort == column else column in self.DESCENDING_FIRST
        self.sort = column
        if self.SORT_REQUERIES:
            await requery(self)
        return None
