"""State of the reference data page: one tab per reference table, its paged table, the add/edit dialog and the
delete question. Every handler checks the permission of the tab's table on the server."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from printer_app.i18n import gettext
from printer_app.models.choices import CartridgeColor, DeviceType, IssueTracker
from printer_app.services.contracts.reference import (
    create_row,
    delete_row,
    get_row,
    text_colour_on,
    update_row,
)
from printer_app.services.contracts.reference_list import LISTINGS, choices, list_rows
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import PAGE_SIZES, parse_page, parse_page_size
from printer_app.services.validators import parse_id
from printer_app.state import view
from printer_app.state.paged import MAX_SEARCH
from printer_app.state.session import SessionState, requires, requires_page, with_session

APP = "contracts.access_contracts_app"
TABS = ("city", "manufacturer", "devicemodel", "cartridge", "contractstatus", "serviceprovider")
FORMS: dict[str, dict[str, str]] = {  # every field of a tab's dialog with its value for a new row
    "city": {"name": ""},
    "manufacturer": {"name": ""},
    "devicemodel": {"manufacturer_id": "", "name": "", "device_type": "printer", "has_network_port": "true"},
    "cartridge": {"name": "", "part_number": "", "color": "black", "capacity": "", "is_active": "true", "comment": ""},
    "contractstatus": {"name": "", "color": "#6c757d", "is_active": "true"},
    "serviceprovider": {"name": "", "code": "", "issue_tracker": "none", "support_email": "", "is_active": "true"},
}
FIELDS = frozenset(name for form in FORMS.values() for name in form)
MAX_VALUE = 2000  # characters a field may hold in the browser; the service checks each field's own limit
_LABELS = {"device_type": DeviceType, "color": CartridgeColor, "issue_tracker": IssueTracker}


def _may(action: str):
    """The permissions of an action on the current tab's table (a function of the state, for `requires`)."""
    return lambda state, *_args, **_kwargs: (APP, f"contracts.{action}_{state.tab}")


def _url_tab(state: rx.State) -> str:
    wanted = state.router.url.query_parameters.get("tab", "")
    return wanted if wanted in TABS else state.tab


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _display(tab: str, row: dict[str, Any]) -> dict[str, str]:
    """A row of the table as text: booleans "true"/"false", choices with their label, the status's text colour."""
    shown = {
        k: ("true" if v else "false") if isinstance(v, bool) else str(v if v is not None else "")
        for k, v in row.items()
    }
    for key, choice in _LABELS.items():
        if key in row and not (tab == "contractstatus" and key == "color"):
            values = {c.value: c.text for c in choice}
            shown[key + "_label"] = values.get(row[key], str(row[key]))
    if tab == "contractstatus":
        shown["text_color"] = text_colour_on(row["color"])
    return shown


class ReferenceState(SessionState):
    tab: str = "city"
    rows: list[dict[str, str]] = []
    total: int = 0
    search: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZES[0]
    manufacturers: list[list[str]] = []  # [id, name] for the model dialog's select
    dialog_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    delete_id: int = 0
    delete_name: str = ""
    delete_error: str = ""
    SORTS: ClassVar[dict[str, tuple[str, ...]]] = {k: tuple(v.sorts) for k, v in LISTINGS.items()}

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("Nothing matches"))

    @rx.var
    def can_add(self) -> bool:
        return f"contracts.add_{self.tab}" in self.permissions

    @rx.var
    def can_change(self) -> bool:
        return f"contracts.change_{self.tab}" in self.permissions

    @rx.var
    def can_delete(self) -> bool:
        return f"contracts.delete_{self.tab}" in self.permissions

    @rx.var
    def can_import(self) -> bool:
        """The cartridge workbook import creates and changes cartridges and their links to models."""
        needed = ("contracts.add_cartridge", "contracts.change_cartridge", "contracts.add_devicemodelcartridge")
        return all(p in self.permissions for p in needed)

    @rx.var
    def status_text_color(self) -> str:
        """The text colour of the status badge the dialog previews."""
        return text_colour_on(self.form.get("color", ""))

    @rx.event
    @requires_page(APP, lambda state, *_args: f"contracts.view_{_url_tab(state)}")
    async def load(self) -> None:
        """The tab the URL names (`?tab=cartridge`, so a tab can be bookmarked), else the one shown last."""
        self.tab = _url_tab(self)
        self.dialog_open, self.editing_id, self.delete_id = False, 0, 0
        await self._query()

    async def _query(self) -> None:
        page = await with_session(
            list_rows,
            self.tab,
            search=self.search,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        self.rows = [_display(self.tab, row) for row in page.rows]
        self.total, self.page = page.total, page.page

    @rx.event
    @requires(APP, lambda _state, tab, *_: f"contracts.view_{tab}" if tab in TABS else "contracts.view_city")
    async def set_tab(self, tab: str):
        if tab not in TABS:
            return rx.toast.error(view.not_a_choice(tab))
        self.tab, self.search, self.sort, self.descending, self.page = tab, "", "name", False, 1
        self.dialog_open, self.editing_id, self.delete_id = False, 0, 0  # a dialog acts on its own table's row only
        await self._query()
        return rx.call_script(f"window.history.replaceState(null, '', '?tab={tab}')")  # `tab` is one of TABS

    @rx.event
    @requires(_may("view"))
    async def set_search(self, value: str):
        if not isinstance(value, str) or len(value) > MAX_SEARCH:
            return rx.toast.error(gettext("A search is text of at most {n} characters.", n=MAX_SEARCH))
        self.search, self.page = value, 1
        await self._query()
        return None

    @rx.event
    @requires(_may("view"))
    async def sort_by(self, column: str):
        if column not in self.SORTS[self.tab]:
            return rx.toast.error(gettext("That column cannot be sorted."))
        self.descending = not self.descending if self.sort == column else False
        self.sort = column
        await self._query()
        return None

    @rx.event
    @requires(_may("view"))
    async def go_to(self, page: int):
        try:
            wanted = parse_page(page)
        except DomainValidationError as exc:
            return rx.toast.error(view.refusal_text(exc))
        self.page = max(1, min(wanted, self.page_count))
        await self._query()
        return None

    @rx.event
    @requires(_may("view"))
    async def set_page_size(self, value: str):
        try:
            self.page_size, self.page = parse_page_size(value), 1
        except DomainValidationError as exc:
            return rx.toast.error(view.refusal_text(exc))
        await self._query()
        return None

    # --- the add / edit dialog --------------------------------------------------------------------------------

    @rx.event
    @requires(_may("add"))
    async def open_new(self) -> None:
        await self._choices()
        self.editing_id, self.form, self.errors, self.dialog_open = 0, dict(FORMS[self.tab]), {}, True

    @rx.event
    @requires(_may("change"))
    async def open_edit(self, row_id: int):
        tab = self.tab
        try:
            row = await with_session(lambda session: get_row(session, tab, row_id).model_dump())
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._choices()
        self.form = {name: _as_text(row.get(name)) for name in FORMS[self.tab]}
        self.editing_id, self.errors, self.dialog_open = int(row["id"]), {}, True
        return None

    async def _choices(self) -> None:
        if self.tab == "devicemodel":
            self.manufacturers = [list(c) for c in await with_session(choices, "manufacturer")]

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS and len(str(value)) <= MAX_VALUE:
            self.form = {**self.form, name: str(value)}
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    @requires(lambda s: (APP, f"contracts.{'change' if s.editing_id else 'add'}_{s.tab}"))
    async def save(self):
        tab, row_id, values, actor = self.tab, self.editing_id, dict(self.form), self._actor()
        values = {k: v for k, v in values.items() if k in FORMS[tab]}
        try:
            if row_id:
                row = await with_session(update_row, tab, row_id, values, actor=actor)
            else:
                row = await with_session(create_row, tab, values, actor=actor)
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"form": str(exc)}
            return None
        self.dialog_open = False
        await self._query()
        return rx.toast.success(gettext("“{name}” saved", name=row.name))

    # --- delete ----------------------------------------------------------------------------------------------

    @rx.event
    @requires(_may("delete"))
    async def ask_delete(self, row_id: int, name: str):
        self.delete_id, self.delete_name, self.delete_error = parse_id(row_id) or 0, str(name)[:200], ""

    @rx.event
    def cancel_delete(self) -> None:
        self.delete_id, self.delete_error = 0, ""

    @rx.event
    @requires(_may("delete"))
    async def confirm_delete(self):
        try:
            name = await with_session(delete_row, self.tab, self.delete_id, actor=self._actor())
        except DomainValidationError as exc:
            self.delete_error = view.refusal_text(exc)
            return None
        except NotFoundError as exc:
            self.delete_id = 0
            await self._query()
            return rx.toast.error(str(exc))
        self.delete_id = 0
        await self._query()
        return rx.toast.success(gettext("“{name}” deleted", name=name))
