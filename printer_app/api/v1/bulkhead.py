"""A bulkhead for the JSON API: at most API_MAX_CONCURRENCY requests of one backend process run at once, the
others wait their turn (they are not refused).

Why: every API request holds a database connection while it runs. Without a bound, a burst of clients makes each
backend worker grow its pool to pool_size + max_overflow (30), and several workers together pass PostgreSQL's
max_connections (100 by default): requests then fail with "too many clients" — the pages' requests too. With the
bound, workers x API_MAX_CONCURRENCY connections at most serve the API, and the pages keep the rest.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from printer_app.config import get_settings


class Bulkhead:
    """ASGI middleware: HTTP requests pass one at a time through a semaphore of API_MAX_CONCURRENCY slots."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._slots: asyncio.Semaphore | None = None  # made on first use, on the serving event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(get_settings().api_max_concurrency)
        async with self._slots:
            await self.app(scope, receive, send)
