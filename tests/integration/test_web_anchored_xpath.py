"""Rule builder picks on the real printer pages (tests/data/web, served by a local printer web server): the XPath the
form gets is anchored on the label beside the value or on an id, finds exactly the picked element, reads the same
value as the positional path, and still finds it when the firmware adds a row above it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from lxml import html as lxml_html

from printer_app.config import get_settings
from printer_app.models import Printer
from printer_app.services.web.builder import XPATH_ATTRIBUTE, anchored_xpath, builder_preview
from printer_app.services.web.rules import Page
from tests.web_server import FILES, PrinterWebServer

HTML_PAGES = [path for path, (_name, kind) in FILES.items() if "html" in kind]
# (page, the value clicked, the XPath the form must get)
PICKS = [
    ("/infomation.asp", "ZHJ020393", "//td[normalize-space()='Printer Serial Number']/following-sibling::td[1]/font"),
    ("/infomation.asp", "GQXR3Y1", "//td[normalize-space()='Dell Service Tag Number']/following-sibling::td[1]/font"),
    ("/prtmaint/prtvolume.asp", "8862", "//td[normalize-space()='Drucker-Seitenzähler']/following-sibling::td[1]/font"),
    (
        "/Information/supplies_status.htm",
        "CRUM-15093000376",
        "//td[contains(., 'Serial Number')]/following-sibling::td[1]",
    ),
    (
        "/PRESENTATION/ADVANCED/INFO_MENTINFO/TOP",
        "1250",
        "//dt[contains(., 'Total Number of Pages')]/following-sibling::dd[1]/div",
    ),
    ("/PRESENTATION/HTML/TOP/PRTINFO.HTML", "B0:E8:92:05:3D:87", None),  # an id above it: checked below
]


@pytest.fixture(scope="module")
def server() -> Iterator[PrinterWebServer]:
    previous = os.environ.get("ALLOW_LOOPBACK_TARGETS")
    os.environ["ALLOW_LOOPBACK_TARGETS"] = "true"
    get_settings.cache_clear()
    with PrinterWebServer() as web:
        yield web
    if previous is None:
        os.environ.pop("ALLOW_LOOPBACK_TARGETS", None)
    else:
        os.environ["ALLOW_LOOPBACK_TARGETS"] = previous
    get_settings.cache_clear()


def _fetched(server: PrinterWebServer, path: str) -> tuple[str, Page]:
    preview = builder_preview(Printer(ip_address="127.0.0.1"), server.path(path), render=False)
    assert not preview.error, preview.error
    return preview.html, Page.from_text(preview.source)


def _leaves(annotated: str) -> list:
    """The elements a user would click: those holding text of their own."""
    root = lxml_html.fromstring(annotated)
    return [el for el in root.iter() if isinstance(el.tag, str) and len(el) == 0 and el.xpath("normalize-space()")]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_pick_selects_exactly_the_picked_element(server: PrinterWebServer, path: str) -> None:
    annotated, page = _fetched(server, path)
    shown = lxml_html.fromstring(annotated)
    anchored = 0
    for leaf in _leaves(annotated):
        positional = leaf.get(XPATH_ATTRIBUTE)
        xpath = anchored_xpath(annotated, page, positional)
        found = shown.xpath(xpath)
        assert len(found) == 1 and found[0].get(XPATH_ATTRIBUTE) == positional, (path, positional, xpath)
        if xpath == positional:
            continue  # no anchor: the preview's own path, as before
        in_source = page.tree().xpath(xpath)
        assert len(in_source) == 1, (path, xpath)
        assert in_source[0].xpath("normalize-space()") == leaf.xpath("normalize-space()")
        anchored += 1
    assert anchored >= 2, f"{path}: no pick was anchored"


@pytest.mark.parametrize(("path", "value", "expected"), PICKS)
def test_a_value_is_found_by_its_label(server: PrinterWebServer, path: str, value: str, expected: str | None) -> None:
    annotated, page = _fetched(server, path)
    leaf = next(el for el in _leaves(annotated) if el.xpath("normalize-space()") == value)
    positional = leaf.get(XPATH_ATTRIBUTE)
    xpath = anchored_xpath(annotated, page, positional)
    if expected is None:
        assert xpath.startswith("//") and "[@id=" in xpath
    else:
        assert xpath == expected
        assert xpath != positional
    assert [el.xpath("normalize-space()") for el in page.tree().xpath(xpath)] == [value]


def test_the_anchored_xpath_survives_a_row_added_above_it(server: PrinterWebServer) -> None:
    annotated, page = _fetched(server, "/infomation.asp")
    leaf = next(el for el in _leaves(annotated) if el.xpath("normalize-space()") == "ZHJ020393")
    positional = leaf.get(XPATH_ATTRIBUTE)
    anchored = anchored_xpath(annotated, page, positional)
    newer = page.source.replace(
        "<tr>\n        <td width=50% nowrap><b><font size=-1>Printer Serial Number",
        "<tr><td><b>Contract</b></td><td>K-17</td></tr>\n    <tr>\n"
        "        <td width=50% nowrap><b><font size=-1>Printer Serial Number",
    )
    assert newer != page.source
    tree = Page.from_text(newer).tree()
    assert [el.xpath("normalize-space()") for el in tree.xpath(anchored)] == ["ZHJ020393"]
    assert [el.xpath("normalize-space()") for el in tree.xpath(positional)] != ["ZHJ020393"]


def test_no_anchor_keeps_the_positional_path(server: PrinterWebServer) -> None:
    """A value whose neighbours are all values (no label, no id) keeps the path the preview gave."""
    page = Page.from_text(
        "<html><body><table><tr><td>12</td><td>34</td></tr><tr><td>56</td></tr></table></body></html>"
    )
    from printer_app.services.web.builder import annotate_xpaths

    annotated = annotate_xpaths(page.source)
    leaf = next(el for el in _leaves(annotated) if el.xpath("normalize-space()") == "34")
    positional = leaf.get(XPATH_ATTRIBUTE)
    assert anchored_xpath(annotated, page, positional) == positional
    assert anchored_xpath(annotated, page, "//td[9]") == "//td[9]"  # not a pick of this page: unchanged
