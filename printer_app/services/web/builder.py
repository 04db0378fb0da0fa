"""Rule builder support: a printer page prepared for picking elements, and the XPath each element is found by.

The preview (web_parser.preview_page, scripts already removed) gets a `data-pi-xpath` attribute on every element:
the XPath that finds that element again when a rule is evaluated on the page (the nearest ancestor with a unique
id, then tag steps with positions). Clicking an element in the preview hands that attribute to the server, so the
browser never has to guess a path (Chromium adds `<tbody>` elements that the page source, and lxml, do not have).

The form then gets the picked element's anchored XPath (`anchored_xpath`): found by the label beside it
(`//td[normalize-space()='Serial Number']/following-sibling::td[1]`) or by an id, which survives a firmware that adds
a row above it; the positional path stays the fallback when no anchor finds exactly that element.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from printer_app.models import Printer
from printer_app.services.web.parser import PagePreview, preview_page
from printer_app.services.web.rules import Page, RuleError

XPATH_ATTRIBUTE = "data-pi-xpath"
_ID_SAFE = frozenset("'\"")


def builder_preview(printer: Printer, url_path: str, *, render: bool, protocol: str = "http") -> PagePreview:
    """The page for the rule builder: `html` annotated for picking, `source` as rules see it."""
    preview = preview_page(printer, url_path, render=render, protocol=protocol)
    if preview.error:
        return preview
    return PagePreview(html=annotate_xpaths(preview.html), source=preview.source)


def annotate_xpaths(document: str) -> str:
    """The HTML with `data-pi-xpath` on every element; text shown as `<pre>` (JSON, XML) is returned unchanged."""
    if not document.strip() or document.lstrip().startswith("<pre>"):
        return document
    try:
        root = lxml_html.fromstring(document)
    except (etree.ParserError, ValueError):
        return document
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    ids = Counter(el.get("id") for el in elements if el.get("id"))
    paths: dict[Any, str] = {}
    for el in elements:
        parent = el.getparent()
        path = _unique_id_path(el, ids)
        if path is None:
            prefix = paths.get(parent) if parent is not None else None
            path = (prefix if prefix is not None else root.getroottree().getpath(el).rsplit("/", 1)[0]) + _step(el)
        paths[el] = path
        el.set(XPATH_ATTRIBUTE, path)
    return lxml_html.tostring(root, encoding="unicode")


def is_picked_xpath(annotated: str, page: Page, xpath: str) -> bool:
    """True when `xpath` came from the preview: the annotated page has it, and it finds an element in the source.

    The preview frame is the page's document: whatever script survived the sanitizer could post any "pick".
    """
    if not xpath or not annotated.strip():
        return False
    try:
        ours = lxml_html.fromstring(annotated).xpath(f"//*[@{XPATH_ATTRIBUTE}=$xpath]", xpath=xpath)
        return bool(ours) and any(isinstance(el, etree._Element) for el in page.tree().xpath(xpath))
    except (etree.ParserError, etree.XPathError, RuleError, ValueError):
        return False


def _unique_id_path(el: Any, ids: Counter) -> str | None:
    element_id = el.get("id") or ""
    if element_id and ids[element_id] == 1 and not (_ID_SAFE & set(element_id)):
        return f"//{el.tag}[@id='{element_id}']"
    return None


def _step(el: Any) -> str:
    """`/tag`, or `/tag[n]` when the parent has several children with this tag."""
    before = sum(1 for s in el.itersiblings(preceding=True) if s.tag == el.tag)
    after = any(s.tag == el.tag for s in el.itersiblings())
    return f"/{el.tag}[{before + 1}]" if before or after else f"/{el.tag}"


ANCHOR_LEVELS = 4  # the picked element, or one of its ancestors this many levels up, sits beside its label
LABEL_MAX_CHARS = 80
_VALUE_DIGITS = re.compile(r"\d{3}")


def anchored_xpath(annotated: str, page: Page, xpath: str) -> str:
    """The XPath of the element picked as `xpath` (its `data-pi-xpath`), anchored on a label or an id where one finds
    exactly that element, in the preview and in the page rules read; else `xpath` itself."""
    try:
        shown = lxml_html.fromstring(annotated)
        picked = shown.xpath(f"//*[@{XPATH_ATTRIBUTE}=$xpath]", xpath=xpath)
        source = page.tree()
    except (etree.ParserError, etree.XPathError, RuleError, ValueError):
        return xpath
    if len(picked) != 1:
        return xpath
    if xpath.startswith("//") and "[@id=" in xpath.split("/")[2]:
        return xpath  # already found by a unique id of its own (or an ancestor's)
    element = picked[0]
    for candidate in _anchor_candidates(element):
        if _selects_only(shown, candidate, element) and _same_in_source(source, candidate, element):
            return candidate
    return xpath


def _anchor_candidates(element: Any):
    """XPaths that find `element` from a label beside it or an id above it, nearest anchor first."""
    below = ""  # the steps from the anchored ancestor down to the element
    node = element
    for _level in range(ANCHOR_LEVELS):
        if node is None or not isinstance(node.tag, str) or node.tag in ("html", "body"):
            return
        element_id = node.get("id") or ""
        if element_id and not (_ID_SAFE & set(element_id)):
            yield f"//*[@id='{element_id}']{below}"
        for sibling in node.itersiblings(preceding=True):
            label = _label(sibling) if isinstance(sibling.tag, str) else None
            if label is not None:
                step = f"{node.tag}[{_following_position(sibling, node)}]"
                yield f"//{sibling.tag}[{label}]/following-sibling::{step}{below}"
                break
        parent = node.getparent()
        if parent is None:
            return
        below = _step(node) + below
        node = parent


def _following_position(label: Any, node: Any) -> int:
    """`node`'s position among the following siblings of `label` with its tag (1 = the first)."""
    position = 0
    for sibling in label.itersiblings():
        if isinstance(sibling.tag, str) and sibling.tag == node.tag:
            position += 1
            if sibling is node:
                return position
    return 0


def _label(element: Any) -> str | None:
    """The XPath predicate that finds the element by its text when it reads as a label, else None.

    A label is short, has a letter and one piece of text (a row holding a label and its value is no label: the value
    changes). Text with no-break spaces is matched by its longest plain part (`contains`), which a reader can type.
    """
    pieces = [t for t in element.xpath(".//text()") if t.strip(" \t\r\n\xa0")]
    text = element.xpath("normalize-space()")
    if len(pieces) != 1 or len(text) > LABEL_MAX_CHARS or not any(c.isalpha() for c in text):
        return None
    if "%" in text or _VALUE_DIGITS.search(text):
        return None  # "Cyan ~ 60%", "Pages 1573": a value changes, a label does not
    if "\xa0" in text:
        part = max((p.strip() for p in text.split("\xa0")), key=len)
        literal = _literal(part)
        return f"contains(., {literal})" if literal and any(c.isalpha() for c in part) else None
    literal = _literal(text)
    return f"normalize-space()={literal}" if literal else None


def _literal(text: str) -> str | None:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


def _selects_only(tree: Any, xpath: str, element: Any) -> bool:
    try:
        found = tree.xpath(xpath)
    except etree.XPathError:
        return False
    return len(found) == 1 and found[0] is element


def _same_in_source(tree: Any, xpath: str, element: Any) -> bool:
    """The page rules read finds exactly one element there, with the picked element's text."""
    try:
        found = tree.xpath(xpath)
    except etree.XPathError:
        return False
    return (
        len(found) == 1
        and isinstance(found[0], etree._Element)
        and found[0].xpath("normalize-space()") == element.xpath("normalize-space()")
    )
