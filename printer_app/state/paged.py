"""Search, filters and paging of a server-side paged table, shared by the list pages' states."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from printer_app.services.errors import DomainValidationError
from printer_app.services.paging import parse_page, parse_page_size
from printer_app.state.session import SessionState, requires
from printer_app.state.view import refusal_text


def _list_permissions(state: SessionState, *_args, **_kwargs) -> tuple[str, ...]:
    """What any handler of the table needs: the state's LIST_PERMISSIONS."""
    return state.LIST_PERMISSIONS


_listing = requires(_list_permissions)


class PagedListMixin(rx.State, mixin=True):
    """The search box, the filter selects and the pager of a table whose state re-reads one page in `_query`.

    The state using it (a SessionState) holds the vars `search`, `page`, `page_size` and a `page_count` var, and
    names what a user needs for any of these handlers (`LIST_PERMISSIONS`) and which of its vars are filters
    (`LIST_FILTERS`). Every change but a page move starts again at page 1.
    """

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = ()
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ()

    @rx.event
    @_listing
    def set_search(self, value: str) -> None:
        self.search, self.page = value, 1
        self._query()

    @rx.event
    @_listing
    def set_filter(self, name: str, value: str) -> None:
        if name in self.LIST_FILTERS:
            setattr(self, name, value)
            self.page = 1
            self._query()

    @rx.event
    @_listing
    def go_to(self, page: int):
        try:
            wanted = parse_page(page)
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        self.page = max(1, min(wanted, self.page_count))
        self._query()
        return None

    @rx.event
    @_listing
    def set_page_size(self, value: str):
        try:
            self.page_size, self.page = parse_page_size(value), 1
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        self._query()
        return None
