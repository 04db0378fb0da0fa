"""A small publish/subscribe interface for poll starts and results.

In-process subscribers for now; the live-update work wires a Redis pub/sub publisher behind the same calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]
_subscribers: list[Callable[[str, Event], None]] = []
_lock = threading.Lock()

INVENTORY_START = "inventory_start"
INVENTORY_UPDATE = "inventory_update"


def subscribe(callback: Callable[[str, Event], None]) -> Callable[[], None]:
    """Register a callback(kind, payload); returns a function that unsubscribes it."""
    with _lock:
        _subscribers.append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers:
                _subscribers.remove(callback)

    return unsubscribe


def publish(kind: str, payload: Event) -> None:
    """Deliver to every subscriber; a failing subscriber is logged and never breaks the poll."""
    with _lock:
        subscribers = list(_subscribers)
    for callback in subscribers:
        try:
            callback(kind, payload)
        except Exception:  # a listener must not break polling
            log.exception("event subscriber failed for %s", kind)
