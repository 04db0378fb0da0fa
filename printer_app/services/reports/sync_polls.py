"""What the month sync reads from the inventory, set-based and chunked: the printer of each serial and the first and
last successful poll with counters of each printer in a period.

- `printers_by_serial(session, serials)`: {folded serial: (printer id, IP)}; the active printer first, then the
  newest (the serial compared trimmed and lower-cased on both sides).
- `period_polls(session, {serial: printer id}, start, end)`: {serial: (first, last)} as `sync.Reading`s (without
  IP); a poll that read no counter at all (DOMAIN 0: a SUCCESS with supplies only) does not count.
Both run CHUNK ids per query, so a 5,000-row month needs a handful of queries (the polls through the index
`ix_pagecounter_printer_time`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.db import unicode_lower
from printer_app.models import InventoryTask, PageCounter, Printer
from printer_app.models.choices import TaskStatus
from printer_app.services.reports.formulas import fold
from printer_app.services.reports.sync import POLL_FIELDS, Reading, reading_of

CHUNK = 500


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def printers_by_serial(session: Session, serials: list[str]) -> dict[str, tuple[int, str]]:
    """Per folded serial, (printer id, IP) of its printer: the active one first, then the newest."""
    key = unicode_lower(sa.func.trim(Printer.serial_number))
    found: dict[str, tuple[int, str]] = {}
    for part in _chunks(sorted({s.lower() for s in serials if s})):
        query = (
            sa.select(key.label("serial"), Printer.id, Printer.ip_address)
            .where(key.in_(part))
            .order_by(Printer.is_active.desc(), Printer.id.desc())
        )
        for row in session.execute(query):
            found.setdefault(fold(row.serial), (row.id, row.ip_address))
    return found


def period_polls(
    session: Session, printer_of: dict[str, int], start: datetime, end: datetime
) -> dict[str, tuple[Reading, Reading]]:
    """Per serial, the (first, last) successful poll with counters of its printer in [start, end]."""
    has_counter = sa.or_(*(getattr(PageCounter, name).is_not(None) for name in POLL_FIELDS.values()))
    ok = sa.and_(
        InventoryTask.status == TaskStatus.SUCCESS,
        PageCounter.recorded_at.between(start, end),
        has_counter,
    )
    by_printer: dict[int, tuple[Reading, Reading]] = {}
    for part in _chunks(sorted(set(printer_of.values()))):
        bounds = (
            sa.select(
                PageCounter.printer_id,
                sa.func.min(PageCounter.recorded_at).label("first"),
                sa.func.max(PageCounter.recorded_at).label("last"),
            )
            .join(InventoryTask, InventoryTask.id == PageCounter.task_id)
            .where(ok, PageCounter.printer_id.in_(part))
            .group_by(PageCounter.printer_id)
            .subquery()
        )
        query = (
            sa.select(PageCounter)
            .join(InventoryTask, InventoryTask.id == PageCounter.task_id)
            .join(
                bounds,
                sa.and_(
                    bounds.c.printer_id == PageCounter.printer_id,
                    sa.or_(PageCounter.recorded_at == bounds.c.first, PageCounter.recorded_at == bounds.c.last),
                ),
            )
            .where(ok)
            .order_by(PageCounter.recorded_at, PageCounter.id)
        )
        for counter in session.execute(query).scalars():
            reading = reading_of(counter, at=counter.recorded_at, ip=None)
            first, _last = by_printer.get(counter.printer_id, (reading, reading))
            by_printer[counter.printer_id] = (first, reading)
    return {serial: by_printer[pid] for serial, pid in printer_of.items() if pid in by_printer}


def month_printers(session: Session, month) -> list[int]:
    """The printers linked by serial to the month's rows ("Poll the month's printers")."""
    from printer_app.models import MonthlyReport

    serials = session.execute(sa.select(MonthlyReport.serial_number).where(MonthlyReport.month == month)).scalars()
    return sorted({pid for pid, _ip in printers_by_serial(session, [fold(s) for s in serials if fold(s)]).values()})
