"""The headless browser for pages that need JavaScript or pre-parse actions (DOMAIN 5.1, 5.4).

One Chromium per process, started on first use and owned by one thread (Playwright's sync API is bound to the
thread that started it), so callers on any thread — workers, the CLI, the rule builder — queue jobs to it. Each
printer run gets a fresh context. The browser itself sends nothing: every request it makes is fulfilled through
`web_fetch.fetch` (same SSRF guard, size cap and credentials), and a dead proxy catches anything not intercepted,
so a page cannot reach another host, not even through a redirect or a WebSocket.
"""

from __future__ import annotations

import atexit
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from printer_app.services.web_fetch import HOP_HEADERS, WebFetchError, fetch

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--proxy-bypass-list=<-loopback>",  # loopback too goes to the dead proxy unless our route fulfils it
]
DEAD_PROXY = "http://127.0.0.1:9"
JOB_TIMEOUT_S = 120.0
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 20_000
MAX_ACTION_WAIT_S = 10.0
# The body is already decoded and redirects followed; no login prompt (credentials come from the printer).
_DROPPED_RESPONSE_HEADERS = HOP_HEADERS | {"location", "www-authenticate"}

T = TypeVar("T")
Snapshot = tuple[str | None, str]  # (page HTML, error)


class ActionError(ValueError):
    """A pre-parse action is malformed (unknown type, missing selector, bad wait)."""


@dataclass
class BrowserVisit:
    """One URL to open, and for each rule on it the actions to run before its DOM snapshot."""

    url: str
    action_chains: list[list[Mapping[str, Any]]]


class _BrowserWorker:
    """Runs browser jobs one at a time on a dedicated thread; launches Chromium lazily and again after a crash."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[Any], Any] | None, Future]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, job: Callable[[Any], T], timeout: float) -> T:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="web-browser", daemon=True)
                self._thread.start()
        future: Future = Future()
        self._jobs.put((job, future))
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            raise WebFetchError(f"browser did not finish within {timeout:.0f} s") from None

    def close(self, timeout: float = 10.0) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._jobs.put((None, Future()))
            thread.join(timeout)

    def _loop(self) -> None:
        playwright, browser = None, None
        try:
            while True:
                job, future = self._jobs.get()
                if job is None:
                    return
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if browser is None or not browser.is_connected():
                        playwright, browser = _launch(playwright)
                    future.set_result(job(browser))
                except BaseException as exc:  # the caller gets every failure; the thread keeps serving
                    future.set_exception(exc)
        finally:
            if browser is not None and browser.is_connected():
                browser.close()
            if playwright is not None:
                playwright.stop()


def _launch(playwright: Any) -> tuple[Any, Any]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise WebFetchError("headless browser unavailable: the playwright package is not installed") from None
    try:
        playwright = playwright or sync_playwright().start()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, proxy={"server": DEAD_PROXY}, timeout=30_000
        )
    except PlaywrightError as exc:
        raise WebFetchError(f"headless browser unavailable: {_first_line(exc)}") from None
    return playwright, browser


_worker = _BrowserWorker()
atexit.register(_worker.close)


def close_browser() -> None:
    """Stop the shared Chromium (tests, shutdown); the next job starts a new one."""
    _worker.close()


def render_pages(
    visits: Sequence[BrowserVisit], *, auth: tuple[str, str] | None, timeout: float = JOB_TIMEOUT_S
) -> list[list[Snapshot]]:
    """For each visit, one (html, error) snapshot per action chain, taken after running that chain."""

    def job(browser: Any) -> list[list[Snapshot]]:
        from playwright.sync_api import Error as PlaywrightError

        try:
            context = _guarded_context(browser, auth=auth)
            try:
                return [_visit(context, visit) for visit in visits]
            finally:
                context.close()
        except PlaywrightError as exc:  # the browser itself failed (crashed, closed): not one page's problem
            raise WebFetchError(f"headless browser failed: {_first_line(exc)}") from None

    return _worker.run(job, timeout)


def render_page(url: str, *, auth: tuple[str, str] | None) -> str:
    """The DOM of one page after its scripts ran (rule builder preview); raises WebFetchError."""
    [[(html, error)]] = render_pages([BrowserVisit(url, [[]])], auth=auth)
    if error:
        raise WebFetchError(error)
    return html or ""


def _guarded_context(browser: Any, *, auth: tuple[str, str] | None) -> Any:
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(service_workers="block", accept_downloads=False, ignore_https_errors=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)

    def fulfil(route: Any) -> None:
        request = route.request
        try:
            try:
                response = fetch(
                    request.url,
                    auth=auth,
                    method=request.method,
                    headers=request.all_headers(),
                    content=request.post_data_buffer,
                )
            except Exception:  # refused or failed: a route must always be answered, never left hanging
                route.abort("blockedbyclient")
                return
            headers = {k: v for k, v in response.headers.items() if k.lower() not in _DROPPED_RESPONSE_HEADERS}
            route.fulfill(status=response.status, headers=headers, body=response.body)
        except PlaywrightError:
            pass  # the page went away while we fetched; nothing is waiting for this response

    context.route("**/*", fulfil)
    return context


def _visit(context: Any, visit: BrowserVisit) -> list[Snapshot]:
    from playwright.sync_api import Error as PlaywrightError

    page = context.new_page()
    try:
        try:
            response = page.goto(visit.url, wait_until="load")
        except PlaywrightError as exc:
            return [(None, f"cannot open {visit.url}: {_first_line(exc)}")] * len(visit.action_chains)
        if response is not None and response.status >= 400:
            return [(None, f"HTTP {response.status} from {visit.url}")] * len(visit.action_chains)
        shots: list[Snapshot] = []
        for chain in visit.action_chains:
            try:
                run_actions(page, chain)
                shots.append((page.content(), ""))
            except (PlaywrightError, ActionError) as exc:
                shots.append((None, f"action failed: {_first_line(exc)}"))
        return shots
    finally:
        page.close()


def run_actions(page: Any, actions: Sequence[Mapping[str, Any]]) -> None:
    """DOMAIN 5.4: click / send_keys (clear + type) / wait, each followed by its `wait` seconds (default 1)."""
    for action in actions:
        if not isinstance(action, Mapping):
            raise ActionError(f"an action must be an object, got {action!r}")
        kind = str(action.get("type", "")).strip().lower()
        selector = str(action.get("selector") or "")
        if kind in ("click", "send_keys") and not selector:
            raise ActionError(f"'{kind}' needs a CSS selector")
        if kind == "click":
            page.locator(selector).first.click()
        elif kind == "send_keys":
            page.locator(selector).first.fill(str(action.get("value", "")))
        elif kind != "wait":
            raise ActionError(f"unknown action type '{kind}'")
        try:
            wait = float(action.get("wait", 1))
        except (TypeError, ValueError):
            raise ActionError(f"'wait' must be a number of seconds, got {action.get('wait')!r}") from None
        if wait > 0:
            page.wait_for_timeout(min(wait, MAX_ACTION_WAIT_S) * 1000)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
