"""Publish/subscribe for poll starts, results and progress.

In-process subscribers always receive events (embedded mode: the app's live-update task is one of them).
With REDIS_URL set, events also go to the deployment's Redis channel `<namespace>:events` (`channel()`: `pi:events`
by default, see REDIS_NAMESPACE), which every app backend of the deployment subscribes to, so a poll finished by
any worker on any machine reaches every open browser, and no other deployment's.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

from printer_app.config import get_settings
from printer_app.redis_client import key, shared_client

log = logging.getLogger(__name__)

Event = dict[str, Any]
INVENTORY_START = "inventory_start"
INVENTORY_UPDATE = "inventory_update"
POLL_FOLDED = "poll_folded"
POLL_ALL_PROGRESS = "poll_all_progress"
DISCOVERY_PROGRESS = "discovery_progress"
CONTRACTS_CHANGED = "contracts_changed"  # {"device_ids": [...]} or {"all": True} after a save, a link run, an import
CONTRACT_IMPORT_PROGRESS = "contract_import_progress"  # {"import_id", "done", "total", "status"}
REPORTS_CHANGED = "reports_changed"  # {"month": "YYYY-MM", "row_ids": [...]} or {"month": ..., "all": True}
REPORT_UPLOAD_PROGRESS = "report_upload_progress"  # {"upload_id", "month", "done", "total", "status"}
REPORT_SYNC_PROGRESS = "report_sync_progress"  # {"month", "done", "total", "status", "stats"} of a month sync
LIVE_ACK = "live_ack"  # {"token", "seq"}: a tab rendered a live update (state/live/hub.py: Acks)
SUPPLIES_CHANGED = "supplies_changed"  # {"printer_ids": [...]} after their supply forecasts were refreshed
SUPPLY_ALERTS = "supply_alerts"  # {"alert_ids": [...]} new low-supply alerts raised (or {"cleared": [...]})

_subscribers: list[Callable[[str, Event], None]] = []
_lock = threading.Lock()
_PENDING = "pi_events_after_commit"  # session.info key: (savepoint or None, kind, payload) waiting for the commit


def channel() -> str:
    """The Redis pub/sub channel of this deployment's events (pub/sub ignores the database number: it is named)."""
    return key("events")


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


def sent_at(message: str | bytes) -> float | None:
    """When a Redis message was sent (seconds since the epoch), for latency measurements."""
    return json.loads(message).get("at")


def publish(kind: str, payload: Event) -> None:
    """Deliver to local subscribers and, in production, to Redis; a failing listener never breaks a poll."""
    with _lock:
        subscribers = list(_subscribers)
    for callback in subscribers:
        try:
            callback(kind, payload)
        except Exception:
            log.exception("event subscriber failed for %s", kind)
    if get_settings().redis_url:
        try:
            shared_client().publish(channel(), encode(kind, payload))
        except Exception:
            log.exception("could not publish %s to Redis", kind)


def publish_after_commit(session: Session, kind: str, payload: Event) -> None:
    """Publish once `session` commits the transaction in progress; never if it rolls back.

    A result published before its commit could make a browser re-read the database and still see the old row; one
    published for a transaction that then rolls back announces what was never stored. The event waits on the
    session (`session.info`) and the session's own hooks publish or drop it. Queued inside a savepoint
    (`begin_nested`), it is dropped with the savepoint's rollback and waits for the outer commit after its release.
    """
    if not session.in_transaction():  # nothing done yet: the transaction the event waits for starts now
        session.begin()
    pending = session.info.setdefault(_PENDING, [])
    pending.append((session.get_nested_transaction(), kind, payload))


def _savepoints(transaction: SessionTransaction | None) -> Iterator[SessionTransaction]:
    while transaction is not None:
        yield transaction
        transaction = transaction.parent


@sa_event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a savepoint released: its events wait for the real commit
        return
    for _savepoint, kind, payload in session.info.pop(_PENDING, ()):
        publish(kind, payload)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [p for p in pending if previous_transaction not in _savepoints(p[0])]


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """A session closed without committing (or rolling back) ends its transaction: what waited on it is dropped."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
