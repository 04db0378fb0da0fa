"""The shared headless Chromium: started on first use, a few jobs at once, each job under its own time limit.

Playwright's async API runs on an event loop thread of its own; callers on any thread (workers, the CLI, the rule
builder) hand it a coroutine and wait for the result. Up to SLOTS jobs run side by side, each in a browser context
of its own, so a printer page that never finishes holds one slot until its time limit, never the whole browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from printer_app.i18n import gettext
from printer_app.services.web.fetch import WebFetchError

CHROMIUM = "/usr/bin/chromium"
SLOTS = 4
LAUNCH_TIMEOUT_MS = 30_000
_GRACE_S = 15.0  # beyond a job's own limit: the time its cancellation may take to close the context

T = TypeVar("T")
Job = Callable[[Any], Awaitable[T]]


class BrowserPool:
    """One Chromium for the process, shared by up to `slots` concurrent jobs; relaunched after a crash."""

    def __init__(self, args: list[str], proxy: str, slots: int = SLOTS) -> None:
        self._args, self._proxy, self._slot_count = args, proxy, slots
        self._guard = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._slots = asyncio.Semaphore(slots)
        self._launching = asyncio.Lock()

    def run(self, job: Job[T], timeout: float) -> T:
        """`job(browser)` within `timeout` seconds (waiting for a free slot included); raises WebFetchError."""
        future = asyncio.run_coroutine_threadsafe(self._limited(job, timeout), self._started())
        try:
            return future.result(timeout + _GRACE_S)
        except FutureTimeout:
            future.cancel()
            raise WebFetchError(gettext("browser did not finish within {seconds} s", seconds=round(timeout))) from None

    def close(self, timeout: float = 10.0) -> None:
        """Stop Chromium and the loop thread; the next job starts them again."""
        with self._guard:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):  # a browser that is already gone needs no closing
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._guard:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                self._slots, self._launching = asyncio.Semaphore(self._slot_count), asyncio.Lock()
                self._browser = self._playwright = None  # whatever a dead loop held is gone with it
                self._thread = threading.Thread(target=_serve, args=(loop,), name="web-browser", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    async def _limited(self, job: Job[T], timeout: float) -> T:
        try:
            async with asyncio.timeout(timeout):
                async with self._slots:
                    return await job(await self._running_browser())
        except TimeoutError:
            raise WebFetchError(gettext("browser did not finish within {seconds} s", seconds=round(timeout))) from None

    async def _running_browser(self) -> Any:
        async with self._launching:
            if self._browser is None or not self._browser.is_connected():
                self._browser = await self._launch()
            return self._browser

    async def _launch(self) -> Any:
        try:
            from playwright.async_api import Error as PlaywrightError
            from playwright.async_api import async_playwright
        except ImportError:
            raise WebFetchError(
                gettext("headless browser unavailable: the playwright package is not installed")
            ) from None
        try:
            self._playwright = self._playwright or await async_playwright().start()
            return await self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=self._args, proxy={"server": self._proxy}, timeout=LAUNCH_TIMEOUT_MS
            )
        except PlaywrightError as exc:
            raise WebFetchError(gettext("headless browser unavailable: {error}", error=first_line(exc))) from None

    async def _shutdown(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None and browser.is_connected():
            await browser.close()
        if playwright is not None:
            await playwright.stop()


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.close()


def first_line(exc: BaseException) -> str:
    """The first line of an error (Playwright's messages carry a call log below it)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
