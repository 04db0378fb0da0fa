"""Poll many printers: SNMP reads run concurrently on one engine, each result is stored in its own transaction."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, select

from printer_app.db import session_scope
from printer_app.models import Organization, Printer
from printer_app.models.choices import PollingMethod, TriggeredBy
from printer_app.services.poll_sources import reading_from_snmp, snmp_target_for
from printer_app.services.polling import AcquisitionError, run_inventory_for_printer
from printer_app.services.snmp import SnmpUnreachable, poll_many


@dataclass
class BatchStats:
    total: int = 0
    done: int = 0
    statuses: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.done - self.statuses.get("SUCCESS", 0)


def pollable_printer_ids(session: Session) -> list[int]:
    """Active SNMP printers whose organization is active or unset (DOMAIN 2, 6)."""
    return list(
        session.exec(
            select(Printer.id)
            .outerjoin(Organization, Organization.id == Printer.organization_id)
            .where(
                Printer.is_active,
                Printer.polling_method == PollingMethod.SNMP,
                or_(Printer.organization_id.is_(None), Organization.active),
            )
            .order_by(Printer.id)
        ).all()
    )


def poll_printers(
    printer_ids: list[int],
    *,
    concurrency: int = 64,
    chunk_size: int = 256,
    triggered_by: str = TriggeredBy.AUTO_POLL,
    progress: Callable[[BatchStats], None] | None = None,
    sessions: Callable[[], AbstractContextManager[Session]] = session_scope,
) -> BatchStats:
    """Poll the given printers end to end (read, validate, store); returns counts by outcome."""
    stats = BatchStats(total=len(printer_ids))
    for start in range(0, len(printer_ids), chunk_size):
        chunk = printer_ids[start : start + chunk_size]
        with sessions() as session:
            targets = {p.id: snmp_target_for(p) for p in session.exec(select(Printer).where(Printer.id.in_(chunk)))}
        ids = [i for i in chunk if i in targets]
        results = asyncio.run(poll_many([targets[i] for i in ids], concurrency=concurrency))
        for printer_id, result in zip(ids, results, strict=True):

            def source(_printer, result=result):
                if isinstance(result, SnmpUnreachable):
                    raise AcquisitionError(str(result))
                return reading_from_snmp(result)

            with sessions() as session:
                task = run_inventory_for_printer(
                    session, printer_id=printer_id, triggered_by=triggered_by, source=source
                )
                stats.statuses[task.status] += 1
            stats.done += 1
        if progress:
            progress(stats)
    return stats
