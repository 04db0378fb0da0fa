"""Rule builder: templates of the printer's device model (save the current rules, apply one, delete one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from sqlmodel import select

from printer_app.db import session_scope
from printer_app.models import Printer, User
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.web.templates import apply_template, delete_template, list_templates, save_template
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires
from printer_app.state.view import local_time
from printer_app.state.web.rules import MANAGE, PUBLIC_TEMPLATES, VIEW, WebRulesState, route_printer_id

SORT_KEYS = ("name", "usage_count", "updated", "creator")


@dataclass
class TemplateRow:
    """One template as the table shows it."""

    id: int = 0
    name: str = ""
    description: str = ""
    is_public: bool = False
    creator: str = ""
    rules: int = 0
    usage_count: int = 0
    updated: str = ""
    can_delete: bool = False


class WebTemplatesState(SortableMixin, SessionState):
    """Templates visible to the user for this printer's model, and the "save as template" form."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (VIEW,)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORT_KEYS
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("usage_count",)
    SORT_REQUERIES: ClassVar[bool] = False

    all_rows: list[TemplateRow] = []
    search: str = ""
    sort: str = "name"
    descending: bool = False
    name: str = ""
    description: str = ""
    is_public: bool = False
    overwrite: bool = False
    errors: dict[str, str] = {}

    @rx.var
    def rows(self) -> list[TemplateRow]:
        needle = self.search.strip().lower()
        rows = [r for r in self.all_rows if not needle or needle in f"{r.name} {r.description} {r.creator}".lower()]
        key = self.sort if self.sort in SORT_KEYS else "name"
        return sorted(rows, key=lambda r: (getattr(r, key), r.id), reverse=self.descending)

    @rx.event
    @requires(VIEW)
    def load(self):
        self.search, self.name, self.description, self.is_public, self.overwrite, self.errors = (
            "",
            "",
            "",
            False,
            False,
            {},
        )
        self._query()
        return None

    def _query(self) -> None:
        principal = self._principal()
        if principal is None:
            self.all_rows = []
            return
        with session_scope() as session:
            printer = session.get(Printer, route_printer_id(self))
            model_id = printer.device_model_id if printer is not None else None
            templates = list_templates(
                session, device_model_id=model_id, user_id=principal.user_id, is_superuser=principal.is_superuser
            )
            creator_ids = {t.created_by_id for t in templates if t.created_by_id is not None}
            names = dict(session.exec(select(User.id, User.username).where(User.id.in_(creator_ids))).all())
            self.all_rows = [
                TemplateRow(
                    id=t.id,
                    name=t.name,
                    description=t.description,
                    is_public=t.is_public,
                    creator=names.get(t.created_by_id, "—"),
                    rules=len(t.rules_config or []),
                    usage_count=t.usage_count,
                    updated=local_time(t.updated_at),
                    can_delete=principal.is_superuser or t.created_by_id == principal.user_id,
                )
                for t in templates
            ]

    @rx.event
    @requires(VIEW)
    def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value

    @rx.event
    def set_description(self, value: str) -> None:
        self.description = value

    @rx.event
    def set_is_public(self, value: bool) -> None:
        self.is_public = bool(value)

    @rx.event
    def set_overwrite(self, value: bool) -> None:
        self.overwrite = bool(value)

    @rx.event
    @requires(MANAGE, lambda s: PUBLIC_TEMPLATES if s.is_public else None)
    def save(self):
        try:
            with session_scope() as session:
                template = save_template(
                    session,
                    printer_id=route_printer_id(self),
                    name=self.name,
                    description=self.description,
                    is_public=self.is_public,
                    user_id=self._user_id,
                )
                name, count = template.name, len(template.rules_config)
        except (DomainValidationError, NotFoundError) as exc:
            self.errors = exc.errors if isinstance(exc, DomainValidationError) else {"form": str(exc)}
            return rx.toast.error(f"Template not saved: {exc}")
        self.name, self.description, self.is_public, self.errors = "", "", False, {}
        self._query()
        return rx.toast.success(f"Template “{name}” saved with {count} rule{'s' if count != 1 else ''}")

    @rx.event
    @requires(MANAGE)
    def apply(self, template_id: int):
        template_id = int(template_id)
        self._query()
        if template_id not in {r.id for r in self.all_rows}:  # only templates this user may see
            return rx.toast.error(f"Template #{template_id} does not exist or is not visible to you")
        try:
            with session_scope() as session:
                created = apply_template(
                    session,
                    template_id=template_id,
                    printer_id=route_printer_id(self),
                    overwrite=self.overwrite,
                    actor=self._actor(),
                )
                count = len(created)
        except (DomainValidationError, NotFoundError) as exc:
            return rx.toast.error(f"Template not applied: {exc}")
        self._query()
        mode = "replacing the printer's rules" if self.overwrite else "added beside the existing rules"
        return [WebRulesState.refresh, rx.toast.success(f"{count} rules created from the template, {mode}")]

    @rx.event
    @requires(MANAGE)
    def delete(self, template_id: int):
        principal = self._principal()
        try:
            with session_scope() as session:
                name = delete_template(
                    session,
                    template_id=int(template_id),
                    user_id=principal.user_id if principal else None,
                    is_superuser=bool(principal and principal.is_superuser),
                )
        except (DomainValidationError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        self._query()
        return rx.toast.success(f"Template “{name}” deleted")
