"""State of the "Model specs" tab of `/reports/settings`: the paged PrinterModelSpec table (search, colour / format /
enforce filters, sort, rows of open months using each), the add / edit dialog and the delete question that says how
many rows become unrestricted.

Permissions: the tab needs ACCESS; adding, changing and deleting need UPLOAD as well (the people who load the sheets
define the models), checked by every handler (a forged event without it changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app import i18n
from printer_app.i18n import gettext
from printer_app.models import PrinterModelSpec
from printer_app.models.choices import PaperFormat
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.reports import spec_admin
from printer_app.services.validators import parse_id
from printer_app.state import view
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.reports.access import ACCESS, UPLOAD
from printer_app.state.reports.settings_dialog import SettingsDialogMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session

EMPTY_FORM = {"model_name": "", "kind": "mono", "paper_format": "A4A3", "enforce": "true", "allow_manual_edit": "false"}
MAX_VALUE = 300  # characters the model field may hold while typing; the service checks the real limit


@dataclass
class SpecView:
    """A spec as the table shows it."""

    id: int = 0
    model_name: str = ""
    is_color: bool = False
    format_text: str = ""
    enforce: bool = False
    allow_manual_edit: bool = False
    rows: int = 0
    rows_text: str = ""


def _view(row: spec_admin.SpecRow) -> SpecView:
    return SpecView(
        id=row.id,
        model_name=row.model_name,
        is_color=row.is_color,
        format_text=PaperFormat(row.paper_format).text if row.paper_format in spec_admin.FORMATS else row.paper_format,
        enforce=row.enforce,
        allow_manual_edit=row.allow_manual_edit,
        rows=row.rows,
        rows_text=view.number(row.rows),
    )


def form_of(session, spec_id: int) -> dict[str, str]:
    row = session.get(PrinterModelSpec, spec_id)
    if row is None:
        raise NotFoundError(gettext("This model spec no longer exists."))
    return {
        "model_name": row.model_name,
        "kind": "color" if row.is_color else "mono",
        "paper_format": row.paper_format,
        "enforce": "true" if row.enforce else "false",
        "allow_manual_edit": "true" if row.allow_manual_edit else "false",
    }


class SpecsState(SettingsDialogMixin, PagedListMixin, SortableMixin, SessionState):
    """The model spec table and its dialogs."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS,)
    EDIT_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS, UPLOAD)
    EMPTY_FORM: ClassVar[dict[str, str]] = EMPTY_FORM
    MAX_VALUE: ClassVar[int] = MAX_VALUE
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("kind", "fmt", "enforced")
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = spec_admin.SORTS
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("rows",)

    rows: list[SpecView] = []
    total: int = 0
    search: str = ""
    kind: str = "all"
    fmt: str = "all"
    enforced: str = "all"
    sort: str = "model"
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZES[0]
    dialog_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = dict(EMPTY_FORM)
    errors: dict[str, str] = {}
    delete_id: int = 0
    delete_text: str = ""

    @staticmethod
    def _form_of(session, row_id: int) -> dict[str, str]:
        return form_of(session, row_id)

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("Nothing matches"))

    @rx.var
    def can_edit(self) -> bool:
        return UPLOAD in self.permissions

    async def _query(self) -> None:
        found = await with_session(
            spec_admin.list_specs,
            search=self.search,
            kind=self.kind if self.kind in ("color", "mono") else "all",
            paper_format=self.fmt,
            enforce=self.enforced,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        self.rows = [_view(r) for r in found.rows]
        self.total, self.page = found.total, found.page

    @rx.event
    @requires_page(ACCESS)
    async def load(self) -> None:
        self.dialog_open, self.delete_id = False, 0
        await self._query()

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def save(self):
        """Create or change the spec of the dialog; its refusals shown by field, nothing stored."""
        values = dict(self.form)
        try:
            row = await with_session(
                spec_admin.save_spec,
                spec_id=self.editing_id,
                model_name=values.get("model_name", ""),
                is_color=values.get("kind") == "color",
                paper_format=values.get("paper_format", ""),
                enforce=values.get("enforce") == "true",
                allow_manual_edit=values.get("allow_manual_edit") == "true",
                actor=self._actor(),
            )
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"form": str(exc)}
            return None
        self.dialog_open = False
        await self._query()
        return rx.toast.success(gettext("Model spec “{model}” saved", model=row.model_name))

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def ask_delete(self, spec_id: int, model: str) -> None:
        """The question names the model and how many rows of open months lose their restrictions."""
        wanted = parse_id(spec_id) or 0
        rows = await with_session(spec_admin.spec_rows_in_use, wanted)
        name = str(model)[:200]
        if rows:
            self.delete_text = i18n.ngettext(
                "Delete the spec of “{model}”? {n} row of open months uses it: it becomes unrestricted (its stored "
                "counters stay as they are).",
                "Delete the spec of “{model}”? {n} rows of open months use it: they become unrestricted (their stored "
                "counters stay as they are).",
                rows,
                model=name,
            )
        else:
            self.delete_text = gettext("Delete the spec of “{model}”? No row of an open month uses it.", model=name)
        self.delete_id = wanted

    @rx.event
    @requires(ACCESS)
    async def cancel_delete(self) -> None:
        self.delete_id = 0

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def confirm_delete(self):
        spec_id, self.delete_id = self.delete_id, 0
        try:
            name = await with_session(spec_admin.delete_spec, spec_id=spec_id, actor=self._actor())
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._query()
        return rx.toast.success(gettext("Model spec “{model}” deleted", model=name))
