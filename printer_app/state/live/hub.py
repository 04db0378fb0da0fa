"""Live updates: one event feed per backend process, fanned out to every open tab's listener.

Embedded mode: the workers run in this process and publish in-process. Production: one Redis pub/sub
subscription per backend worker (reconnecting after a Redis restart). Each tab runs a background listener
(started by its page's on_load, cancelled when the tab navigates away or closes) that reads its own queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable

from printer_app.config import get_settings
from printer_app.services import events
from printer_app.state.live import trace

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
        if kind == events.LIVE_ACK:  # a tab rendered an update: only its listener cares, and only in one process
            acks.resolve(payload.get("token"), payload.get("seq"))
            return
        for queue in list(self._queues):
            if not queue.full():
                queue.put_nowait((kind, payload))


hub = Hub()


class Acks:
    """Backpressure: a tab reports when it has applied an update to its page (`LIVE_ACK`, from assets/live_ack.js
    through POST /_live/ack), and its listener sends the next update only then, or after `WAIT` seconds.

    Without it a tab that renders slower than the updates come (its browser competing for the CPU) queues the
    frames up, and the latency grows through a burst; with it the events that arrive meanwhile gather into the
    next update. A tab never heard from (no script, an old page) is not waited for.
    """

    WAIT = 2.0  # seconds: an acknowledgement lost or never sent (a tab frozen by its browser) holds no tab longer

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[int, asyncio.Event]] = {}
        self._heard: set[str] = set()

    def expect(self, token: str, seq: int) -> None:
        """The listener of `token` is about to send update `seq`."""
        self._waiting[token] = (seq, asyncio.Event())

    def resolve(self, token: object, seq: object) -> bool:
        """A tab applied update `seq`; False when no listener of this process awaits that tab."""
        if not isinstance(token, str) or not isinstance(seq, int) or isinstance(seq, bool):
            return False
        waiting = self._waiting.get(token)
        if waiting is None:
            return False
        self._heard.add(token)
        if seq >= waiting[0]:
            waiting[1].set()
        return True

    async def rendered(self, token: str, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until the tab applied the last update it was sent."""
        waiting = self._waiting.get(token)
        if waiting is None or token not in self._heard or waiting[1].is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiting[1].wait(), timeout=max(0.0, min(timeout, self.WAIT)))

    def forget(self, token: str) -> None:
        self._waiting.pop(token, None)
        self._heard.discard(token)


acks = Acks()


class Watch:
    """Which printers each tab of this process shows, by client token, so that its listener can pass over the events
    of all other printers without touching the tab's state (in a Poll all run most results are of printers on other
    pages, and every update of a tab costs its browser a render).

    A page state notes the printers it shows right after reading them (`show`; a tab's events and its listener run
    in the same backend process), "Poll now" notes the printer whose result the tab awaits (`expect`). A tab that
    noted nothing gets every event. `version` changes with every `show`: a listener that passed over a result
    re-reads that printer if a later `show` brings it onto the tab. Tabs not heard of for `FORGET_AFTER` seconds
    are forgotten (should one still be open, its listener gets every event again until its next `show`).
    """

    FORGET_AFTER = 3600.0

    def __init__(self) -> None:
        self._shown: dict[str, tuple[int, frozenset[int]]] = {}
        self._expected: dict[str, set[int]] = {}
        self._touched: dict[str, float] = {}
        self._versions = 0

    def show(self, token: str, printer_ids: Iterable[int]) -> None:
        self._versions += 1
        self._shown[token] = (self._versions, frozenset(printer_ids))
        now = time.monotonic()
        self._touched[token] = now
        if len(self._touched) > 1000:
            for old in [t for t, at in self._touched.items() if now - at > self.FORGET_AFTER]:
                self.forget(old)

    def expect(self, token: str, printer_id: int) -> None:
        self._expected.setdefault(token, set()).add(printer_id)

    def settle(self, token: str, printer_ids: Iterable[int]) -> None:
        if expected := self._expected.get(token):
            expected.difference_update(printer_ids)

    def awaits(self, token: str) -> bool:
        """Whether the tab awaits the result of any poll."""
        return bool(self._expected.get(token))

    def expects(self, token: str, printer_id: int | None) -> bool:
        """Whether the tab awaits the result of this printer's poll ("Poll now" in it)."""
        return printer_id in self._expected.get(token, ())

    def version(self, token: str) -> int:
        return self._shown.get(token, (0, frozenset()))[0]

    def shows(self, token: str, printer_id: int) -> bool:
        """Whether an event of this printer changes what the tab shows (or the result it awaits)."""
        shown = self._shown.get(token)
        return shown is None or printer_id in shown[1] or self.expects(token, printer_id)

    def forget(self, token: str) -> None:
        self._shown.pop(token, None)
        self._expected.pop(token, None)
        self._touched.pop(token, None)


watch = Watch()


async def next_batch(
    queue: asyncio.Queue[Event],
    *,
    window: float = 0.05,
    timeout: float | None = None,
    not_before: float = 0.0,
    keep: Callable[[Event], bool] | None = None,
) -> list[Event]:
    """The next events of `queue`: the first one (waiting up to `timeout` seconds, None: no limit; an empty list
    when nothing came), then whatever else arrives within `window` seconds and until the loop time `not_before`.

    Events that queued up while the caller was busy are taken at once, without waiting for the window: a burst is
    coalesced, never queued up behind. `not_before` lets a caller space its batches out. Events for which `keep`
    returns False are dropped as they are taken: they neither start a batch nor end a wait.
    """
    loop = asyncio.get_running_loop()
    give_up = None if timeout is None else loop.time() + timeout
    batch: list[Event] = []

    def take(event: Event) -> None:
        if keep is None or keep(event):
            batch.append(event)

    while not queue.empty():
        take(queue.get_nowait())
    if batch:
        deadline = not_before
    else:
        while not batch:
            left = None if give_up is None else give_up - loop.time()
            if left is not None and left <= 0:
                return batch
            try:
                take(await asyncio.wait_for(queue.get(), timeout=left))
            except TimeoutError:
                return batch
        deadline = max(loop.time() + window, not_before)
    while (left := deadline - loop.time()) > 0:
        try:
            take(await asyncio.wait_for(queue.get(), timeout=left))
        except TimeoutError:
            break
    while not queue.empty():
        take(queue.get_nowait())
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
    from printer_app.redis_client import async_client

    while True:
        try:
            client = async_client(settings.redis_url)
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(events.channel())
                log.info("live updates: subscribed to %s", events.channel())
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        kind, payload = events.decode(message["data"])
                        if trace.FILE:
                            trace.stamp(payload, events.sent_at(message["data"]))
                        hub.dispatch(kind, payload)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Redis restarted or unreachable: retry, tabs keep their listeners
            log.warning("live updates: Redis subscription lost (%s); reconnecting", exc)
            await asyncio.sleep(1)
