"""The headless browser for pages that need JavaScript or pre-parse actions (docs/web-rules.md §5.1, §5.4).

Every run gets a fresh browser context on the shared Chromium (web_browser_pool.py). Chromium itself sends nothing:
each request of the page is answered through `web_fetch.fetch` (same SSRF guard, size cap), and only when it goes to
the printer's own address; the printer's password goes only to the origins the rules name. Everything else is
aborted: other hosts, other schemes. WebSockets and WebRTC are removed from the page, and WebRTC may not use UDP;
service workers are blocked; a dead proxy catches whatever would still try the network (a WebSocket opened by a
worker, say), and no host name is ever resolved.
A page that navigated away from the printer yields no snapshot. The same guard serves the rule builder's preview,
its tests and the action chains of every poll.
"""

from __future__ import annotations

import asyncio
import atexit
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from printer_app.i18n import gettext
from printer_app.services.web.browser_pool import CHROMIUM, BrowserPool, first_line
from printer_app.services.web.fetch import HOP_HEADERS, IP, WebFetchError, check_host, fetch, origin, same_host

__all__ = ["CHROMIUM", "BrowserVisit", "close_browser", "render_page", "render_pages", "run_actions"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--proxy-bypass-list=<-loopback>",  # loopback too goes to the dead proxy unless our route fulfils it
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",  # WebRTC only through the (dead) proxy: no UDP
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # printers are IP literals: no DNS query ever leaves
]
DEAD_PROXY = "http://127.0.0.1:9"
JOB_TIMEOUT_S = 120.0  # one poll's browser pages, all of them
PREVIEW_TIMEOUT_S = 60.0  # the rule builder's rendered preview
REQUEST_TIMEOUT_S = 15.0  # one request of a page
FETCH_THREADS = 4  # per run: a page that hangs its requests uses up its own threads only
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 20_000
MAX_ACTION_WAIT_S = 10.0
# The body is already decoded and redirects followed; no login prompt (credentials come from the printer).
_DROPPED_RESPONSE_HEADERS = HOP_HEADERS | {"location", "www-authenticate"}
# What the route cannot see (WebSockets; WebRTC, which the flags above confine to the dead proxy), removed from the
# page's windows as well, so that it cannot even try; a worker still has them, and meets the dead proxy.
_NO_OTHER_CHANNELS = """
for (const name of ["WebSocket", "WebSocketStream", "WebTransport", "RTCPeerConnection", "webkitRTCPeerConnection",
                    "RTCDataChannel", "RTCIceTransport", "RTCSctpTransport", "RTCDtlsTransport"]) {
  try { Object.defineProperty(globalThis, name, {value: undefined, writable: false, configurable: false}); }
  catch (e) {}
}
"""

Snapshot = tuple[str | None, str]  # (page HTML, error)
_pool = BrowserPool(CHROMIUM_ARGS, DEAD_PROXY)
atexit.register(_pool.close)


class ActionError(ValueError):
    """A pre-parse action is malformed (unknown type, missing selector, bad wait)."""


class LeftPrinterError(Exception):
    """The page navigated away from the printer's address: what it shows now is not the printer's."""


@dataclass
class BrowserVisit:
    """One URL to open, and for each rule on it the actions to run before its DOM snapshot."""

    url: str
    action_chains: list[list[Mapping[str, Any]]]


def close_browser() -> None:
    """Stop the shared Chromium (tests, shutdown); the next job starts a new one."""
    _pool.close()


def render_pages(
    visits: Sequence[BrowserVisit], *, auth: tuple[str, str] | None, timeout: float = JOB_TIMEOUT_S
) -> list[list[Snapshot]]:
    """For each visit (all on one printer), one (html, error) snapshot per action chain, taken after that chain."""
    if not visits:
        return []
    host = check_host(urlsplit(visits[0].url).hostname or "")
    if not all(same_host(v.url, host) for v in visits):
        raise WebFetchError("one browser run serves one printer")
    credentials_origins = {origin(v.url) for v in visits}

    async def job(browser: Any) -> list[list[Snapshot]]:
        from playwright.async_api import Error as PlaywrightError

        executor = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="web-fetch")
        try:
            context = await _guarded_context(browser, host, credentials_origins, auth, executor)
            try:
                return [await _visit(context, visit, host) for visit in visits]
            finally:
                await context.close()
        except PlaywrightError as exc:  # the browser itself failed (crashed, closed): not one page's problem
            raise WebFetchError(gettext("headless browser failed: {error}", error=first_line(exc))) from None
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

    return _pool.run(job, timeout)


def render_page(url: str, *, auth: tuple[str, str] | None) -> str:
    """The DOM of one page after its scripts ran (rule builder preview); raises WebFetchError."""
    [[(html, error)]] = render_pages([BrowserVisit(url, [[]])], auth=auth, timeout=PREVIEW_TIMEOUT_S)
    if error:
        raise WebFetchError(error)
    return html or ""


async def _guarded_context(
    browser: Any,
    host: IP,
    credentials_origins: set[tuple[str, str, int]],
    auth: tuple[str, str] | None,
    executor: ThreadPoolExecutor,
) -> Any:
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context(service_workers="block", accept_downloads=False, ignore_https_errors=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    loop = asyncio.get_running_loop()

    async def fulfil(route: Any) -> None:
        request = route.request
        try:
            if not same_host(request.url, host):
                await route.abort("blockedbyclient")
                return
            send = partial(
                fetch,
                request.url,
                auth=auth if origin(request.url) in credentials_origins else None,
                method=request.method,
                headers=await request.all_headers(),
                content=request.post_data_buffer,
            )
            try:
                response = await asyncio.wait_for(loop.run_in_executor(executor, send), REQUEST_TIMEOUT_S)
            except Exception:  # refused, failed or too slow: a route must always be answered, never left hanging
                await route.abort("blockedbyclient")
                return
            headers = {k: v for k, v in response.headers.items() if k.lower() not in _DROPPED_RESPONSE_HEADERS}
            await route.fulfill(status=response.status, headers=headers, body=response.body)
        except PlaywrightError:
            pass  # the page went away while we fetched; nothing is waiting for this response

    await context.add_init_script(script=_NO_OTHER_CHANNELS)
    await context.route(lambda _url: True, fulfil)
    return context


async def _visit(context: Any, visit: BrowserVisit, host: IP) -> list[Snapshot]:
    from playwright.async_api import Error as PlaywrightError

    page = await context.new_page()
    try:
        try:
            response = await page.goto(visit.url, wait_until="load")
        except PlaywrightError as exc:
            return [(None, gettext("cannot open {url}: {error}", url=visit.url, error=first_line(exc)))] * len(
                visit.action_chains
            )
        if response is not None and response.status >= 400:
            return [(None, gettext("HTTP {status} from {url}", status=response.status, url=visit.url))] * len(
                visit.action_chains
            )
        shots: list[Snapshot] = []
        for chain in visit.action_chains:
            try:
                await run_actions(page, chain)
                shots.append((await _snapshot(page, host), ""))
            except (PlaywrightError, ActionError) as exc:
                shots.append((None, f"action failed: {first_line(exc)}"))
            except LeftPrinterError as exc:
                shots.append((None, str(exc)))
        return shots
    finally:
        await page.close()


async def _snapshot(page: Any, host: IP) -> str:
    """The page's DOM, if the page is still on the printer."""
    if not same_host(page.url, host):
        raise LeftPrinterError(
            gettext("the page went to another address ({url}), not the printer's", url=page.url[:200])
        )
    return await page.content()


async def run_actions(page: Any, actions: Sequence[Mapping[str, Any]]) -> None:
    """docs/web-rules.md §5.4: click / send_keys (clear + type) / wait, each followed by its `wait` seconds (default
    1)."""
    for action in actions:
        if not isinstance(action, Mapping):
            raise ActionError(gettext("an action must be an object, got {action}", action=repr(action)))
        kind = str(action.get("type", "")).strip().lower()
        selector = str(action.get("selector") or "")
        if kind in ("click", "send_keys") and not selector:
            raise ActionError(gettext("'{kind}' needs a CSS selector", kind=kind))
        if kind == "click":
            await page.locator(selector).first.click()
        elif kind == "send_keys":
            await page.locator(selector).first.fill(str(action.get("value", "")))
        elif kind != "wait":
            raise ActionError(gettext("unknown action type '{kind}'", kind=kind))
        try:
            wait = float(action.get("wait", 1))
        except (TypeError, ValueError):
            raise ActionError(
                gettext("'wait' must be a number of seconds, got {value}", value=repr(action.get("wait")))
            ) from None
        if wait > 0:
            await page.wait_for_timeout(min(wait, MAX_ACTION_WAIT_S) * 1000)
