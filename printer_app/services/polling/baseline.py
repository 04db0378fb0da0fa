"""A genuine counter reset (board swap): the user accepts the device's new counters as the start of its history."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from printer_app.models import InventoryTask, Printer
from printer_app.models.base import utcnow
from printer_app.models.choices import TaskStatus
from printer_app.services.audit import Actor, audit, flag_change
from printer_app.services.errors import NotFoundError


def accept_counter_baseline(
    session: Session, *, printer_id: int, actor: Actor | None, now: datetime | None = None
) -> Printer:
    """History checks compare only counters recorded after now; written to the change log, nothing is polled.

    Without this a printer whose counters were really reset fails every later poll as a history inconsistency.
    """
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise NotFoundError(f"Printer #{printer_id} does not exist")
    old = printer.counter_baseline_at
    printer.counter_baseline_at = now or utcnow()
    session.add(printer)
    session.flush()
    change = flag_change("counter_baseline", old.isoformat() if old else None, printer.counter_baseline_at.isoformat())
    audit(session, printer, "update", actor, change)
    return printer


def rejected_counters(session: Session, printer: Printer) -> InventoryTask | None:
    """The history check's latest rejection when nothing was accepted after it (no success, no new baseline).

    That is when the printer page offers to accept the device's counters as the new baseline.
    """
    task = session.exec(
        select(InventoryTask)
        .where(InventoryTask.printer_id == printer.id, InventoryTask.status == TaskStatus.HISTORICAL_INCONSISTENCY)
        .order_by(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc())
        .limit(1)
    ).first()
    if task is None:
        return None
    accepted = [t for t in (printer.last_success_at, printer.counter_baseline_at) if t is not None]
    return task if all(task.task_timestamp > t for t in accepted) else None
