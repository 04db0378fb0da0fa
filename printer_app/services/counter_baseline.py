"""A genuine counter reset (board swap): the user accepts the device's new counters as the start of its history."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from printer_app.models import Printer
from printer_app.models.base import utcnow
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
