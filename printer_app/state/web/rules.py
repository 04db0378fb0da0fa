"""State of the rule builder page (/printers/<id>/web): the printer, its stored rules (filter, sort, delete).

The page's other parts have states of their own, below this one: the rule form (rule_editor), the page preview
(preview), test runs and polls (rule_runs) and templates (templates). They all read the printer id from the route
(common.route_printer_id); this state starts them when the page loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app import i18n
from printer_app.models.choices import PollingMethod
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.web.rule_page import rule_page
from printer_app.services.web.rule_store import delete_rule
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.web.common import APP, MANAGE, RUN, VIEW, field_label, route_printer_id
from printer_app.state.web.preview import WebPreviewState
from printer_app.state.web.rule_editor import WebRuleEditorState
from printer_app.state.web.rule_runs import WebRuleRunsState
from printer_app.state.web.templates import WebTemplatesState

SORT_KEYS = ("id", "field_name", "url", "xpath")


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
    actions_text: str = ""  # "2 actions" in the user's language


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
    printer_method: str = ""
    confirm_poll: bool = False

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
    def identity_missing(self) -> bool:
        """The printer is polled by its web rules (it has some, and is not HYBRID, whose SNMP side reads the
        identity) and none reads its serial number or MAC address: the poll's identity check will fail."""
        if not self.all_rows or self.printer_method == PollingMethod.HYBRID:
            return False
        return not any(r.field_name in ("serial_number", "mac_address") for r in self.all_rows)

    @rx.var
    def rule_count_text(self) -> str:
        shown, total = len(self.rows), len(self.all_rows)
        with i18n.use_language(self.language):
            if not total:
                return i18n.gettext("No rules yet: fetch the page, pick a value and save the rule.")
            if shown == total:
                return i18n.ngettext("{n} rule", "{n} rules", total)
            return i18n.ngettext("{shown} of {n} rule", "{shown} of {n} rules", total, shown=i18n.format_number(shown))

    @rx.event
    @requires_page(APP, VIEW)
    async def load(self):
        self.printer_id = route_printer_id(self)
        self.search, self.confirm_delete_id = "", 0
        await self._query()
        if self.not_found:
            return None
        # The preview and the form start empty in this event, not in chained ones: a chained reset would arrive
        # after whatever the user already did on the page (a field chosen, a page fetched, a value picked).
        (await self.get_state(WebPreviewState))._reset()
        await (await self.get_state(WebRuleEditorState))._start_new()
        return [WebRuleRunsState.load, WebTemplatesState.load]

    @rx.event
    @requires(VIEW)
    async def refresh(self) -> None:
        """Reload the table after a change made by another part of the page (save, template applied)."""
        await self._query()

    async def _query(self) -> None:
        try:
            page = await with_session(rule_page, printer_id=self.printer_id)
        except NotFoundError as exc:
            self.not_found, self.all_rows = str(exc), []
            return
        printer = page.printer
        self.not_found = ""
        self.printer_ip, self.printer_model = printer.ip_address, page.model
        self.printer_method = printer.polling_method
        self.has_model = printer.device_model_id is not None
        self.all_rows = [
            RuleRow(
                id=r.id,
                field_name=r.field_name,
                field_label=field_label(r.field_name),
                url="" if r.is_calculated else f"{r.protocol}://{printer.ip_address}{_joined(r.url_path)}",
                xpath=r.xpath,
                regex=r.regex_pattern + (f" → {r.regex_replacement}" if r.regex_replacement else ""),
                formula=r.calculation_formula,
                is_calculated=r.is_calculated,
                actions=len(r.actions_chain or []),
                actions_text=i18n.ngettext("{n} action", "{n} actions", len(r.actions_chain or [])),
            )
            for r in page.rules
        ]

    @rx.event
    @requires(VIEW)
    async def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    @requires(RUN)
    async def poll_now(self):
        """Poll now; without a serial or MAC rule (identity_missing) the user is asked first."""
        if self.identity_missing:
            self.confirm_poll = True
            return None
        return WebRuleRunsState.poll_now

    @rx.event
    def cancel_poll(self) -> None:
        self.confirm_poll = False

    @rx.event
    @requires(MANAGE)
    async def ask_delete(self, rule_id: int) -> None:
        self.confirm_delete_id = int(rule_id)

    @rx.event
    def cancel_delete(self, _open: bool = False) -> None:
        self.confirm_delete_id = 0

    @rx.event
    @requires(MANAGE)
    async def delete(self):
        rule_id, self.confirm_delete_id = self.confirm_delete_id, 0
        try:
            name = await with_session(delete_rule, printer_id=self.printer_id, rule_id=rule_id, actor=self._actor())
        except (NotFoundError, DomainValidationError) as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._query()
        return [
            WebRuleEditorState.forget(rule_id),
            rx.toast.success(i18n.gettext("Rule for {field} deleted", field=field_label(name))),
        ]


def _joined(url_path: str) -> str:
    """How a rule's path reads after the printer address (`:8080/x` stays attached, `/x` too)."""
    path = (url_path or "/").strip()
    return path if path.startswith((":", "/")) else "/" + path
