"""Rule builder: the form of one rule, its value on the fetched page at every change, and saving it.

The form also fetches its page into the preview (preview.py, below it: it only holds the page) and tests its rule on
the device; both run in the background, their network work in a worker thread.
"""

from __future__ import annotations

import json

import reflex as rx

from printer_app import i18n
from printer_app.i18n import N_
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.inventory.printers import get_printer
from printer_app.services.web.builder import anchored_xpath, builder_preview, is_picked_xpath
from printer_app.services.web.fetch import WebFetchError, page_url
from printer_app.services.web.parser import test_rules
from printer_app.services.web.rule_page import rules_for_test_run
from printer_app.services.web.rule_store import (
    RuleInput,
    create_rule,
    formula_problem,
    get_rule,
    regex_problem,
    update_rule,
    xpath_problem,
)
from printer_app.services.web.rules import evaluate_rule
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.session import SessionState, in_thread, requires, with_session
from printer_app.state.web.common import MANAGE, NO_PRINTER, VIEW, field_label, route_printer_id
from printer_app.state.web.preview import WebPreviewState

ACTION_KEYS = ("type", "selector", "value", "wait")
LABELS = {
    "field_name": N_("Field"),
    "protocol": N_("Protocol"),
    "url_path": N_("Page"),
    "xpath": N_("XPath"),
    "regex_pattern": N_("Regex"),
    "regex_replacement": N_("Replacement"),
    "is_calculated": N_("Calculated"),
    "formula": N_("Formula"),
    "actions": N_("Actions"),
}
LIVE_CHECKED = ("xpath", "regex_pattern", "regex_replacement", "calculation_formula")


def _blank_action(kind: str = "click") -> dict[str, str]:
    return {"type": kind, "selector": "", "value": "", "wait": "1"}


class WebRuleEditorState(SessionState):
    """The rule being written (new, or a stored one being changed) and what it yields."""

    editing_id: int = 0
    field_name: str = "counter"
    protocol: str = "http"
    url_path: str = "/"
    xpath: str = ""
    regex_pattern: str = ""
    regex_replacement: str = ""
    is_calculated: bool = False
    formula: str = ""
    actions: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    unsaved: list[str] = []
    raw_value: str = ""
    value: str = ""
    value_error: str = ""
    value_source: str = ""  # "" (nothing yet), "preview" or "device"
    testing: bool = False
    _loaded_rule: int = 0  # the stored rule open_rule loaded (server side only)
    _version: int = 0  # its version then: a save after someone else's change is refused
    _loaded_values: dict[str, str] = {}

    @rx.var
    def field_label(self) -> str:
        return field_label(self.field_name)

    def _input(self) -> RuleInput:
        return RuleInput(
            field_name=self.field_name,
            protocol=self.protocol,
            url_path=self.url_path,
            xpath=self.xpath,
            regex_pattern=self.regex_pattern,
            regex_replacement=self.regex_replacement,
            is_calculated=self.is_calculated,
            calculation_formula=self.formula,
            actions_chain=[dict(a) for a in self.actions],
        )

    async def _recompute(self) -> None:
        """The form's rule on the fetched page, and live checks of the expressions (nothing is stored)."""
        live = {
            "xpath": "" if self.is_calculated else xpath_problem(self.xpath.strip()),
            "calculation_formula": formula_problem(self.formula.strip()) if self.is_calculated else "",
        }
        where, problem = regex_problem(self.regex_pattern, self.regex_replacement)
        live[where or "regex_pattern"] = problem
        errors = {k: v for k, v in self.errors.items() if k not in LIVE_CHECKED}
        self.errors = errors | {k: v for k, v in live.items() if v}
        self.value_source = ""
        self.raw_value = self.value = self.value_error = ""
        if self.is_calculated:
            self.value_error = i18n.gettext(
                "A calculated field needs the other fields: use “Test rule” or “Test all rules”."
            )
            return
        page = (await self.get_state(WebPreviewState))._page()
        if page is None:
            return
        raw, value, error = await in_thread(evaluate_rule, page, self._input().as_rule())
        self.raw_value, self.value, self.value_error = raw or "", "" if value is None else str(value), error
        self.value_source = "preview"

    @rx.event
    @requires(VIEW)
    async def evaluate(self) -> None:
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def new_rule(self) -> None:
        await self._start_new()

    async def _start_new(self) -> None:
        """An empty form for a new rule (on the page fetched last, if any)."""
        self.editing_id, self.field_name, self.protocol, self.is_calculated = 0, "counter", "http", False
        self.xpath = self.regex_pattern = self.regex_replacement = self.formula = ""
        preview = await self.get_state(WebPreviewState)
        self.url_path = preview.fetched_path or "/"
        self.actions, self.errors, self.unsaved, self._loaded_rule = [], {}, [], 0
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def open_rule(self, rule_id: int):
        try:
            await self._fill(rule_id)
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self.errors, self.unsaved = {}, []
        await self._recompute()
        return None

    async def _fill(self, rule_id: int) -> None:
        """The form shows the stored rule as it is now; remembers which rule and its version."""
        rule = await with_session(get_rule, printer_id=route_printer_id(self), rule_id=rule_id)
        self.editing_id = self._loaded_rule = rule.id
        self._version, self.field_name, self.protocol = rule.version, rule.field_name, rule.protocol
        self.url_path, self.xpath, self.formula = rule.url_path, rule.xpath, rule.calculation_formula
        self.regex_pattern, self.regex_replacement = rule.regex_pattern, rule.regex_replacement
        self.is_calculated = rule.is_calculated
        self.actions = [{k: str(a.get(k, "")) for k in ACTION_KEYS} for a in rule.actions_chain or []]
        self._loaded_values = self._shown()

    def _shown(self) -> dict[str, str]:
        shown = {name: str(getattr(self, name)) for name in LABELS if name != "actions"}
        return shown | {"actions": "; ".join(" ".join(v for v in a.values() if v) for a in self.actions)}

    @rx.event
    def forget(self, rule_id: int) -> None:
        """The stored rule was deleted: what is in the form becomes a new, unsaved rule."""
        if self.editing_id == int(rule_id):
            self.editing_id = self._loaded_rule = 0

    @rx.event
    @requires(VIEW)
    async def set_field_name(self, value: str) -> None:
        self.field_name = value
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def set_protocol(self, value: str) -> None:
        self.protocol = value

    @rx.event
    @requires(VIEW)
    async def set_url_path(self, value: str) -> None:
        self.url_path = value

    @rx.event
    @requires(VIEW)
    async def set_xpath(self, value: str) -> None:
        self.xpath = value
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def set_regex_pattern(self, value: str) -> None:
        self.regex_pattern = value
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def set_regex_replacement(self, value: str) -> None:
        self.regex_replacement = value
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def set_is_calculated(self, value: bool) -> None:
        self.is_calculated = bool(value)
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def set_formula(self, value: str) -> None:
        self.formula = value
        await self._recompute()

    @rx.event
    @requires(VIEW)
    async def pick(self, payload: str):
        """An element clicked in the preview: its XPath (sent by the preview's script) goes into the form."""
        try:
            xpath = str(json.loads(payload).get("xpath", ""))[:500]
        except (ValueError, AttributeError):
            return
        preview = await self.get_state(WebPreviewState)
        page = preview._page()
        if page is None or not await in_thread(is_picked_xpath, preview.html, page, xpath):
            return rx.toast.error(i18n.gettext("Ignored a pick that is not an element of the fetched page"))
        self.xpath = await in_thread(anchored_xpath, preview.html, page, xpath)
        self.is_calculated = False
        if preview.rendered and not self.actions:
            self.actions = [_blank_action("wait") | {"wait": "0"}]  # read it in the browser, as picked
        await self._recompute()
        return None

    @rx.event
    @requires(VIEW)
    async def add_action(self, kind: str = "click") -> None:
        self.actions = [*self.actions, _blank_action(kind)]

    @rx.event
    @requires(VIEW)
    async def remove_action(self, index: int) -> None:
        self.actions = [a for i, a in enumerate(self.actions) if i != int(index)]

    @rx.event
    @requires(VIEW)
    async def set_action(self, index: int, key: str, value: str) -> None:
        if key in ACTION_KEYS:
            self.actions = [{**a, key: value} if i == int(index) else a for i, a in enumerate(self.actions)]

    @rx.event
    @requires(MANAGE)
    async def save(self):
        """Store the form's rule (new, or the one open_rule loaded); the page's table re-reads after it (in the
        button's event chain)."""
        rule_id, printer_id = self._loaded_rule, route_printer_id(self)
        if self.editing_id != rule_id:  # only open_rule chooses the stored rule a save changes
            return rx.toast.error(i18n.gettext("This form is not the rule's any more: open the rule again"))
        try:
            if rule_id:
                rule = await with_session(
                    update_rule,
                    printer_id=printer_id,
                    rule_id=rule_id,
                    data=self._input(),
                    version=self._version,
                    actor=self._actor(),
                )
            else:
                rule = await with_session(create_rule, printer_id=printer_id, data=self._input(), actor=self._actor())
        except ConflictError as exc:
            mine, loaded = self._shown(), self._loaded_values
            await self._fill(rule_id)
            labels = {name: i18n.gettext(label) for name, label in LABELS.items()}
            self.unsaved = not_saved(mine, loaded, self._shown(), labels)
            self.errors = {"form": conflict_message(exc)}
            return rx.toast.error(i18n.gettext("Not saved: someone else changed this rule"))
        except DomainValidationError as exc:
            self.errors = exc.errors
            return rx.toast.error(i18n.gettext("Not saved: {errors}", errors="; ".join(exc.errors.values())))
        except NotFoundError as exc:
            self.errors = {"form": str(exc)}
            return rx.toast.error(str(exc))
        self.editing_id = self._loaded_rule = rule.id
        self._version, self.errors, self.unsaved = rule.version, {}, []
        self.actions = [{k: str(a.get(k, "")) for k in ACTION_KEYS} for a in rule.actions_chain]
        self._loaded_values = self._shown()
        field = field_label(self.field_name)
        if rule_id:
            return rx.toast.success(i18n.gettext("Rule for {field} saved", field=field))
        return rx.toast.success(i18n.gettext("Rule for {field} added", field=field))

    @rx.event(background=True)
    @requires(MANAGE)
    async def fetch_page(self):
        """Fetch the form's page into the preview through the SSRF guard (statically, or rendered by the headless
        browser), then evaluate the form's rule on it."""
        async with self:
            preview = await self.get_state(WebPreviewState)
            if preview.fetching:
                return None
            protocol, url_path, render = self.protocol, self.url_path, preview.render
            printer_id, preview.fetching = route_printer_id(self), True
        page = None
        try:
            printer = await with_session(get_printer, printer_id=printer_id)
            url = page_url(protocol, printer.ip_address, url_path)
            async with self:
                preview = await self.get_state(WebPreviewState)
                preview.url, preview.error = url, ""
            page = await in_thread(builder_preview, printer, url_path, render=render, protocol=protocol)
        except NotFoundError:
            return rx.toast.error(i18n.gettext(NO_PRINTER))
        except WebFetchError as exc:
            async with self:
                (await self.get_state(WebPreviewState))._refused(str(exc))
            return None
        finally:
            if page is None:
                async with self:
                    (await self.get_state(WebPreviewState)).fetching = False
        # One update shows the page, ends the fetch and evaluates the form's rule on it: the preview frame is filled
        # once per fetch, so the picker's "ready" mark is the frame's last one (a click after it is never lost to a
        # refill), and no later event of this fetch touches the form.
        async with self:
            preview = await self.get_state(WebPreviewState)
            preview._show(page, url_path, render=render)
            preview.fetching = False
            await self._recompute()
        return None

    @rx.event(background=True)
    @requires(MANAGE)
    async def test_on_device(self):
        """Run the form's rule for real (its actions in the browser; a formula with the stored rules)."""
        async with self:
            if self.testing:
                return None
            draft = self._input().as_rule()
            editing_id, printer_id = self.editing_id, route_printer_id(self)
            self.testing = True
        try:
            printer, stored = await with_session(rules_for_test_run, printer_id=printer_id)
            others = [r for r in stored if r.id != editing_id]
            result = await in_thread(test_rules, printer, [*others, draft])
        except NotFoundError:
            return rx.toast.error(i18n.gettext(NO_PRINTER))
        finally:
            async with self:
                self.testing = False
        mine = [r for r in result.results if r.rule_id is None]
        async with self:
            if mine:
                self.raw_value = mine[-1].raw or ""
                self.value = "" if mine[-1].value is None else str(mine[-1].value)
                self.value_error = mine[-1].error
                self.value_source = "device"
        return None
