"""Rule builder: the printer page fetched into a preview (rendered, and its source) for writing or picking XPaths.

The form asks for a fetch (WebRuleEditorState.fetch_page: it holds the URL, and evaluates its rule on the page
fetched); this state holds what was fetched and shows it.
"""

from __future__ import annotations

import reflex as rx

from printer_app.services.web.parser import PagePreview
from printer_app.services.web.rules import Page
from printer_app.state.session import SessionState

SOURCE_VIEW_CHARS = 200_000  # the Source tab shows this much; rules always see the whole page


class WebPreviewState(SessionState):
    """The last fetched page; `_source` (server-side only) is what the form's rule is evaluated on."""

    url: str = ""
    render: bool = False
    fetching: bool = False
    html: str = ""
    source_view: str = ""
    error: str = ""
    fetched_path: str = ""
    rendered: bool = False  # the shown page is the browser's DOM (a rule picked on it must run in the browser too)
    _source: str = ""

    @rx.var
    def has_page(self) -> bool:
        return bool(self.html or self.source_view)

    def _page(self) -> Page | None:
        """The fetched page for evaluating a rule, or None before the first fetch."""
        return Page.from_text(self._source) if self._source or self.html else None

    def _reset(self) -> None:
        """Nothing fetched (the page loads with an empty preview)."""
        self.url, self.html, self.source_view, self.error, self.fetched_path, self._source = "", "", "", "", "", ""
        self.fetching = self.rendered = False

    @rx.event
    def set_render(self, value: bool) -> None:
        self.render = bool(value)

    def _refused(self, error: str) -> None:
        """The page may not be fetched at all (the SSRF guard refused its URL): nothing is shown."""
        self.error, self.html, self.source_view, self._source = error, "", "", ""

    def _show(self, preview: PagePreview, url_path: str, *, render: bool) -> None:
        """What a fetch of `url_path` brought back (its error, or the page)."""
        self.error = preview.error
        self.html, self._source = preview.html, preview.source
        self.source_view = preview.source[:SOURCE_VIEW_CHARS]
        self.fetched_path = url_path if not preview.error else ""
        self.rendered = render and not preview.error
