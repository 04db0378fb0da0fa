"""State of the "Overrides" tab of `/reports/settings`: the paged SerialEditOverride table (search, status filter,
sort), the add / edit dialog and the delete question.

Permissions: the tab needs ACCESS; adding, changing and deleting need OVERRIDE_LOCK as well, checked by every handler
(a forged event without it changes nothing). Times are shown and typed in the configured time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import gettext
from printer_app.models import SerialEditOverride
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.reports import overrides
from printer_app.services.reports.rules import as_utc
from printer_app.services.validators import parse_id
from printer_app.state import view
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.reports.access import ACCESS, OVERRIDE_LOCK
from printer_app.state.reports.settings_dialog import SettingsDialogMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session

EMPTY_FORM = {"serial": "", "mode": "unlock", "expires": "", "reason": ""}
MAX_VALUE = 2100  # characters a field may hold while typing; the service checks each field's own limit


@dataclass
class OverrideView:
    """An override as the table shows it: texts ready to display."""

    id: int = 0
    serial: str = ""
    unlock: bool = True
    expires_text: str = ""  # "—" when it never expires
    expired: bool = False
    reason: str = ""
    created_by: str = ""
    created_text: str = ""


def _view(row: overrides.OverrideRow) -> OverrideView:
    return OverrideView(
        id=row.id,
        serial=row.serial,
        unlock=row.unlock,
        expires_text=view.local_time(row.expires_at),
        expired=row.expired,
        reason=row.reason,
        created_by=row.created_by or "—",
        created_text=view.local_time(row.created_at),
    )


def form_of(session, override_id: int) -> dict[str, str]:
    row = session.get(SerialEditOverride, override_id)
    if row is None:
        raise NotFoundError(gettext("This override no longer exists."))
    expires = ""
    if row.expires_at is not None:
        expires = as_utc(row.expires_at).astimezone(get_settings().tz).strftime(overrides.LOCAL_INPUT)
    return {
        "serial": row.serial,
        "mode": "unlock" if row.allow_manual_edit else "lock",
        "expires": expires,
        "reason": row.reason or "",
    }


class OverridesState(SettingsDialogMixin, PagedListMixin, SortableMixin, SessionState):
    """The overrides table and its dialogs."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS,)
    EDIT_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS, OVERRIDE_LOCK)
    EMPTY_FORM: ClassVar[dict[str, str]] = EMPTY_FORM
    MAX_VALUE: ClassVar[int] = MAX_VALUE
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("status",)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(overrides.SORTS)
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("expires", "created")

    rows: list[OverrideView] = []
    total: int = 0
    search: str = ""
    status: str = "all"
    sort: str = "serial"
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZES[0]
    dialog_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = dict(EMPTY_FORM)
    errors: dict[str, str] = {}
    delete_id: int = 0
    delete_serial: str = ""

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
        return OVERRIDE_LOCK in self.permissions

    @rx.var
    def zone(self) -> str:
        """The time zone the expiry is typed in."""
        return get_settings().time_zone

    async def _query(self) -> None:
        status = self.status if self.status in overrides.STATUSES else "all"
        found = await with_session(
            overrides.list_overrides,
            search=self.search,
            status=status,
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
    @requires(ACCESS, OVERRIDE_LOCK)
    async def save(self):
        """Create or change the override of the dialog; its refusals shown by field, nothing stored."""
        values, override_id = dict(self.form), self.editing_id
        try:
            expires_at = overrides.parse_expiry(values.get("expires", ""), get_settings().tz)
            row = await with_session(
                overrides.save_override,
                override_id=override_id,
                serial=values.get("serial", ""),
                mode=values.get("mode", ""),
                expires_at=expires_at,
                reason=values.get("reason", ""),
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
        return rx.toast.success(gettext("Override for “{serial}” saved", serial=row.serial))

    @rx.event
    @requires(ACCESS, OVERRIDE_LOCK)
    async def ask_delete(self, override_id: int, serial: str) -> None:
        self.delete_id, self.delete_serial = parse_id(override_id) or 0, str(serial)[:128]

    @rx.event
    @requires(ACCESS)
    async def cancel_delete(self) -> None:
        self.delete_id = 0

    @rx.event
    @requires(ACCESS, OVERRIDE_LOCK)
    async def confirm_delete(self):
        override_id, self.delete_id = self.delete_id, 0
        try:
            serial = await with_session(overrides.delete_override, override_id=override_id, actor=self._actor())
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._query()
        return rx.toast.success(gettext("Override for “{serial}” deleted", serial=serial))
