"""The loop every page's own live listener runs: the batches of the events it cares for, while the session lasts.

A page state's background `listen` handler (started by its on_load, cancelled when the tab leaves the page) writes

    async with follow(self, keep=lambda event: event[0] == events.X, permissions=VIEW, window=0.3) as batches:
        async for batch in batches:
            ...  # read off the tab's lock, then apply under it

and may `return` from the loop at any time: the tab's queue is detached from the hub at once. The session is
checked every RECHECK_SECONDS: the loop ends when it no longer grants `permissions` (signed out, revoked, a role
taken away), so a revoked user stops receiving updates.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import reflex as rx

from printer_app.state.live.hub import Event, hub, next_batch
from printer_app.state.session import in_thread, principal_for_cookie

RECHECK_SECONDS = 30.0  # a listening tab re-checks its session this often


def _grants(cookie: str | None, permissions: tuple[str, ...]) -> bool:
    principal = principal_for_cookie(cookie)
    return principal is not None and not principal.missing(*permissions)


async def _batches(
    state: rx.State, keep: Callable[[Event], bool], permissions: tuple[str, ...], window: float
) -> AsyncIterator[list[Event]]:
    queue = hub.attach()
    try:
        async with state:
            cookie = state.router.headers.cookie
        loop = asyncio.get_running_loop()
        recheck_at = loop.time() + RECHECK_SECONDS
        while True:
            batch = await next_batch(queue, window=window, timeout=max(0.0, recheck_at - loop.time()), keep=keep)
            if loop.time() >= recheck_at:
                if not await in_thread(_grants, cookie, permissions):
                    return
                recheck_at = loop.time() + RECHECK_SECONDS
            if batch:
                yield batch
    finally:
        hub.detach(queue)


def follow(
    state: rx.State, *, keep: Callable[[Event], bool], permissions: tuple[str, ...], window: float
) -> contextlib.aclosing:
    """The non-empty batches of the events `keep` accepts (gathered for `window` seconds after a first one), until
    the tab's session no longer grants every one of `permissions`."""
    return contextlib.aclosing(_batches(state, keep, permissions, window))
