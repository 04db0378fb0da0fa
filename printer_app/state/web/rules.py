"""State of the rule builder page (/printers/<id>/web): the printer, its stored rules (filter, sort, delete).

The page's other parts have states of their own: the rule form (web_rule_editor), the page preview (web_preview),
test runs and polls (web_rule_runs) and templates (web_templates). They all read the printer id from the route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app.db import session_scope
from printer_app.models.choices import WebField
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.device_models import model_label
from printer_app.services.inventory.printers import get_printer
from printer_app.services.web.rule_store import delete_rule, list_rules
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires, requires_page
from printer_app.state.view import printer_id_from_path

APP = "inventory.access_inventory_app"
VIEW = "inventory.view_web_parsing"
MANAGE = "inventory.manage_web_parsing"
RUN = "inventory.run_inventory"
PUBLIC_TEMPLATES = "inventory.can_create_public_templates"
FIELD_LABELS = {f.value: f.label for f in WebField}
SORT_KEYS = ("id", "field_name", "url", "xpath")


def route_printer_id(state: rx.State) -> int:
    """The printer of the page, from `/printers/<id>/web` (0 when the id is not a number)."""
    return printer_id_from_path(state.router.url.path)


@dataclass
class RuleRow:
    """One stored rule as the table shows it."""

    id: int = 0
    field_name: str = ""
    field_label: str = ""
    url: str = ""
    xpath: str = ""
    regex: str = ""
    formula: str = ""
    is_calculated: bool = False
    actions: int = 0


class WebRulesState(SortableMixin, SessionState):
    """The printer whose rules are edited, and the table of its stored rules."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (VIEW,)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORT_KEYS
    SORT_REQUERIES: ClassVar[bool] = False

    printer_id: int = 0
    printer_ip: str = ""
    printer_model: str = ""
    has_model: bool = False
    not_found: str = ""
    all_rows: list[RuleRow] = []
    search: str = ""
    sort: str = "id"
    descending: bool = False
    confirm_delete_id: int = 0

    @rx.var
    def rows(self) -> list[RuleRow]:
        needle = self.search.strip().lower()
        rows = [
            r
            for r in self.all_rows
            if not needle or any(needle in t.lower() for t in (r.field_name, r.field_label, r.url, r.xpath, r.formula))
        ]
        key = self.sort if self.sort in SORT_KEYS else "id"
        return sorted(rows, key=lambda r: (getattr(r, key), r.id), reverse=self.descending)

    @rx.var
    def rule_count_text(self) -> str:
        shown, total = len(self.rows), len(self.all_rows)
        if not total:
            return "No rules yet: fetch the page, pick a value and save the rule."
        return f"{total} rule{'s' if total != 1 else ''}" if shown == total else f"{shown} of {total} rules"

    @rx.event
    @requires_page(APP, VIEW)
    def load(self):
        self.printer_id = route_printer_id(self)
        self.search, self.confirm_delete_id = "", 0
        self._query()
        if self.not_found:
            return None
        from printer_app.state.web.preview import WebPreviewState
        from printer_app.state.web.rule_editor import WebRuleEditorState
        from printer_app.state.web.rule_runs import WebRuleRunsState
        from printer_app.state.web.templates import WebTemplatesState

        return [WebPreviewState.clear, WebRuleEditorState.new_rule, WebRuleRunsState.load, WebTemplatesState.load]

    @rx.event
    @requires(VIEW)
    def refresh(self) -> None:
        """Reload the table after a change made by another part of the page (save, template applied)."""
        self._query()

    def _query(self) -> None:
        with session_scope() as session:
            try:
                printer = get_printer(session, printer_id=self.printer_id)
            except NotFoundError as exc:
                self.not_found, self.all_rows = str(exc), []
                return
            self.not_found = ""
            self.printer_ip = printer.ip_address
            self.printer_model = model_label(session, printer).model or "no model set"
            self.has_model = printer.device_model_id is not None
            self.all_rows = [
                RuleRow(
                    id=r.id,
                    field_name=r.field_name,
                    field_label=FIELD_LABELS.get(r.field_name, r.field_name),
                    url="" if r.is_calculated else f"{r.protocol}://{printer.ip_address}{_joined(r.url_path)}",
                    xpath=r.xpath,
                    regex=r.regex_pattern + (f" → {r.regex_replacement}" if r.regex_replacement else ""),
                    formula=r.calculation_formula,
                    is_calculated=r.is_calculated,
                    actions=len(r.actions_chain or []),
                )
                for r in list_rules(session, printer_id=self.printer_id)
            ]

    @rx.event
    @requires(VIEW)
    def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    @requires(MANAGE)
    def ask_delete(self, rule_id: int) -> None:
        self.confirm_delete_id = int(rule_id)

    @rx.event
    def cancel_delete(self, _open: bool = False) -> None:
        self.confirm_delete_id = 0

    @rx.event
    @requires(MANAGE)
    def delete(self):
        rule_id, self.confirm_delete_id = self.confirm_delete_id, 0
        try:
            with session_scope() as session:
                name = delete_rule(session, printer_id=self.printer_id, rule_id=rule_id, actor=self._actor())
        except (NotFoundError, DomainValidationError) as exc:
            self._query()
            return rx.toast.error(str(exc))
        self._query()
        from printer_app.state.web.rule_editor import WebRuleEditorState

        return [
            WebRuleEditorState.forget(rule_id),
            rx.toast.success(f"Rule for {FIELD_LABELS.get(name, name)} deleted"),
        ]


def _joined(url_path: str) -> str:
    """How a rule's path reads after the printer address (`:8080/x` stays attached, `/x` too)."""
    path = (url_path or "/").strip()
    return path if path.startswith((":", "/")) else "/" + path
