"""A poll as every worker runs it: under the printer's lock, folded into a poll that answers it, counted in its run.

Below both the actors (a message) and workers/jobs.py (the same in this process, for the CLI), so a poll keeps the
same guarantees whoever runs it. The shared state these rules consult lives in workers/coordination.py.
"""

from __future__ import annotations

import logging
import time

from printer_app.db import session_scope
from printer_app.models import InventoryTask
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.polling.batch import SCHEDULED_METHODS, pollable_printer_ids
from printer_app.services.polling.pipeline import announce_result, poll_and_store
from workers import coordination
from workers.actors_supplies import send_refresh

log = logging.getLogger(__name__)


def poll_guarded(
    printer_id: int,
    *,
    triggered_by: str,
    message_id: str | None = None,
    requested_ms: int | None = None,
    fold_window_s: float = 0.0,
    batch_id: str | None = None,
) -> None:
    """Poll the printer, unless a poll of it answers this request: one running now, or one stored that started
    at most `fold_window_s` before the request was made at `requested_ms` (its result is announced again, for
    whoever asked). `message_id` (the broker message) lets a redelivered message take back its dead worker's lock;
    with `batch_id` the poll is counted in that poll-all run's progress (once: a printer the run counted already, by
    a message sent twice or redelivered after its count, is not polled again)."""
    if batch_id and coordination.batch_counted(batch_id, printer_id):
        log.info("printer %s is counted in run %s already; nothing to poll", printer_id, batch_id)
        return
    with coordination.printer_lock(printer_id, owner=message_id) as mine:
        answer = None
        if mine and requested_ms is not None:
            answer = coordination.answering_poll(printer_id, requested_ms=requested_ms, window_s=fold_window_s)
        if not mine:
            # Another poll of this printer is running: its result answers this request too.
            events.publish(events.POLL_FOLDED, {"printer_id": printer_id, "batch_id": batch_id})
            status = None
        elif answer is not None:
            announce_result(answer)
            status = None
        else:
            status = _poll_or_report_gone(printer_id, triggered_by, message_id)
    if batch_id:
        failed = status not in (None, TaskStatus.SUCCESS)
        progress = coordination.batch_step(batch_id, failed=failed, printer_id=printer_id)
        events.publish(events.POLL_ALL_PROGRESS, {"batch_id": batch_id, **progress})


def poll_and_remember(printer_id: int, *, triggered_by: str, message_id: str | None = None) -> InventoryTask:
    """Poll and store (the caller holds the printer's lock), then remember the poll so requests can fold into it.

    Raises LookupError when the printer no longer exists.
    """
    started_ms = int(time.time() * 1000)
    task = poll_and_store(printer_id, triggered_by=triggered_by, message_id=message_id)
    coordination.remember_poll(printer_id, started_ms=started_ms, task_id=task.id)
    if task.status == TaskStatus.SUCCESS:  # stored and committed: its supplies' forecasts follow in the background
        send_refresh(task.printer_id)
    return task


def _poll_or_report_gone(printer_id: int, triggered_by: str, message_id: str | None) -> str:
    try:
        return poll_and_remember(printer_id, triggered_by=triggered_by, message_id=message_id).status
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


def start_run(printer_ids: list[int] | None = None, *, owner: str | None = None) -> tuple[str, list[int]] | None:
    """Register a poll-all run over every pollable printer (or those of `printer_ids` that are pollable: the ones a
    filtered list shows) and announce it: its id and the printers to poll; None while another run is going (that
    run answers this request too).

    `owner` is the poll-all message: redelivered after its worker died mid fan-out, it gets its own run back with
    the printers whose messages were not sent yet."""
    if owner and (resumed := coordination.resume_batch(owner)) is not None:
        log.info("poll all: run %s resumed, %s printers still to send", resumed[0], len(resumed[1]))
        return resumed
    with session_scope() as session:
        ids = pollable_printer_ids(session, methods=SCHEDULED_METHODS)
    if printer_ids is not None:
        wanted = set(printer_ids)
        ids = [i for i in ids if i in wanted]
    batch_id = coordination.start_batch(len(ids), owner=owner, printer_ids=ids)
    if batch_id is None:
        return None
    events.publish(events.POLL_ALL_PROGRESS, {"batch_id": batch_id, "total": len(ids), "done": 0, "failed": 0})
    return batch_id, ids
