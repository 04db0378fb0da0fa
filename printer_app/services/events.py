"""Publish/subscribe for poll starts, results and progress.

In-process subscribers always receive events (embedded mode: the app's live-update task is one of them).
With REDIS_URL set, events also go to the Redis channel `pi:events`, which every app backend subscribes to,
so a poll finished by any worker on any machine reaches every open browser.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from printer_app.config import get_settings

log = logging.getLogger(__name__)

Event = dict[str, Any]
CHANNEL = "pi:events"
INVENTORY_START = "inventory_start"
INVENTORY_UPDATE = "inventory_update"
POLL_FOLDED = "poll_folded"
POLL_ALL_PROGRESS = "poll_all_progress"
DISCOVERY_PROGRESS = "discovery_progress"

_subscribers: list[Callable[[str, Event], None]] = []
_lock = threading.Lock()
_redis = None
_held = threading.local()  # events of `held_until_exit` blocks, per thread


def subscribe(callback: Callable[[str, Event], None]) -> Callable[[], None]:
    """Register a callback(kind, payload) in this process; returns a function that unsubscribes it."""
    with _lock:
        _subscribers.append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers:
                _subscribers.remove(callback)

    return unsubscribe


def encode(kind: str, payload: Event) -> str:
    """The Redis message; `at` (seconds since the epoch) is when it was sent, for latency measurements."""
    return json.dumps({"kind": kind, "payload": payload, "at": time.time()}, default=str)


def decode(message: str | bytes) -> tuple[str, Event]:
    data = json.loads(message)
    return data["kind"], data["payload"]


@contextmanager
def held_until_exit(*kinds: str) -> Iterator[None]:
    """Hold this thread's events of `kinds` until the block ends, then publish them in order.

    Wrap a block that commits its transaction on exit: a result published before the commit could make a browser
    re-read the database and still see the old row. An exception drops the held events with the transaction.
    """
    outer = getattr(_held, "kinds", None), getattr(_held, "events", None)
    _held.kinds, _held.events = frozenset(kinds), []
    try:
        yield
        held = _held.events
    finally:
        _held.kinds, _held.events = outer
    for kind, payload in held:
        publish(kind, payload)


def publish(kind: str, payload: Event) -> None:
    """Deliver to local subscribers and, in production, to Redis; a failing listener never breaks a poll."""
    if kind in (getattr(_held, "kinds", None) or ()):
        _held.events.append((kind, payload))
        return
    with _lock:
        subscribers = list(_subscribers)
    for callback in subscribers:
        try:
            callback(kind, payload)
        except Exception:
            log.exception("event subscriber failed for %s", kind)
    url = get_settings().redis_url
    if url:
        global _redis
        try:
            import redis

            if _redis is None:
                _redis = redis.Redis.from_url(url, socket_connect_timeout=3, health_check_interval=30)
            _redis.publish(CHANNEL, encode(kind, payload))
        except Exception:
            log.exception("could not publish %s to Redis", kind)
