"""Poll many printers: SNMP reads run concurrently on one engine, each result is stored in its own transaction."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, select

from printer_app.db import session_scope
from printer_app.models import Organization, Printer
from printer_app.models.choices import PollingMethod, TriggeredBy
from printer_app.services import events
from printer_app.services.poll_sources import reading_from_snmp, snmp_target_for
from printer_app.services.polling import AcquisitionError, run_inventory_for_printer
from printer_app.services.snmp import SnmpTarget, SnmpUnreachable, poll_many

PROGRESS_EVERY = 16  # printers stored between two progress reports


@dataclass
class BatchStats:
    total: int = 0
    done: int = 0
    statuses: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.done - self.statuses.get("SUCCESS", 0)


def pollable_printer_ids(session: Session, *, methods: tuple[str, ...] = (PollingMethod.SNMP,)) -> list[int]:
    """Active printers polled by one of `methods` whose organization is active or unset (DOMAIN 2, 6)."""
    return list(
        session.exec(
            select(Printer.id)
            .outerjoin(Organization, Organization.id == Printer.organization_id)
            .where(
                Printer.is_active,
                Printer.polling_method.in_(methods),
                or_(Printer.organization_id.is_(None), Organization.active),
            )
            .order_by(Printer.id)
        ).all()
    )


SCHEDULED_METHODS = (PollingMethod.SNMP, PollingMethod.WEB, PollingMethod.HYBRID)


def poll_printers(
    printer_ids: list[int],
    *,
    concurrency: int = 64,
    chunk_size: int = 256,
    triggered_by: str = TriggeredBy.AUTO_POLL,
    progress: Callable[[BatchStats], None] | None = None,
    sessions: Callable[[], AbstractContextManager[Session]] = session_scope,
) -> BatchStats:
    """Poll the given printers end to end (read, validate, store); returns counts by outcome.

    The SNMP reads of all printers run in one event loop on a reader thread while this thread stores each
    result as it arrives, so storing overlaps reading and unreachable printers cost one timeout in total.
    """
    stats = BatchStats(total=len(printer_ids))
    targets: dict[int, SnmpTarget] = {}
    for start in range(0, len(printer_ids), chunk_size):
        chunk = printer_ids[start : start + chunk_size]
        with sessions() as session:
            printers = session.exec(select(Printer).where(Printer.id.in_(chunk)))
            targets.update({p.id: snmp_target_for(p) for p in printers})
    ids = [i for i in printer_ids if i in targets]
    arrived: queue.Queue = queue.Queue()

    def read_all() -> None:
        try:
            asyncio.run(
                poll_many(
                    [targets[i] for i in ids],
                    concurrency=concurrency,
                    on_result=lambda position, result: arrived.put((ids[position], result)),
                )
            )
        except BaseException as exc:  # hand it to the storing thread instead of leaving it waiting
            arrived.put((None, exc))

    reader = threading.Thread(target=read_all, name="snmp-reader", daemon=True)
    reader.start()
    for _ in ids:
        printer_id, result = arrived.get()
        if printer_id is None:
            raise result

        def source(_printer, result=result):
            if isinstance(result, SnmpUnreachable):
                raise AcquisitionError(str(result))
            return reading_from_snmp(result)

        with events.held_until_exit(events.INVENTORY_UPDATE), sessions() as session:  # published after the commit
            task = run_inventory_for_printer(session, printer_id=printer_id, triggered_by=triggered_by, source=source)
            stats.statuses[task.status] += 1
        stats.done += 1
        if progress and (stats.done % PROGRESS_EVERY == 0 or stats.done == len(ids)):
            progress(stats)
    reader.join()
    return stats
