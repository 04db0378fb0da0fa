"""State of the organizations page: list with counts, add/rename dialog, (de)activate."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from printer_app.db import session_scope
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.organizations import (
    create_organization,
    list_organizations,
    set_organization_active,
    update_organization,
)
from printer_app.state.session import SessionState, requires, requires_page

VIEW = ("inventory.access_inventory_app", "inventory.view_organization")


class OrganizationsState(SessionState):
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

    @rx.event
    @requires_page(*VIEW)
    def load(self) -> None:
        self._query()

    def _query(self) -> None:
        with session_scope() as session:
            rows = list_organizations(
                session, search=self.search, show=self.show, sort=self.sort, descending=self.descending
            )
        self.rows = [asdict(r) for r in rows]

    @rx.event
    @requires(*VIEW)
    def set_search(self, value: str) -> None:
        self.search = value
        self._query()

    @rx.event
    @requires(*VIEW)
    def set_show(self, value: str) -> None:
        self.show = value
        self._query()

    @rx.event
    @requires(*VIEW)
    def sort_by(self, column: str) -> None:
        self.descending = not self.descending if self.sort == column else False
        self.sort = column
        self._query()

    @rx.event
    @requires("inventory.add_organization")
    def open_new(self) -> None:
        self.editing_id, self.name, self.code, self.errors, self.dialog_open = 0, "", "", {}, True

    @rx.event
    @requires("inventory.change_organization")
    def open_edit(self, org_id: int, name: str, code: str) -> None:
        self.editing_id, self.name, self.code, self.errors, self.dialog_open = int(org_id), name, code, {}, True

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
    @requires(lambda s: "inventory.change_organization" if s.editing_id else "inventory.add_organization")
    def save(self):
        try:
            with session_scope() as session:
                if self.editing_id:
                    org = update_organization(
                        session, org_id=self.editing_id, name=self.name, code=self.code, actor=self._actor()
                    )
                else:
                    org = create_organization(session, name=self.name, code=self.code, actor=self._actor())
                name = org.name
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"name": str(exc)}
            return None
        self.dialog_open = False
        self._query()
        return rx.toast.success(f"Organization '{name}' saved")

    @rx.event
    @requires("inventory.change_organization")
    def toggle_active(self, org_id: int, active: bool):
        try:
            with session_scope() as session:
                org = set_organization_active(session, org_id=int(org_id), active=not active, actor=self._actor())
                msg = f"'{org.name}' is now {'active' if org.active else 'inactive'}"
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self._query()
        return rx.toast.info(msg)
