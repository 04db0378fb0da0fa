"""The web parsing engine (docs/web-rules.md §5): run a printer's rules against its web pages and turn the fields into
a reading.

Rules are grouped by URL (`protocol://printer IP + url_path`, see `web_fetch.page_url` for the `:PORT/` form).
A URL is fetched once with a plain HTTP GET unless one of its rules has an action chain; then it is opened in the
headless browser and each rule runs its actions before reading the DOM. An action chain of just
`[{"type": "wait", "wait": 0}]` therefore means "render this page with JavaScript, no clicks needed".
Calculated rules run after every URL (docs/web-rules.md §5.3).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from html import escape
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from printer_app.i18n import gettext
from printer_app.models import Printer, WebParsingRule
from printer_app.models.choices import WebField
from printer_app.services.web.browser import BrowserVisit, render_page, render_pages
from printer_app.services.web.fetch import WebFetchError, fetch_page, page_url
from printer_app.services.web.formula import FormulaError, evaluate_formula, formula_names
from printer_app.services.web.rules import (
    Page,
    RuleError,
    RuleSpec,
    extract_raw,
    parse_lenient_json,
    process_value,
    shorten,
)

RuleLike = RuleSpec | WebParsingRule | Mapping[str, Any]
COUNTER_KEYS = {
    WebField.COUNTER: "TOTAL",
    WebField.COUNTER_A4_BW: "BW_A4",
    WebField.COUNTER_A3_BW: "BW_A3",
    WebField.COUNTER_A4_COLOR: "COLOR_A4",
    WebField.COUNTER_A3_COLOR: "COLOR_A3",
}
SUPPLY_FIELDS = {
    f"{kind}_{colour}": (kind, colour)
    for kind in ("toner", "drum")
    for colour in ("black", "cyan", "magenta", "yellow")
}


@dataclass
class FieldResult:
    """What one rule produced: the raw text it found, the processed value, or why it produced nothing."""

    field_name: str
    raw: str | None = None
    value: str | int | None = None
    error: str = ""
    url: str = ""
    rule_id: int | None = None


@dataclass
class WebParseResult:
    """All rules of one printer: per-rule results, and the fields they produced (docs/web-rules.md §5.3 "Result")."""

    results: list[FieldResult] = field(default_factory=list)

    @property
    def values(self) -> dict[str, str | int]:
        """Every produced value, variables included (the first rule that produced a field wins)."""
        out: dict[str, str | int] = {}
        for r in self.results:
            if not r.error and r.value is not None:
                out.setdefault(r.field_name, r.value)
        return out

    @property
    def fields(self) -> dict[str, str | int]:
        """The output fields: variables are only for formulas."""
        return {k: v for k, v in self.values.items() if not k.startswith("variable_")}

    @property
    def raw(self) -> dict[str, str]:
        return {r.field_name: r.raw for r in self.results if r.raw is not None}

    @property
    def errors(self) -> dict[str, str]:
        """Why each field that produced nothing failed (several rules for one field: all their reasons)."""
        produced = self.values
        out: dict[str, str] = {}
        for r in self.results:
            if r.error and r.field_name not in produced:
                out[r.field_name] = f"{out[r.field_name]}; {r.error}" if r.field_name in out else r.error
        return out

    @property
    def success(self) -> bool:
        return bool(self.fields)

    def error_text(self) -> str:
        return "; ".join(f"{name}: {error}" for name, error in self.errors.items()) or gettext("No results")


def credentials(printer: Printer) -> tuple[str, str] | None:
    """Basic-auth credentials from the printer's web login, if it has one."""
    return (printer.web_username, printer.web_password or "") if printer.web_username else None


def run_rules(printer: Printer, rules: Iterable[RuleLike]) -> WebParseResult:
    """Evaluate every rule of a printer (pages first, calculated fields last); never raises for a device problem."""
    specs = [RuleSpec.of(r) for r in rules]
    results: dict[int, FieldResult] = {}
    by_url: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        if spec.is_calculated:
            continue
        try:
            url = page_url(spec.protocol, printer.ip_address, spec.url_path)
        except WebFetchError as exc:
            results[i] = FieldResult(spec.field_name, error=str(exc), rule_id=spec.id)
            continue
        results[i] = FieldResult(spec.field_name, url=url, rule_id=spec.id)
        by_url.setdefault(url, []).append(i)
    rendered = {url: idx for url, idx in by_url.items() if any(specs[i].actions_chain for i in idx)}
    static = {url: idx for url, idx in by_url.items() if url not in rendered}
    auth = credentials(printer)
    for url, indexes in static.items():
        _read_static(url, auth, [(results[i], specs[i]) for i in indexes])
    if rendered:
        _read_rendered(rendered, auth, results, specs)
    ordered = [results[i] for i in sorted(results)]
    _calculate(ordered, specs)
    return WebParseResult(ordered)


def _read_static(url: str, auth: tuple[str, str] | None, targets: list[tuple[FieldResult, RuleSpec]]) -> None:
    """One HTTP GET for every rule of this URL."""
    try:
        fetched = fetch_page(url, auth=auth)
    except WebFetchError as exc:
        for result, _spec in targets:
            result.error = str(exc)
        return
    page = Page(body=fetched.body, content_type=fetched.content_type)
    for result, spec in targets:
        _evaluate(result, page, spec)


def _read_rendered(
    urls: dict[str, list[int]], auth: tuple[str, str] | None, results: dict[int, FieldResult], specs: list[RuleSpec]
) -> None:
    """One browser job for all of the printer's browser URLs; each rule reads the DOM after its own actions."""
    visits = [BrowserVisit(url, [list(specs[i].actions_chain) for i in idx]) for url, idx in urls.items()]
    try:
        snapshots = render_pages(visits, auth=auth)
    except WebFetchError as exc:
        snapshots = [[(None, str(exc))] * len(v.action_chains) for v in visits]
    for indexes, shots in zip(urls.values(), snapshots, strict=True):
        for i, (html, error) in zip(indexes, shots, strict=True):
            if error:
                results[i].error = error
            else:
                _evaluate(results[i], Page.from_text(html or ""), specs[i])


def _evaluate(result: FieldResult, page: Page, spec: RuleSpec) -> None:
    try:
        raw = extract_raw(page, spec.xpath)
        result.raw = shorten(raw)
        result.value = process_value(spec.field_name, raw, spec.regex_pattern, spec.regex_replacement)
    except RuleError as exc:
        result.error = str(exc)


def _calculate(results: list[FieldResult], specs: list[RuleSpec]) -> None:
    """docs/web-rules.md §5.3 with field-name variables (and `rule_<id>` for formulas written the original way)."""
    context: dict[str, int] = {}
    known = {s.field_name for s in specs} | {f"rule_{s.id}" for s in specs if s.id is not None}
    by_id = {s.id: s.field_name for s in specs if s.id is not None}

    def offer(result: FieldResult) -> None:
        if not result.error and isinstance(result.value, int):
            context.setdefault(result.field_name, result.value)
            if result.rule_id is not None:
                context[f"rule_{result.rule_id}"] = result.value

    for r in results:
        offer(r)
    for spec in specs:
        if not spec.is_calculated:
            continue
        result = FieldResult(spec.field_name, raw=spec.calculation_formula, rule_id=spec.id)
        sources = formula_names(spec.calculation_formula) + [f"rule_{i}" for i in spec.source_rules if i in by_id]
        missing = [name for name in dict.fromkeys(sources) if name in known and name not in context]
        if missing:
            result.error = f"skipped: no value for {', '.join(missing)}"
        else:
            try:
                result.value = evaluate_formula(spec.calculation_formula, context)
            except FormulaError as exc:
                result.error = f"formula error: {exc}"
        results.append(result)
        offer(result)


def glpi_xml_document(
    printer: Printer, fields: Mapping[str, Any], *, model_name: str = "", manufacturer: str = ""
) -> bytes:
    """docs/web-rules.md §5.5: the GLPI-compatible netinventory document of a web poll (for export and the XML
    import)."""
    serial = str(fields.get(WebField.SERIAL_NUMBER) or printer.serial_number or "")
    model = model_name or printer.model or ""
    root = etree.Element("REQUEST")
    content = etree.SubElement(root, "CONTENT")
    device = etree.SubElement(content, "DEVICE")
    info = _children(
        device,
        "INFO",
        MODEL=model,
        NAME=model,
        SERIAL=serial,
        MAC=str(fields.get(WebField.MAC_ADDRESS) or printer.mac_address or ""),
        MANUFACTURER=manufacturer or "Unknown",
        TYPE="PRINTER",
    )
    etree.SubElement(etree.SubElement(info, "IPS"), "IP").text = printer.ip_address
    _children(device, "PAGECOUNTERS", **{key: str(fields.get(name, 0)) for name, key in COUNTER_KEYS.items()})
    supplies = {f"{kind}{colour}".upper(): str(fields[n]) for n, (kind, colour) in SUPPLY_FIELDS.items() if n in fields}
    if supplies:
        _children(device, "CARTRIDGES", **supplies)
    _children(content, None, MODULEVERSION="6.8", PROCESSNUMBER="1")
    _children(root, None, DEVICEID=serial or "unknown", QUERY="WEBQUERY")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _children(parent: Any, tag: str | None, **values: str) -> Any:
    node = parent if tag is None else etree.SubElement(parent, tag)
    for key, value in values.items():
        etree.SubElement(node, key).text = value
    return node


def xml_export_name(serial: str) -> str:
    """`xml_exports/<name>`: the serial reduced to [A-Za-z0-9_-] (docs/inventory-and-polling.md §3.4)."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in serial.strip())
    return f"{cleaned or 'unknown'}.xml"


@dataclass
class PagePreview:
    """Rule builder: a printer page as rules see it (`source`) and a script-free copy to show (`html`)."""

    html: str = ""
    source: str = ""
    error: str = ""


def preview_page(printer: Printer, url_path: str, *, render: bool, protocol: str = "http") -> PagePreview:
    """Fetch one page through the SSRF guard, statically or rendered by the browser, for the rule builder."""
    try:
        url = page_url(protocol, printer.ip_address, url_path)
        if render:
            page = Page.from_text(render_page(url, auth=credentials(printer)))
        else:
            fetched = fetch_page(url, auth=credentials(printer))
            page = Page(body=fetched.body, content_type=fetched.content_type)
    except WebFetchError as exc:
        return PagePreview(error=str(exc))
    return PagePreview(html=_display_html(page), source=page.source)


def test_rules(printer: Printer, rules: Iterable[RuleLike]) -> WebParseResult:
    """Rule builder "Test": every rule, saved or not, with its raw value, processed value or error."""
    return run_rules(printer, rules)


def _display_html(page: Page) -> str:
    """The page without scripts, frames, links or event handlers; still meant for a sandboxed iframe, not the app."""
    if "json" in page.content_type.lower() or page.source.lstrip()[:1] in ("{", "["):
        try:
            return _pre(json.dumps(parse_lenient_json(page.source), indent=2, ensure_ascii=False))
        except RuleError:
            return _pre(page.source)
    try:
        tree = page.tree()
    except RuleError:
        return _pre(page.source)
    if not isinstance(tree, lxml_html.HtmlElement):  # XML: show it as text
        return _pre(page.source)
    tree = deepcopy(tree)
    dropped = "//script | //iframe | //frame | //object | //embed | //base | //link | //meta[@http-equiv]"
    for node in tree.xpath(dropped):  # links: prefetch / preconnect / dns-prefetch reach hosts a CSP cannot stop
        node.drop_tree()
    for node in tree.iter(etree.Element):
        for name in [a for a in node.attrib if a.lower().startswith("on")]:
            del node.attrib[name]
        for name in ("href", "src", "action"):
            if node.get(name, "").strip().lower().startswith("javascript:"):
                node.set(name, "#")
    return lxml_html.tostring(tree, encoding="unicode")


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"
