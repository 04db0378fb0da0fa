"""Rule builder: the printer page fetched into a preview (rendered, and its source) for writing or picking XPaths."""

from __future__ import annotations

import asyncio

import reflex as rx

from printer_app.db import session_scope
from printer_app.models import Printer
from printer_app.services.web.builder import builder_preview
from printer_app.services.web.fetch import WebFetchError, page_url
from printer_app.services.web.rules import Page
from printer_app.state.session import SessionState, requires
from printer_app.state.web.rules import MANAGE, route_printer_id

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

    @rx.event
    def clear(self) -> None:
        self.url, self.html, self.source_view, self.error, self.fetched_path, self._source = "", "", "", "", "", ""
        self.fetching = self.rendered = False

    @rx.event
    def set_render(self, value: bool) -> None:
        self.render = bool(value)

    @rx.event(background=True)
    @requires(MANAGE)
    async def fetch(self, protocol: str, url_path: str):
        """Fetch the page through the SSRF guard (statically, or rendered by the headless browser)."""
        async with self:
            if self.fetching:
                return None
            printer = _printer(route_printer_id(self))
            if printer is None:
                return rx.toast.error("The printer no longer exists")
            try:
                self.url = page_url(protocol, printer.ip_address, url_path)
            except WebFetchError as exc:
                self.error, self.html, self.source_view, self._source = str(exc), "", "", ""
                return None
            self.fetching, self.error = True, ""
            render = self.render
        try:
            preview = await asyncio.to_thread(builder_preview, printer, url_path, render=render, protocol=protocol)
        finally:
            async with self:
                self.fetching = False
        async with self:
            self.error = preview.error
            self.html, self._source = preview.html, preview.source
            self.source_view = preview.source[:SOURCE_VIEW_CHARS]
            self.fetched_path = url_path if not preview.error else ""
            self.rendered = render and not preview.error
        from printer_app.state.web.rule_editor import WebRuleEditorState

        return WebRuleEditorState.evaluate


def _printer(printer_id: int) -> Printer | None:
    """The printer, detached (the fetch runs with no session open)."""
    with session_scope() as session:
        printer = session.get(Printer, printer_id)
        if printer is not None:
            session.expunge(printer)
        return printer
