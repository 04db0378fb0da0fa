"""State of the organizations page: list with counts, add/rename dialog, (de)activate."""

from __future__ import annotations

from dataclasses import asdict
from typing import ClassVar

import reflex as rx

from printer_app.i18n import N_, gettext, ngettext
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.inventory.organizations import (
    ORGANIZATION_SORTS,
    create_organization,
    get_organization,
    list_organizations,
    set_organization_active,
    update_organization,
)
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session

VIEW = ("inventory.access_inventory_app", "inventory.view_organization")
LABELS = {"name": N_("Name"), "code": N_("Code")}


class OrganizationsState(SortableMixin, SessionState):
    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = VIEW
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = ORGANIZATION_SORTS

    rows: list[dict[str, str | int | bool]] = []
    search: str = ""
    show: str = "all"
    sort: str = "name"
    descending: bool = False
    dialog_open: bool = False
    editing_id: int = 0
    name: str = ""
    code: str = ""
    errors: dict[str, str] = {}
    unsaved: list[str] = []
    _loaded_id: int = 0  # the organization open_edit loaded (server side only)
    _version: int = 0  # its version then
    _loaded_values: dict[str, str] = {}

    @rx.event
    @requires_page(*VIEW)
    async def load(self) -> None:
        await self._query()

    async def _query(self) -> None:
        rows = await with_session(
            list_organizations, search=self.search, show=self.show, sort=self.sort, descending=self.descending
        )
        self.rows = [{**asdict(r), "printers_text": ngettext("{n} printer", "{n} printers", r.printers)} for r in rows]

    @rx.event
    @requires(*VIEW)
    async def set_search(self, value: str) -> None:
        self.search = value
        await self._query()

    @rx.event
    @requires(*VIEW)
    async def set_show(self, value: str) -> None:
        self.show = value
        await self._query()

    @rx.event
    @requires("inventory.add_organization")
    async def open_new(self) -> None:
        self.editing_id = self._loaded_id = self._version = 0
        self.name, self.code, self.errors, self.unsaved, self.dialog_open = "", "", {}, [], True

    @rx.event
    @requires("inventory.change_organization")
    async def open_edit(self, org_id: int):
        """The dialog shows the organization as stored now (the list row may be older)."""
        try:
            await self._fill(org_id)
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        self.errors, self.unsaved, self.dialog_open = {}, [], True
        return None

    async def _fill(self, org_id: int) -> None:
        org = await with_session(get_organization, org_id=org_id)
        self.editing_id = self._loaded_id = org.id
        self._version, self.name, self.code = org.version, org.name, org.code or ""
        self._loaded_values = {"name": self.name, "code": self.code}

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value

    @rx.event
    def set_code(self, value: str) -> None:
        self.code = value

    @rx.event
    @requires(lambda s: f"inventory.{'change' if s._loaded_id or s.editing_id else 'add'}_organization")
    async def save(self):
        org_id = self._loaded_id
        if self.editing_id != org_id:  # only open_edit chooses the organization a save changes
            return rx.toast.error(gettext("This form is not the organization's any more: open it again"))
        name, code, actor = self.name, self.code, self._actor()
        try:
            if org_id:
                org = await with_session(
                    update_organization, org_id=org_id, name=name, code=code, version=self._version, actor=actor
                )
            else:
                org = await with_session(create_organization, name=name, code=code, actor=actor)
        except ConflictError as exc:
            mine, loaded = {"name": self.name, "code": self.code}, self._loaded_values
            await self._fill(org_id)
            self.unsaved = not_saved(
                mine, loaded, {"name": self.name, "code": self.code}, {k: gettext(v) for k, v in LABELS.items()}
            )
            self.errors = {"form": conflict_message(exc)}
            await self._query()
            return None
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"name": str(exc)}
            return None
        self.dialog_open = False
        await self._query()
        return rx.toast.success(gettext("Organization “{name}” saved", name=org.name))

    @rx.event
    @requires("inventory.change_organization")
    async def toggle_active(self, org_id: int, active: bool):
        try:
            org = await with_session(set_organization_active, org_id=org_id, active=not active, actor=self._actor())
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        await self._query()
        return rx.toast.info(
            gettext("“{name}” is now active", name=org.name)
            if org.active
            else gettext("“{name}” is now inactive", name=org.name)
        )
