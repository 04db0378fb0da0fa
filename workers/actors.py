"""Actors: thin wrappers that take ids, load by id and call a service. Importing this module registers them."""

from __future__ import annotations

import logging
from dataclasses import asdict

import dramatiq
from dramatiq.middleware import CurrentMessage

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.models.choices import ImportSessionStatus, TriggeredBy
from printer_app.models.contracts import ContractImportSession
from printer_app.services import events
from printer_app.services.access.auth import purge_sessions
from printer_app.services.access.login_throttle import purge_login_throttle
from printer_app.services.audit import Actor
from printer_app.services.contracts.devices import autolink_devices
from printer_app.services.contracts.importing import ImportRefused, apply_session
from printer_app.services.errors import DomainValidationError
from printer_app.services.polling.batch import SCHEDULED_METHODS, pollable_printer_ids
from printer_app.services.polling.discovery import discover_in_chunks
from printer_app.services.polling.retention import thin_history
from printer_app.services.reports.importing import import_upload
from printer_app.services.reports.months import parse_report_month
from printer_app.services.reports.sync_month import sync_month
from printer_app.services.reports.sync_run import SyncRefused
from printer_app.services.reports.upload import UploadRefused
from workers import coordination, polls
from workers.actors_supplies import daily_supplies_refresh, refresh_supplies  # noqa: F401  (registers them)
from workers.broker import HIGH, LOW, backlog, broker

log = logging.getLogger(__name__)
MINUTE_MS = 60_000
FAN_OUT_CHUNK = 50  # poll-all messages sent between two notes of what was sent
BACKGROUND = 10  # priority of queue "low" actors: one embedded worker serves both queues, user requests first


def _message() -> tuple[str | None, int | None]:
    """The id and enqueue time (ms) of the message being processed (None outside a worker)."""
    message = CurrentMessage.get_current_message()
    return (message.message_id, message.message_timestamp) if message is not None else (None, None)


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
    message_id, requested_ms = _message()
    polls.poll_guarded(
        printer_id,
        triggered_by=TriggeredBy.MANUAL,
        message_id=message_id,
        requested_ms=requested_ms,
        fold_window_s=coordination.FOLD_WINDOW_S,
    )


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
    message_id, requested_ms = _message()
    polls.poll_guarded(
        printer_id,
        triggered_by=TriggeredBy.AUTO_POLL,
        message_id=message_id,
        requested_ms=requested_ms,
        batch_id=batch_id,
    )


@dramatiq.actor(actor_name="poll_all", queue_name=HIGH, max_retries=0, time_limit=5 * MINUTE_MS, broker=broker)
def poll_all(printer_ids: list[int] | None = None) -> None:
    """Fan out one message per pollable printer (of `printer_ids` only, when given) and track the run's progress;
    one run at a time."""
    message_id, _requested_ms = _message()
    run = polls.start_run(printer_ids, owner=message_id)
    if run is None:  # two requests raced past the caller's check: the running batch answers this one too
        log.info("poll all: a run is already going; this request is folded into it")
        return
    batch_id, ids = run
    for start in range(0, len(ids), FAN_OUT_CHUNK):
        chunk = ids[start : start + FAN_OUT_CHUNK]
        for printer_id in chunk:
            poll_printer_scheduled.send(printer_id, batch_id)
        coordination.batch_sent(batch_id, chunk)  # a crash before this resends the chunk: its doubles do nothing


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
def discover_printers(job_id: str, specs: list[str], communities: list[str], port: int, version: str) -> None:
    """Scan address ranges for printers (each address with the communities in order), publishing progress and the
    printers found so far; the latest progress is remembered for a page that attaches later."""

    def progress(scanned: int, total: int, found: list) -> None:
        payload = {"job_id": job_id, "scanned": scanned, "total": total, "found": [asdict(f) for f in found]}
        coordination.scan_progress(job_id, payload)
        events.publish(events.DISCOVERY_PROGRESS, payload)

    try:
        discover_in_chunks(specs, community=communities, port=port, version=version, progress=progress)
    except DomainValidationError as exc:
        coordination.scan_progress(job_id, {"job_id": job_id, "error": str(exc), "scanned": 0, "total": 0})
        events.publish(events.DISCOVERY_PROGRESS, {"job_id": job_id, "error": str(exc), "scanned": 0, "total": 0})


@dramatiq.actor(
    actor_name="apply_contract_import", queue_name=HIGH, max_retries=0, time_limit=10 * MINUTE_MS, broker=broker
)
def apply_contract_import(import_id: int, user_id: int | None) -> None:
    """Apply a contract import session (taken for it by `jobs.apply_contract_import`), publishing its progress per
    chunk and, at the end, its outcome as stored; the next apply of the session may start then."""

    def progress(done: int, total: int) -> None:
        payload = {"import_id": import_id, "done": done, "total": total, "status": ImportSessionStatus.APPLYING.value}
        events.publish(events.CONTRACT_IMPORT_PROGRESS, payload)

    refused = ""
    try:
        apply_session(import_id, user_id=user_id, progress=progress)
    except ImportRefused as exc:  # something changed since the page checked: the page shows why
        refused = str(exc)
        log.info("contract import #%s not applied: %s", import_id, refused)
    finally:
        coordination.release_import(import_id)
        with session_scope() as session:
            stored = session.get(ContractImportSession, import_id)
            done, total, status = (stored.progress_done, stored.progress_total, stored.status) if stored else (0, 0, "")
        payload = {"import_id": import_id, "done": done, "total": total, "status": str(status), "refused": refused}
        events.publish(events.CONTRACT_IMPORT_PROGRESS, payload)


@dramatiq.actor(
    actor_name="import_month_report", queue_name=HIGH, max_retries=0, time_limit=10 * MINUTE_MS, broker=broker
)
def import_month_report(upload_id: int, user_id: int | None) -> None:
    """Import a month workbook queued by `jobs.import_month_report` (only a queued upload is taken, so a message
    delivered twice imports once); the import publishes its progress per chunk and its outcome."""

    try:
        import_upload(upload_id, user_id=user_id, queued=True)
    except UploadRefused as exc:
        log.info("month upload #%s not imported: %s", upload_id, exc.message)


@dramatiq.actor(
    actor_name="sync_month_report", queue_name=HIGH, max_retries=0, time_limit=10 * MINUTE_MS, broker=broker
)
def sync_month_report(month: str, token: str, user_id: int | None) -> None:
    """Sync a month from the inventory polls for the run `jobs.sync_month` reserved (`token` holds the month's lock;
    a message redelivered after its worker died takes the lock back and repeats the run, which writes nothing twice);
    the sync publishes its progress per chunk and its stats."""
    try:
        sync_month(parse_report_month(month), actor=Actor(user_id=user_id), token=token)
    except SyncRefused as exc:
        log.info("month sync %s not run: %s", month, exc)


from workers import alert_actors  # noqa: E402, F401  (registers the supply alert actors with the others)
