"""Stored web rules (docs/web-rules.md §2.1): validate, create, update and delete a printer's rules.

The rule builder and any other caller go through here so a rule that cannot work (bad XPath, bad regex, formula
naming an unknown field, malformed action) is refused with a message per field, and nothing already stored changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import Printer, WebParsingRule
from printer_app.models.choices import PollingMethod, WebField, WebProtocol
from printer_app.services.audit import Actor, audit
from printer_app.services.concurrency import save_changes
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import parse_id
from printer_app.services.web import regex as web_regex
from printer_app.services.web.browser import MAX_ACTION_WAIT_S
from printer_app.services.web.fetch import WebFetchError, page_url
from printer_app.services.web.formula import FormulaError, evaluate_formula, formula_names

MAX_TEXT = 500
MAX_ACTIONS = 20
ACTION_TYPES = ("click", "send_keys", "wait")
_RULE_NAME = re.compile(r"rule_\d+")


@dataclass
class RuleInput:
    """What the rule form submits (one WebParsingRule without its printer)."""

    field_name: str = ""
    protocol: str = WebProtocol.HTTP
    url_path: str = "/"
    xpath: str = ""
    regex_pattern: str = ""
    regex_replacement: str = ""
    is_calculated: bool = False
    calculation_formula: str = ""
    actions_chain: list[dict[str, Any]] = field(default_factory=list)

    def as_rule(self) -> dict[str, Any]:
        """The mapping the engine (`RuleSpec.of`) and the table columns take."""
        return {
            "field_name": self.field_name,
            "protocol": self.protocol,
            "url_path": self.url_path,
            "xpath": self.xpath,
            "regex_pattern": self.regex_pattern,
            "regex_replacement": self.regex_replacement,
            "is_calculated": self.is_calculated,
            "calculation_formula": self.calculation_formula,
            "actions_chain": self.actions_chain,
        }


MAX_WAIT_TEXT = f"{MAX_ACTION_WAIT_S:g}"


def clean_rule(data: RuleInput) -> RuleInput:
    """The input trimmed and checked; raises DomainValidationError mapping each bad field to a message."""
    errors: dict[str, str] = {}
    out = RuleInput(
        field_name=data.field_name.strip(),
        protocol=(data.protocol or "http").strip().lower(),
        url_path=data.url_path.strip() or "/",
        xpath=data.xpath.strip(),
        regex_pattern=data.regex_pattern,
        regex_replacement=data.regex_replacement,
        is_calculated=bool(data.is_calculated),
        calculation_formula=data.calculation_formula.strip(),
    )
    if out.field_name not in {f.value for f in WebField}:
        errors["field_name"] = gettext("Choose the field this rule fills")
    if out.protocol not in {p.value for p in WebProtocol}:
        errors["protocol"] = gettext("http or https")
    for name in ("url_path", "xpath", "regex_pattern", "regex_replacement", "calculation_formula"):
        if len(getattr(out, name)) > MAX_TEXT:
            errors[name] = gettext("At most {n} characters", n=MAX_TEXT)
    if out.is_calculated:
        if "calculation_formula" not in errors and (problem := formula_problem(out.calculation_formula)):
            errors["calculation_formula"] = problem
    else:
        if "url_path" not in errors and (problem := path_problem(out.protocol, out.url_path)):
            errors["url_path"] = problem
        if "xpath" not in errors and (problem := xpath_problem(out.xpath)):
            errors["xpath"] = problem
        try:
            out.actions_chain = clean_actions(data.actions_chain)
        except ValueError as exc:
            errors["actions_chain"] = str(exc)
    where, problem = regex_problem(out.regex_pattern, out.regex_replacement)
    if problem:
        errors.setdefault(where, problem)
    if errors:
        raise DomainValidationError(errors)
    return out


def path_problem(protocol: str, url_path: str) -> str:
    """Why the path cannot be a page of the printer (checked on a placeholder LAN address), or ""."""
    try:
        page_url(protocol if protocol in ("http", "https") else "http", "192.0.2.1", url_path)
    except WebFetchError as exc:
        return str(exc).replace("'192.0.2.1'", gettext("the printer"))
    return ""


def xpath_problem(expression: str) -> str:
    """Why an XPath (or a `$` JSON path) is malformed, or "" (empty means "the whole page")."""
    if not expression or expression.startswith("$"):
        return ""
    try:
        etree.XPath(expression)
    except etree.XPathSyntaxError as exc:
        return gettext("Invalid XPath: {error}", error=exc)
    return ""


def regex_problem(pattern: str, replacement: str) -> tuple[str, str]:
    """(field, why) when the pattern or its replacement cannot be used, else ("", "")."""
    if not pattern:
        return ("regex_replacement", gettext("A replacement needs a pattern")) if replacement else ("", "")
    try:
        compiled = web_regex.compile_pattern(pattern)
    except web_regex.RegexLimitError as exc:
        return "regex_pattern", gettext("Not allowed: {error}", error=exc)
    except web_regex.error as exc:
        return "regex_pattern", gettext("Invalid regular expression: {error}", error=exc)
    try:
        compiled.sub(replacement, "")  # the template is parsed even when nothing matches
    except (web_regex.error, IndexError) as exc:
        return "regex_replacement", gettext("Invalid replacement: {error}", error=exc)
    return "", ""


def formula_problem(formula: str) -> str:
    """Why a formula cannot work (syntax, characters, names that are not fields), or ""."""
    if not formula:
        return gettext("A calculated field needs a formula, e.g. variable_1 + counter_a4_bw * 2")
    names = formula_names(formula)
    fields = {f.value for f in WebField}
    unknown = [n for n in names if n not in fields and not _RULE_NAME.fullmatch(n)]
    if unknown:
        return gettext("Unknown name {name}: use field names such as counter or variable_1", name=repr(unknown[0]))
    try:
        evaluate_formula(formula, dict.fromkeys(names, 7))
    except FormulaError as exc:
        if str(exc) not in (gettext("division by zero"), gettext("result too large")):
            return gettext("Invalid formula: {error}", error=exc)
    return ""


def clean_actions(actions: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """docs/web-rules.md §5.4 actions in their stored shape; raises ValueError naming the first bad action."""
    out: list[dict[str, Any]] = []
    items = list(actions or [])
    if len(items) > MAX_ACTIONS:
        raise ValueError(gettext("At most {n} actions", n=MAX_ACTIONS))
    for number, action in enumerate(items, start=1):
        if not isinstance(action, Mapping):
            raise ValueError(gettext("Action {number}: not an action", number=number))
        kind = str(action.get("type", "")).strip().lower()
        if kind not in ACTION_TYPES:
            raise ValueError(gettext("Action {number}: the type must be click, send_keys or wait", number=number))
        raw_wait = action.get("wait")
        try:
            wait = 1.0 if raw_wait in (None, "") else float(str(raw_wait).replace(",", "."))
        except ValueError:
            raise ValueError(gettext("Action {number}: wait must be a number of seconds", number=number)) from None
        if not 0 <= wait <= MAX_ACTION_WAIT_S:
            raise ValueError(
                gettext(
                    "Action {number}: wait must be between 0 and {max} seconds",
                    number=number,
                    max=MAX_WAIT_TEXT,
                )
            )
        item: dict[str, Any] = {"type": kind, "wait": int(wait) if wait.is_integer() else wait}
        if kind != "wait":
            selector = str(action.get("selector", "")).strip()
            if not selector or len(selector) > MAX_TEXT:
                raise ValueError(
                    gettext(
                        "Action {number}: {kind} needs a CSS selector (at most {n} characters)",
                        number=number,
                        kind=kind,
                        n=MAX_TEXT,
                    )
                )
            item["selector"] = selector
        if kind == "send_keys":
            item["value"] = str(action.get("value", ""))[:MAX_TEXT]
        out.append(item)
    return out


def list_rules(session: Session, *, printer_id: int) -> list[WebParsingRule]:
    """A printer's rules in creation order."""
    query = select(WebParsingRule).where(WebParsingRule.printer_id == printer_id).order_by(WebParsingRule.id)
    return list(session.exec(query).all())


def create_rule(session: Session, *, printer_id: int, data: RuleInput, actor: Actor | None = None) -> WebParsingRule:
    """A new rule on the printer, after validation; audited."""
    if session.get(Printer, printer_id) is None:
        raise NotFoundError(gettext("Printer #{id} does not exist", id=printer_id))
    clean = clean_rule(data)
    rule = WebParsingRule(printer_id=printer_id, **clean.as_rule(), source_rules=_sources(session, printer_id, clean))
    session.add(rule)
    session.flush()
    audit(session, rule, "create", actor)
    return rule


def update_rule(
    session: Session,
    *,
    printer_id: int,
    rule_id: int,
    data: RuleInput,
    version: int | None = None,
    actor: Actor | None = None,
) -> WebParsingRule:
    """Change a rule of this printer; a bad input leaves the stored rule as it was.

    `version`: what the editor loaded; the same rule writes nothing, a change after someone else's is refused.
    """
    rule = get_rule(session, printer_id=printer_id, rule_id=rule_id)
    clean = clean_rule(data)
    values = clean.as_rule() | {"source_rules": _sources(session, printer_id, clean, exclude=rule.id)}
    save_changes(session, rule, values, version=version, actor=actor)
    return rule


def delete_rule(session: Session, *, printer_id: int, rule_id: int, actor: Actor | None = None) -> str:
    """Remove a rule of this printer; returns its field name. A HYBRID printer keeps at least one rule."""
    rule = get_rule(session, printer_id=printer_id, rule_id=rule_id)
    printer = session.get(Printer, rule.printer_id)
    if printer.polling_method == PollingMethod.HYBRID and len(list_rules(session, printer_id=printer.id)) == 1:
        raise DomainValidationError(
            {
                "form": gettext(
                    "This is the last web rule of a HYBRID printer: switch the printer to SNMP first, "
                    "or every poll of it fails"
                )
            }
        )
    name = rule.field_name
    audit(session, rule, "delete", actor)
    session.delete(rule)
    session.flush()
    return name


def get_rule(session: Session, *, printer_id: int, rule_id: int) -> WebParsingRule:
    ident = parse_id(rule_id)
    rule = session.get(WebParsingRule, ident) if ident is not None else None
    if rule is None or rule.printer_id != parse_id(printer_id):
        raise NotFoundError(gettext("Rule #{id} does not exist (it may have been deleted in another tab)", id=rule_id))
    return rule


def _sources(session: Session, printer_id: int, data: RuleInput, *, exclude: int | None = None) -> list[int]:
    """`source_rules` of a calculated rule: the ids of this printer's rules its formula names (for templates)."""
    if not data.is_calculated:
        return []
    names = set(formula_names(data.calculation_formula))
    return [
        r.id
        for r in list_rules(session, printer_id=printer_id)
        if r.id != exclude and (r.field_name in names or f"rule_{r.id}" in names)
    ]
