"""The rule builder accepts a picked XPath only when the preview was annotated with it and it finds an element of
the page source: the preview frame is the printer page's document, and could post anything (issue #11 B9)."""

from __future__ import annotations

import pytest

from printer_app.services.web.builder import annotate_xpaths, is_picked_xpath
from printer_app.services.web.rules import Page

SOURCE = """<html><head><title>Status</title><link rel="prefetch" href="http://198.51.100.7/x"></head>
<body><table><tr><td>Total</td><td id="total">8,862</td></tr><tr><td>Serial</td><td>ZHJ020393</td></tr></table>
<p data-pi-xpath="//p[@id='x'] | //*">fake annotation of the page's own</p></body></html>"""
ANNOTATED = annotate_xpaths(SOURCE)


@pytest.mark.parametrize("xpath", ["//td[@id='total']", "/html/body/table/tr[2]/td[2]", "/html/body/p"])
def test_an_xpath_of_the_preview_is_accepted(xpath: str) -> None:
    assert f'data-pi-xpath="{xpath}"' in ANNOTATED
    assert is_picked_xpath(ANNOTATED, Page.from_text(SOURCE), xpath)


@pytest.mark.parametrize(
    "xpath",
    [
        "//td",  # finds elements, but the preview has no such annotation
        "//p[@id='x'] | //*",  # the page's own attribute was overwritten by the annotation
        "count(//*)",
        "//td[",
        "",
    ],
)
def test_anything_else_is_refused(xpath: str) -> None:
    assert not is_picked_xpath(ANNOTATED, Page.from_text(SOURCE), xpath)


def test_an_annotation_that_finds_nothing_in_the_source_is_refused() -> None:
    other_source = Page.from_text("<html><body><div>no table here</div></body></html>")
    assert not is_picked_xpath(ANNOTATED, other_source, "//td[@id='total']")
