"""Live updates: one event feed per backend process, fanned out to every open tab's listener.

Embedded mode: the workers run in this process and publish in-process. Production: one Redis pub/sub
subscription per backend worker (reconnecting after a Redis restart). Each tab runs a background listener
(started by its page's on_load, cancelled when the tab navigates away or closes) that reads its own queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from printer_app.config import get_settings
from printer_app.services import events

log = logging.getLogger(__name__)
Event = tuple[str, dict]


class Hub:
    """Fan-out of events to the queues of the listening tabs of this process."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()

    def attach(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=10_000)
        self._queues.add(queue)
        return queue

    def detach(self, queue: asyncio.Queue[Event]) -> None:
        self._queues.discard(queue)

    def dispatch(self, kind: str, payload: dict) -> None:
        for queue in list(self._queues):
            if not queue.full():
                queue.put_nowait((kind, payload))


hub = Hub()


async def next_batch(
    queue: asyncio.Queue[Event], *, window: float = 0.05, timeout: float | None = None, not_before: float = 0.0
) -> list[Event]:
    """The next events of `queue`: the first one (waiting up to `timeout` seconds, None: no limit; an empty list
    when nothing came), then whatever else arrives within `window` seconds and until the loop time `not_before`.

    Events that queued up while the caller was busy are taken at once, without waiting for the window: a burst is
    coalesced, never queued up behind. `not_before` lets a caller space its batches out.
    """
    loop = asyncio.get_running_loop()
    batch = []
    while not queue.empty():
        batch.append(queue.get_nowait())
    if not batch:
        try:
            batch.append(await asyncio.wait_for(queue.get(), timeout=timeout))
        except TimeoutError:
            return batch
        deadline = max(loop.time() + window, not_before)
    else:
        deadline = not_before
    while (left := deadline - loop.time()) > 0:
        try:
            batch.append(await asyncio.wait_for(queue.get(), timeout=left))
        except TimeoutError:
            break
    while not queue.empty():
        batch.append(queue.get_nowait())
    return batch


async def batches(queue: asyncio.Queue[Event], *, window: float = 0.05) -> AsyncIterator[list[Event]]:
    """Yield events in small batches (see `next_batch`), forever."""
    while True:
        yield await next_batch(queue, window=window)


async def live_updates() -> None:
    """Lifespan task of the backend: feed the hub (and, in embedded mode, run the workers here)."""
    loop = asyncio.get_running_loop()
    settings = get_settings()
    if not settings.redis_url:
        from workers import embedded

        events.subscribe(lambda kind, payload: loop.call_soon_threadsafe(hub.dispatch, kind, payload))
        await asyncio.to_thread(embedded.start)
        await asyncio.Event().wait()
        return
    import redis.asyncio as aioredis

    while True:
        try:
            client = aioredis.Redis.from_url(settings.redis_url, health_check_interval=10)
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(events.CHANNEL)
                log.info("live updates: subscribed to %s", events.CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        hub.dispatch(*events.decode(message["data"]))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Redis restarted or unreachable: retry, tabs keep their listeners
            log.warning("live updates: Redis subscription lost (%s); reconnecting", exc)
            await asyncio.sleep(1)
