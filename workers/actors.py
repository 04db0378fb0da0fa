"""Actors: thin wrappers that take ids, load by id and call a service. Importing this module registers them."""

from __future__ import annotations

import logging
import time

import dramatiq
from dramatiq.middleware import CurrentMessage

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.models.choices import TaskStatus, TriggeredBy
from printer_app.services import events
from printer_app.services.access.auth import purge_sessions
from printer_app.services.access.login_throttle import purge_login_throttle
from printer_app.services.contracts.devices import autolink_devices
from printer_app.services.polling.batch import SCHEDULED_METHODS, pollable_printer_ids
from printer_app.services.polling.pipeline import announce_result, poll_and_store
from printer_app.services.polling.retention import thin_history
from workers import coordination
from workers.broker import HIGH, LOW, backlog, broker

log = logging.getLogger(__name__)
MINUTE_MS = 60_000
BACKGROUND = 10  # priority of queue "low" actors: one embedded worker serves both queues, user requests first


def _poll(printer_id: int, triggered_by: str, batch_id: str | None, *, fold_window_s: float = 0.0) -> None:
    """Poll the printer, unless a poll of it answers this request: one running now, or one stored that started
    at most `fold_window_s` before the request was made (its result is announced again, for whoever asked)."""
    message = CurrentMessage.get_current_message()
    with coordination.printer_lock(printer_id, owner=message.message_id if message else None) as mine:
        answer = None
        if mine and message is not None:
            answer = coordination.answering_poll(
                printer_id, requested_ms=message.message_timestamp, window_s=fold_window_s
            )
        if not mine:
            # Another poll of this printer is running: its result answers this request too.
            events.publish(events.POLL_FOLDED, {"printer_id": printer_id, "batch_id": batch_id})
            status = None
        elif answer is not None:
            announce_result(answer)
            status = None
        else:
            status = _poll_and_remember(printer_id, triggered_by, message)
    if batch_id:
        progress = coordination.batch_step(batch_id, failed=status not in (None, TaskStatus.SUCCESS))
        events.publish(events.POLL_ALL_PROGRESS, {"batch_id": batch_id, **progress})


def _poll_and_remember(printer_id: int, triggered_by: str, message: dramatiq.Message | None) -> str:
    started_ms = int(time.time() * 1000)
    try:
        with events.held_until_exit(events.INVENTORY_UPDATE):  # tabs re-read the row: publish after commit
            task = poll_and_store(
                printer_id, triggered_by=triggered_by, message_id=message.message_id if message else None
            )
    except LookupError:
        log.info("printer %s no longer exists; nothing to poll", printer_id)
        events.publish(
            events.INVENTORY_UPDATE,
            {
                "printer_id": printer_id,
                "ip": f"#{printer_id}",
                "status": TaskStatus.FAILED,
                "error": "The printer no longer exists",
            },
        )
        return TaskStatus.FAILED
    coordination.remember_poll(printer_id, started_ms=started_ms, task_id=task.id)
    return task.status


@dramatiq.actor(
    actor_name="poll_printer_now",
    queue_name=HIGH,
    max_retries=2,
    min_backoff=30_000,
    max_backoff=30_000,
    time_limit=5 * MINUTE_MS,
    broker=broker,
)
def poll_printer_now(printer_id: int) -> None:
    """A user asked to poll this printer now; repeated requests are folded into one poll (FOLD_WINDOW_S)."""
    _poll(printer_id, TriggeredBy.MANUAL, None, fold_window_s=coordination.FOLD_WINDOW_S)


@dramatiq.actor(
    actor_name="poll_printer_scheduled",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=3,
    min_backoff=MINUTE_MS,
    max_backoff=8 * MINUTE_MS,
    time_limit=10 * MINUTE_MS,
    broker=broker,
)
def poll_printer_scheduled(printer_id: int, batch_id: str | None = None) -> None:
    """A poll from the schedule or from a poll-all run (then counted in its progress)."""
    _poll(printer_id, TriggeredBy.AUTO_POLL, batch_id)


@dramatiq.actor(actor_name="poll_all", queue_name=HIGH, max_retries=0, time_limit=5 * MINUTE_MS, broker=broker)
def poll_all() -> None:
    """Fan out one message per pollable printer and track the run's progress; one run at a time."""
    with session_scope() as session:
        ids = pollable_printer_ids(session, methods=SCHEDULED_METHODS)
    batch_id = coordination.start_batch(len(ids))
    if batch_id is None:  # two requests raced past the UI's check: the running batch answers this one too
        log.info("poll all: a run is already going; this request is folded into it")
        return
    events.publish(events.POLL_ALL_PROGRESS, {"batch_id": batch_id, "total": len(ids), "done": 0, "failed": 0})
    for printer_id in ids:
        poll_printer_scheduled.send(printer_id, batch_id)


@dramatiq.actor(
    actor_name="scheduled_dispatch",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=0,
    time_limit=10 * MINUTE_MS,
    broker=broker,
)
def scheduled_dispatch() -> None:
    """Enqueue the scheduled polls, unless the backlog shows the workers are behind."""
    waiting, limit = backlog(LOW), get_settings().max_queue_size
    if waiting > limit:
        log.warning("scheduled dispatch skipped: %s messages wait in %r (MAX_QUEUE_SIZE %s)", waiting, LOW, limit)
        return
    with session_scope() as session:
        ids = pollable_printer_ids(session, methods=SCHEDULED_METHODS)
    for printer_id in ids:
        poll_printer_scheduled.send(printer_id)
    log.info("scheduled dispatch: %s printers enqueued", len(ids))


@dramatiq.actor(
    actor_name="daily_cleanup",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=3,
    time_limit=30 * MINUTE_MS,
    broker=broker,
)
def daily_cleanup() -> None:
    """Thin poll history older than RETENTION_DAYS to one poll per printer per day; drop sessions long ended and
    sign-in failures already forgotten."""
    with session_scope(write=True) as session:
        removed = thin_history(session, older_than_days=get_settings().retention_days)
    with session_scope(write=True) as session:
        sessions = purge_sessions(session)
        purge_login_throttle(session, settings=get_settings())
    log.info("daily cleanup: %s old polls and %s ended sign-in sessions removed", removed, sessions)


@dramatiq.actor(
    actor_name="daily_contract_autolink",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=3,
    time_limit=5 * MINUTE_MS,
    broker=broker,
)
def daily_contract_autolink() -> None:
    """Link contract devices to polled printers by serial."""
    with session_scope(write=True) as session:
        stats = autolink_devices(session)
    log.info("contract auto-link: %s", stats)


@dramatiq.actor(
    actor_name="discover_printers", queue_name=HIGH, max_retries=0, time_limit=10 * MINUTE_MS, broker=broker
)
def discover_printers(job_id: str, specs: list[str], community: str, port: int, version: str) -> None:
    """Scan address ranges for printers, publishing progress and the printers found so far."""
    from dataclasses import asdict

    from printer_app.services.errors import DomainValidationError
    from printer_app.services.polling.discovery import discover_in_chunks

    def progress(scanned: int, total: int, found: list) -> None:
        events.publish(
            events.DISCOVERY_PROGRESS,
            {"job_id": job_id, "scanned": scanned, "total": total, "found": [asdict(f) for f in found]},
        )

    try:
        discover_in_chunks(specs, community=community, port=port, version=version, progress=progress)
    except DomainValidationError as exc:
        events.publish(events.DISCOVERY_PROGRESS, {"job_id": job_id, "error": str(exc), "scanned": 0, "total": 0})
