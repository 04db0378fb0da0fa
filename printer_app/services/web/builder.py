"""Rule builder support: a printer page prepared for picking elements, and the XPath each element is found by.

The preview (web_parser.preview_page, scripts already removed) gets a `data-pi-xpath` attribute on every element:
the XPath that finds that element again when a rule is evaluated on the page (the nearest ancestor with a unique
id, then tag steps with positions). Clicking an element in the preview hands that attribute to the form, so the
browser never has to guess a path (Chromium adds `<tbody>` elements that the page source, and lxml, do not have).
"""

from __future__ import annotations

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
