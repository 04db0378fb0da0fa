"""State of the alert rules (`/supplies/alert-rules`, permission `inventory.manage_supply_alerts`): the list, the
add / edit dialog with its validation, delete with a question; every change in the change log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app.i18n import gettext, ngettext
from printer_app.models.choices import SupplyKind
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.supplies.alert_rules import (
    EMAIL_MODES,
    RULE_SORTS,
    RuleForm,
    RuleRow,
    create_rule,
    delete_rule,
    get_rule,
    list_rules,
    update_rule,
)
from printer_app.state.conflict import conflict_message
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.supplies.alerts import _organizations
from printer_app.state.view import local_time

MANAGE = "inventory.manage_supply_alerts"
GLOBAL = "global"
TEXT_FIELDS = (
    "name",
    "organization_id",
    "below_percent",
    "empty_within_days",
    "emails",
    "email_mode",
    "language",
    "webhook_url",
    "webhook_secret",
)
FLAGS = ("in_app", "is_active")
FIELDS = TEXT_FIELDS + FLAGS
KINDS = tuple(k.value for k in SupplyKind)
EMPTY_FORM = {
    "organization_id": GLOBAL,
    "email_mode": "immediate",
    "language": "ru",
    "in_app": "true",
    "is_active": "true",
}


@dataclass
class RuleView:
    """A rule as the list shows it."""

    id: int = 0
    name: str = ""
    organization: str = ""
    kinds: str = ""
    condition: str = ""
    recipients: str = ""
    email_mode: str = ""
    webhook: bool = False
    in_app: bool = True
    is_active: bool = True
    alerts: int = 0
    updated: str = ""


def rule_view(row: RuleRow) -> RuleView:
    conditions = []
    if row.below_percent is not None:
        conditions.append(gettext("level below {n} %", n=row.below_percent))
    if row.empty_within_days is not None:
        conditions.append(ngettext("runs out within {n} day", "runs out within {n} days", row.empty_within_days))
    return RuleView(
        id=row.id,
        name=row.name,
        organization=row.organization or gettext("All organizations"),
        kinds=", ".join(SupplyKind(k).text for k in row.kinds) if row.kinds else gettext("Every kind"),
        condition=gettext(" or ").join(conditions),
        recipients=row.emails or "—",
        email_mode=gettext(EMAIL_MODES.get(row.email_mode, row.email_mode)),
        webhook=bool(row.webhook_url),
        in_app=row.in_app,
        is_active=row.is_active,
        alerts=row.alerts,
        updated=local_time(row.updated_at),
    )


class AlertRulesState(SortableMixin, SessionState):
    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (MANAGE,)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = RULE_SORTS
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("alerts", "updated_at")

    rows: list[RuleView] = []
    sort: str = "name"
    descending: bool = False
    org_options: list[list[str]] = []
    dialog_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    kinds: list[str] = []
    has_secret: bool = False
    errors: dict[str, str] = {}
    unsaved: list[str] = []  # the form notice's list of changes a conflict kept from saving (rules: none)
    delete_id: int = 0
    delete_name: str = ""
    _loaded_id: int = 0
    _version: int = 0

    async def _query(self) -> None:
        rows = await with_session(list_rules, sort=self.sort, descending=self.descending)
        self.rows = [rule_view(r) for r in rows]

    @rx.event
    @requires_page(MANAGE)
    async def load(self) -> None:
        self.org_options = await with_session(_organizations)
        await self._query()

    @rx.event
    @requires(MANAGE)
    async def open_new(self) -> None:
        self.editing_id = self._loaded_id = self._version = 0
        self.form, self.kinds, self.errors, self.has_secret = dict(EMPTY_FORM), [], {}, False
        self.org_options = await with_session(_organizations)
        self.dialog_open = True

    @rx.event
    @requires(MANAGE)
    async def open_edit(self, rule_id: int):
        try:
            rule = await with_session(get_rule, rule_id=rule_id)
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        self.editing_id = self._loaded_id = rule.id
        self._version = rule.version
        self.form = {
            "name": rule.name,
            "organization_id": str(rule.organization_id) if rule.organization_id else GLOBAL,
            "below_percent": "" if rule.below_percent is None else str(rule.below_percent),
            "empty_within_days": "" if rule.empty_within_days is None else str(rule.empty_within_days),
            "emails": rule.emails,
            "email_mode": rule.email_mode,
            "language": rule.language,
            "webhook_url": rule.webhook_url,
            "webhook_secret": "",
            "in_app": "true" if rule.in_app else "false",
            "is_active": "true" if rule.is_active else "false",
        }
        self.kinds = [k for k in rule.kinds.split(",") if k]
        self.has_secret, self.errors = bool(rule.webhook_secret), {}
        self.org_options = await with_session(_organizations)
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = bool(value)

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS:
            self.form = {**self.form, name: str(value)[:5000]}
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    def toggle_kind(self, kind: str, checked: bool) -> None:
        if kind in KINDS:
            self.kinds = [k for k in KINDS if (k == kind and checked) or (k != kind and k in self.kinds)]

    def _rule_form(self) -> RuleForm:
        values = {name: str(self.form.get(name, "")) for name in TEXT_FIELDS}
        if values["organization_id"] == GLOBAL:
            values["organization_id"] = ""
        flags = {name: self.form.get(name, "false") in ("true", "True") for name in FLAGS}
        return RuleForm(**values, **flags, kinds=list(self.kinds))

    @rx.event
    @requires(MANAGE)
    async def save(self):
        rule_id, form, actor = self._loaded_id, self._rule_form(), self._actor()
        if self.editing_id != rule_id:
            return rx.toast.error(gettext("This form is not the rule's any more: open it again"))
        try:
            if rule_id:
                rule = await with_session(update_rule, rule_id=rule_id, form=form, version=self._version, actor=actor)
            else:
                rule = await with_session(create_rule, form=form, actor=actor)
        except ConflictError as exc:
            self.errors = {"form": conflict_message(exc)}
            return None
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"form": str(exc)}
            return None
        self.dialog_open = False
        await self._query()
        return rx.toast.success(gettext("Alert rule “{name}” saved", name=rule.name))

    @rx.event
    @requires(MANAGE)
    async def ask_delete(self, rule_id: int, name: str) -> None:
        self.delete_id, self.delete_name = (rule_id, str(name)[:200]) if isinstance(rule_id, int) else (0, "")

    @rx.event
    def cancel_delete(self) -> None:
        self.delete_id, self.delete_name = 0, ""

    @rx.event
    @requires(MANAGE)
    async def confirm_delete(self):
        rule_id, self.delete_id = self.delete_id, 0
        try:
            name = await with_session(delete_rule, rule_id=rule_id, actor=self._actor())
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._query()
        return rx.toast.success(gettext("Alert rule “{name}” deleted", name=name))
