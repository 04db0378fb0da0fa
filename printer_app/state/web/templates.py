"""Rule builder: templates of the printer's device model (save the current rules, apply one, delete one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app import i18n
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.web.templates import apply_template, delete_template, printer_templates, save_template
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires, with_session
from printer_app.state.view import local_time
from printer_app.state.web.common import MANAGE, PUBLIC_TEMPLATES, VIEW, route_printer_id

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
    async def load(self):
        self.search, self.name, self.description, self.errors = "", "", "", {}
        self.is_public = self.overwrite = False
        await self._query()
        return None

    async def _query(self) -> None:
        principal = await self._principal_async()
        if principal is None:
            self.all_rows = []
            return
        templates = await with_session(
            printer_templates,
            printer_id=route_printer_id(self),
            user_id=principal.user_id,
            is_superuser=principal.is_superuser,
        )
        self.all_rows = [
            TemplateRow(
                id=t.id,
                name=t.name,
                description=t.description,
                is_public=t.is_public,
                creator=creator,
                rules=len(t.rules_config or []),
                usage_count=t.usage_count,
                updated=local_time(t.updated_at),
                can_delete=principal.is_superuser or t.created_by_id == principal.user_id,
            )
            for t, creator in templates
        ]

    @rx.event
    @requires(VIEW)
    async def set_search(self, value: str) -> None:
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
    async def save(self):
        try:
            template = await with_session(
                save_template,
                printer_id=route_printer_id(self),
                name=self.name,
                description=self.description,
                is_public=self.is_public,
                user_id=self._user_id,
            )
        except (DomainValidationError, NotFoundError) as exc:
            self.errors = exc.errors if isinstance(exc, DomainValidationError) else {"form": str(exc)}
            return rx.toast.error(i18n.gettext("Template not saved: {error}", error=exc))
        name, count = template.name, len(template.rules_config)
        self.name, self.description, self.is_public, self.errors = "", "", False, {}
        await self._query()
        return rx.toast.success(
            i18n.ngettext(
                "Template “{name}” saved with {n} rule", "Template “{name}” saved with {n} rules", count, name=name
            )
        )

    @rx.event
    @requires(MANAGE)
    async def apply(self, template_id: int):
        """Create the template's rules on this printer; the page's table re-reads after it (in the button's event
        chain)."""
        template_id = int(template_id)
        await self._query()
        if template_id not in {r.id for r in self.all_rows}:  # only templates this user may see
            return rx.toast.error(
                i18n.gettext("Template #{id} does not exist or is not visible to you", id=template_id)
            )
        try:
            created = await with_session(
                apply_template,
                template_id=template_id,
                printer_id=route_printer_id(self),
                overwrite=self.overwrite,
                actor=self._actor(),
            )
        except (DomainValidationError, NotFoundError) as exc:
            return rx.toast.error(i18n.gettext("Template not applied: {error}", error=exc))
        await self._query()
        if self.overwrite:
            message = i18n.ngettext(
                "{n} rule created from the template, replacing the printer's rules",
                "{n} rules created from the template, replacing the printer's rules",
                len(created),
            )
        else:
            message = i18n.ngettext(
                "{n} rule created from the template, added beside the existing rules",
                "{n} rules created from the template, added beside the existing rules",
                len(created),
            )
        return rx.toast.success(message)

    @rx.event
    @requires(MANAGE)
    async def delete(self, template_id: int):
        principal = await self._principal_async()
        try:
            name = await with_session(
                delete_template,
                template_id=int(template_id),
                user_id=principal.user_id if principal else None,
                is_superuser=bool(principal and principal.is_superuser),
            )
        except (DomainValidationError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        await self._query()
        return rx.toast.success(i18n.gettext("Template “{name}” deleted", name=name))
