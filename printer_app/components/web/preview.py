"""Rule builder: the fetched printer page (in a sandboxed iframe, scripts removed) and its source.

Picking: the preview carries a tiny script of ours (the page's own scripts were removed on the server). A click on
an element posts that element's `data-pi-xpath` to this window; a listener installed once per tab checks that the
message comes from the preview frame and hands it to a hidden input, whose change event reaches the server, which
accepts only an XPath the preview was annotated with that finds an element in the page source.
The iframe is sandboxed with scripts only: no same-origin access, no forms, no navigation of this page; its
Content-Security-Policy lets no resource load and no script run but the picker.
"""

from __future__ import annotations

import base64
import hashlib

import reflex as rx

from printer_app.components.forms import busy_button
from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.i18n import N_
from printer_app.state.web.preview import WebPreviewState
from printer_app.state.web.rule_editor import WebRuleEditorState

P = WebPreviewState
FRAME_ID = "preview-frame"
PICK_INPUT_ID = "picked-xpath"

PICKER_SCRIPT = """
(function () {
  var hovered = null;
  function target(e) { return e.target && e.target.closest ? e.target.closest("[data-pi-xpath]") : null; }
  document.addEventListener("mouseover", function (e) {
    var el = target(e);
    if (hovered && hovered !== el) hovered.classList.remove("pi-hover");
    hovered = el;
    if (el) el.classList.add("pi-hover");
  }, true);
  document.addEventListener("click", function (e) {
    e.preventDefault();
    e.stopPropagation();
    var el = target(e);
    if (!el) return;
    document.querySelectorAll(".pi-picked").forEach(function (n) { n.classList.remove("pi-picked"); });
    el.classList.add("pi-picked");
    parent.postMessage({type: "pi-pick", xpath: el.getAttribute("data-pi-xpath")}, "*");
  }, true);
  document.addEventListener("submit", function (e) { e.preventDefault(); }, true);
  document.documentElement.setAttribute("data-pi-ready", "1");  // clicks from now on are picks
})();
"""
PICKER = f"""
<style>
.pi-hover{{outline:2px dashed #0090ff !important;outline-offset:1px;cursor:crosshair}}
.pi-picked{{outline:2px solid #e5484d !important;outline-offset:1px;background:rgba(229,72,77,.10) !important}}
</style>
<script>{PICKER_SCRIPT}</script>
"""
# First in the frame's document, so it governs all of it: nothing is loaded from anywhere (a printer page must not
# beacon from the user's browser), and no script runs but the picker above.
_PICKER_HASH = base64.b64encode(hashlib.sha256(PICKER_SCRIPT.encode()).digest()).decode()
PREVIEW_POLICY = (
    f"default-src 'none'; script-src 'sha256-{_PICKER_HASH}'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; base-uri 'none'; form-action 'none'"
)
PREVIEW_HEAD = (
    f'<meta http-equiv="Content-Security-Policy" content="{PREVIEW_POLICY}">'
    '<meta http-equiv="x-dns-prefetch-control" content="off">'
)

LISTENER = f"""
if (!window.__piPickListener) {{
  window.__piPickListener = true;
  window.addEventListener("message", function (e) {{
    var frame = document.getElementById("{FRAME_ID}");
    var input = document.getElementById("{PICK_INPUT_ID}");
    var data = e.data;
    if (!frame || !input || e.source !== frame.contentWindow || e.origin !== "null") return;  // the sandboxed frame
    if (!data || data.type !== "pi-pick" || typeof data.xpath !== "string") return;
    var setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    setValue.call(input, JSON.stringify({{xpath: data.xpath.slice(0, 500), at: Date.now()}}));
    input.dispatchEvent(new Event("input", {{bubbles: true}}));
  }});
}}
"""


def pick_receiver() -> rx.Component:
    """The hidden input the preview's clicks arrive in (see the module docstring)."""
    return rx.el.input(
        id=PICK_INPUT_ID,
        type="text",
        on_change=WebRuleEditorState.pick,
        on_mount=rx.call_script(LISTENER),
        style={"display": "none"},
        aria_hidden="true",
        tab_index=-1,
    )


def _frame() -> rx.Component:
    return rx.el.iframe(
        id=FRAME_ID,
        src_doc=PREVIEW_HEAD + P.html + PICKER,
        sandbox="allow-scripts",
        referrer_policy="no-referrer",
        title=t("Printer page preview"),
        width="100%",
        height="600px",
        style={"border": f"1px solid {rx.color('gray', 6)}", "borderRadius": "6px", "background": "white"},
    )


def _source() -> rx.Component:
    return rx.box(
        rx.el.pre(
            P.source_view,
            style={"margin": "0", "fontSize": "12px", "whiteSpace": "pre-wrap", "wordBreak": "break-all"},
            id="preview-source",
        ),
        height="600px",
        overflow="auto",
        padding="8px",
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="6px",
        background=rx.color("gray", 2),
        width="100%",
    )


def preview_card() -> rx.Component:
    """Fetch controls, the rendered page and the source."""
    return section_card(
        N_("Page preview"),
        rx.cond(
            P.url != "",
            rx.text(rx.text.strong("URL "), rx.code(P.url, variant="ghost"), size="2", id="preview-url"),
        ),
        rx.cond(P.error != "", rx.callout(P.error, icon="triangle-alert", color_scheme="red", id="preview-error")),
        rx.cond(
            P.has_page,
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger(t("Page (click a value to pick it)"), value="page", id="tab-page"),
                    rx.tabs.trigger(t("Source"), value="source", id="tab-source"),
                ),
                rx.tabs.content(_frame(), value="page", padding_top="8px"),
                rx.tabs.content(_source(), value="source", padding_top="8px"),
                default_value="page",
                width="100%",
            ),
            rx.center(
                rx.text(
                    t("Set the URL path in the form, then fetch the page to write or pick an XPath."),
                    size="2",
                    color=rx.color("gray", 10),
                ),
                height="200px",
                width="100%",
                border=f"1px dashed {rx.color('gray', 6)}",
                border_radius="6px",
            ),
        ),
        pick_receiver(),
        tools=(
            rx.spacer(),
            rx.tooltip(
                rx.hstack(
                    rx.switch(checked=P.render, on_change=P.set_render, id="preview-render", size="1"),
                    rx.text(t("Run the page's JavaScript"), size="2"),
                    align="center",
                    spacing="2",
                ),
                content=t("Open the page in the headless browser (for pages that fill their values by script)"),
            ),
            busy_button(
                N_("Fetch page"),
                "download",
                busy=P.fetching,
                on_click=WebRuleEditorState.fetch_page,
                id="fetch-page",
            ),
        ),
        spacing="3",
    )
