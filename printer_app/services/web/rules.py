"""One web rule against one page (docs/web-rules.md §5.1, §5.2): find the raw value, then process it into the field's
value.

How a rule's `xpath` is read:
- empty → the whole page text (for a regex on the raw source, e.g. `var BlackTonerPer = 66;`);
- starting with `$` → a JSON path (`$.identity.serial_num`, `$.items[0]['a b']`); the body is parsed as JSON, or
  leniently as a JavaScript object literal (bare keys, single quotes, trailing commas: SyncThru pages);
- anything else → XPath 1.0 on the HTML (`lxml.html.fromstring(bytes)` so `<meta charset>` applies) or, for an
  XML response, on the XML (no DTDs, entities or network). The first result's trimmed text is the raw value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import WebParsingRule
from printer_app.models.choices import SupplyState, WebField
from printer_app.services.validators import normalize_mac
from printer_app.services.web import regex as web_regex

MAX_DIGITS = 18  # counters are BIGINT; a longer digit run is page noise, not a value
RAW_PREVIEW_CHARS = 1000  # raw values shown to users (a regex rule's raw value is the whole page)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_MAC_SEPARATORS = re.compile(r"[:\-\s]")
_JSON_PATH_STEP = re.compile(r"""\.([A-Za-z_$][\w$-]*)|\[\s*(-?\d+)\s*\]|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]""")
_JS_TOKEN = re.compile(
    r""""(?:\\.|[^"\\])*"|'((?:\\.|[^'\\])*)'|([A-Za-z_$][\w$]*)(\s*:)|,(\s*[}\]])""",
    re.S,
)
# Status words a page shows for a toner or drum (docs/web-rules.md §5.7): the first matching state wins, unknown
# words stay unknown.
_SUPPLY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SupplyState.ERROR, re.compile(r"error|fault|fail|missing|not installed|invalid|ошибк|неиспр|отсутств", re.I)),
    (SupplyState.LOW, re.compile(r"\blow\b|warn|near|almost|soon|мало|низк|заканч|предупр", re.I)),
    (SupplyState.EMPTY, re.compile(r"empty|replace|\bend\b|\bout\b|exhaust|deplet|пуст|замен|законч", re.I)),
    (SupplyState.OK, re.compile(r"\bok\b|ready|\bnormal|good|full|sufficient|норм|готов|достаточ", re.I)),
)
_SUPPLY_FIELD_PREFIXES = ("toner_", "drum_")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class RuleError(ValueError):
    """The rule cannot produce a value from this page (bad XPath/JSON path, nothing matched, unusable value)."""


@dataclass(frozen=True)
class RuleSpec:
    """A web rule detached from the database (a stored WebParsingRule, a template item or an unsaved form)."""

    field_name: str
    protocol: str = "http"
    url_path: str = "/"
    xpath: str = ""
    regex_pattern: str = ""
    regex_replacement: str = ""
    is_calculated: bool = False
    source_rules: tuple[Any, ...] = ()
    calculation_formula: str = ""
    actions_chain: tuple[Mapping[str, Any], ...] = ()
    id: int | None = None

    @classmethod
    def of(cls, rule: RuleSpec | WebParsingRule | Mapping[str, Any]) -> RuleSpec:
        """Accept a stored rule, a mapping with the rule's keys, or a RuleSpec."""
        if isinstance(rule, RuleSpec):
            return rule
        get = rule.get if isinstance(rule, Mapping) else lambda key, default=None: getattr(rule, key, default)
        return cls(
            field_name=str(get("field_name", "") or ""),
            protocol=str(get("protocol", "http") or "http"),
            url_path=str(get("url_path", "/") or "/"),
            xpath=str(get("xpath", "") or ""),
            regex_pattern=str(get("regex_pattern", "") or ""),
            regex_replacement=str(get("regex_replacement", "") or ""),
            is_calculated=bool(get("is_calculated", False)),
            source_rules=tuple(get("source_rules", None) or ()),
            calculation_formula=str(get("calculation_formula", "") or ""),
            actions_chain=tuple(get("actions_chain", None) or ()),
            id=get("id", None),
        )


def load_web_rules(session: Session, printer_id: int) -> list[RuleSpec]:
    """A printer's web rules in creation order, detached so a poll can use them with no session open."""
    rows = session.exec(
        select(WebParsingRule).where(WebParsingRule.printer_id == printer_id).order_by(WebParsingRule.id)
    )
    return [RuleSpec.of(rule) for rule in rows.all()]


@dataclass
class Page:
    """A page as served (`body`, static fetch) or as the browser's DOM (`text`); parsed forms are cached."""

    body: bytes = b""
    content_type: str = ""
    text: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_text(cls, source: str, content_type: str = "") -> Page:
        return cls(text=source, content_type=content_type)

    @cached_property
    def source(self) -> str:
        """The page text: the DOM as given, or the body decoded by its declared charset (header, then meta)."""
        if self.text is not None:
            return self.text
        declared = _CHARSET.search(self.content_type.encode()) or _CHARSET.search(self.body[:4096])
        encoding = declared.group(1).decode() if declared else "utf-8"
        try:
            return self.body.decode(encoding, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def tree(self) -> Any:
        """The document for XPath: XML when the response is XML, else HTML (lenient)."""
        if "tree" not in self._cache:
            self._cache["tree"] = self._parse_tree()
        return self._cache["tree"]

    def data(self) -> Any:
        """The body as JSON, or as a JavaScript object literal when it is not strict JSON."""
        if "data" not in self._cache:
            self._cache["data"] = parse_lenient_json(self.source)
        return self._cache["data"]

    def _parse_tree(self) -> Any:
        raw: bytes | str = self.body if self.text is None else self.text
        if isinstance(raw, str):
            raw = re.sub(r"^\s*<\?xml[^>]*\?>", "", raw)  # lxml refuses a str that declares its encoding
        if not raw.strip():
            raise RuleError(gettext("the page is empty"))
        kind = self.content_type.lower()
        head = self.source[:1024].lstrip().lower()
        if ("xml" in kind and "html" not in kind) or (head.startswith("<?xml") and "<html" not in head):
            try:
                return etree.fromstring(raw.encode() if isinstance(raw, str) else raw, parser=_XML_PARSER)
            except etree.XMLSyntaxError:
                pass  # fall back to the forgiving HTML parser
        try:
            return lxml_html.fromstring(raw)
        except (etree.ParserError, ValueError) as exc:
            raise RuleError(gettext("cannot parse the page: {error}", error=exc)) from None


def parse_lenient_json(text: str) -> Any:
    """Strict JSON first; else quote bare keys, turn 'single' into "double" quotes and drop trailing commas."""
    try:
        return json.loads(text)
    except ValueError:
        pass

    def fix(match: re.Match) -> str:
        single, key, colon, closer = match.groups()
        if key is not None:
            return json.dumps(key) + colon
        if closer is not None:
            return closer
        if single is not None:
            return '"' + re.sub(r'\\\'|"', lambda m: "'" if m.group(0) == "\\'" else '\\"', single) + '"'
        return match.group(0)

    try:
        return json.loads(_JS_TOKEN.sub(fix, text))
    except ValueError as exc:
        raise RuleError(gettext("the page is not JSON: {error}", error=exc)) from None


def json_path(data: Any, path: str) -> Any:
    """The value at `$.a.b[0]['c d']` (no wildcards or filters); raises RuleError when a step is missing."""
    text = path.strip()
    if not text.startswith("$"):
        raise RuleError(gettext("a JSON path starts with '$': {path}", path=path))
    position, value = 1, data
    while position < len(text):
        step = _JSON_PATH_STEP.match(text, position)
        if step is None:
            raise RuleError(gettext("invalid JSON path at '{rest}'", rest=text[position:]))
        key, index, quoted1, quoted2 = step.groups()
        position = step.end()
        name = key if key is not None else quoted1 if quoted1 is not None else quoted2
        try:
            value = value[int(index)] if index is not None else value[name]
        except (KeyError, IndexError, TypeError):
            raise RuleError(gettext("JSON path matched nothing: {path}", path=path)) from None
    return value


def extract_raw(page: Page, expression: str) -> str:
    """The raw (trimmed) value an XPath or JSON path selects, or the whole page text for an empty expression."""
    expression = (expression or "").strip()
    if not expression:
        return page.source
    if expression.startswith("$"):
        value = json_path(page.data(), expression)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        if value is None:
            return ""
        return str(value).lower() if isinstance(value, bool) else str(value).strip()
    try:
        result = page.tree().xpath(expression)
    except etree.XPathError as exc:
        raise RuleError(gettext("invalid XPath: {error}", error=exc)) from None
    text = _xpath_text(result)
    if text is None:
        raise RuleError(gettext("XPath matched nothing"))
    return text


def _xpath_text(result: Any) -> str | None:
    if isinstance(result, list):
        if not result:
            return None
        result = result[0]
    if isinstance(result, bool):
        return str(result).lower()
    if isinstance(result, float):
        if math.isnan(result):
            return None
        return str(int(result)) if result.is_integer() else str(result)
    if isinstance(result, str):
        return result.strip()
    if isinstance(result, etree._Element):
        return "".join(result.itertext()).strip()
    return str(result).strip()


def apply_regex(value: str, pattern: str, replacement: str = "") -> str:
    """docs/web-rules.md §5.2: substitute all (with a replacement) or take group 1 / the match; upper-case; bad regex →
    value.

    A pattern or text over the limits of `web_regex` (time included) is a RuleError: the rule yields nothing.
    """
    if not pattern:
        return value
    try:
        compiled = web_regex.compile_pattern(pattern)
        if replacement:
            result = web_regex.substitute(compiled, replacement, value)
        elif match := web_regex.search(compiled, value):
            result = (match.group(1) or "") if compiled.groups else match.group(0)
        else:
            result = value
    except web_regex.RegexLimitError as exc:
        raise RuleError(str(exc)) from None
    except (web_regex.error, IndexError):
        return value
    return result.upper()


def to_integer(value: str) -> int:
    """docs/web-rules.md §5.2: drop spaces and commas, cut at the first '.', join every digit run; no digits → 0."""
    head = re.sub(r"[\s,]", "", value).split(".", 1)[0]
    digits = "".join(re.findall(r"[0-9]+", head))
    if len(digits) > MAX_DIGITS:
        raise RuleError(gettext("number with more than {n} digits", n=MAX_DIGITS))
    return int(digits) if digits else 0


def supply_state_word(text: str) -> str:
    """The supply state a status word names ("OK", "Low", "Replace cartridge", "Error", ...); else "unknown"."""
    for state, pattern in _SUPPLY_WORDS:
        if pattern.search(text):
            return state.value
    return SupplyState.UNKNOWN.value


def convert_value(field_name: str, value: str) -> str | int | None:
    """The field's typed value: MAC (or None when not 12 hex digits), serial string, or an integer.

    A toner or drum without a digit is a status word and becomes a supply state, never 0 %.
    """
    if field_name == WebField.MAC_ADDRESS:
        compact = _MAC_SEPARATORS.sub("", value)
        return normalize_mac(compact) if re.fullmatch(r"[0-9A-Fa-f]{12}", compact) else None
    if field_name == WebField.SERIAL_NUMBER:
        return value.strip()
    if field_name.startswith(_SUPPLY_FIELD_PREFIXES) and not re.search(r"\d", value):
        return supply_state_word(value)
    return to_integer(value)


def process_value(field_name: str, raw: str, pattern: str = "", replacement: str = "") -> str | int:
    """Regex then conversion (docs/web-rules.md §5.2); a value the field cannot use raises RuleError."""
    value = convert_value(field_name, apply_regex(raw, pattern, replacement))
    if value is None:
        raise RuleError(gettext("not a valid MAC address (12 hex digits)"))
    if value == "":
        raise RuleError(gettext("empty value"))
    return value


def shorten(raw: str) -> str:
    """A raw value for display: long ones (a whole page) are cut."""
    return raw if len(raw) <= RAW_PREVIEW_CHARS else raw[:RAW_PREVIEW_CHARS] + "…"


def evaluate_rule(
    page_source: str | Page, rule_like: RuleSpec | WebParsingRule | Mapping[str, Any]
) -> tuple[str | None, str | int | None, str]:
    """Rule builder: (raw value, processed value, error) of one rule on a page the user already fetched.

    The raw value is shortened for display (see `shorten`).
    """
    rule = RuleSpec.of(rule_like)
    if rule.is_calculated:
        return None, None, "a calculated field needs the other fields: use test_rules"
    page = page_source if isinstance(page_source, Page) else Page.from_text(page_source)
    try:
        raw = extract_raw(page, rule.xpath)
    except RuleError as exc:
        return None, None, str(exc)
    try:
        return shorten(raw), process_value(rule.field_name, raw, rule.regex_pattern, rule.regex_replacement), ""
    except RuleError as exc:
        return shorten(raw), None, str(exc)
