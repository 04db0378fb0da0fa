"""Poll many printers: SNMP reads run concurrently on one engine, each result is stored in its own transaction;
printers read from web pages (WEB, HYBRID, or with web rules) are polled after them, one by one."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, select

from printer_app.db import session_scope
from printer_app.models import Organization, Printer, WebParsingRule
from printer_app.models.choices import PollingMethod, TaskStatus, TriggeredBy
from printer_app.services.polling.pipeline import (
    AcquisitionError,
    DeviceReading,
    ReadingSource,
    poll_and_store,
    run_inventory_for_printer,
)
from printer_app.services.polling.sources import reading_from_snmp, snmp_target_for
from printer_app.services.snmp.poller import PollResult, SnmpTarget, SnmpUnreachable, poll_many

PROGRESS_EVERY = 16  # printers stored between two progress reports


ALREADY_RUNNING = "ALREADY_RUNNING"  # counted in `statuses`: a poll of that printer was running and answers this one
LockFactory = Callable[[int], AbstractContextManager[bool]]  # printer id -> "is this poll the only one?"


@dataclass
class BatchStats:
    total: int = 0
    done: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        return self.done - self.statuses.get("SUCCESS", 0) - self.statuses.get(ALREADY_RUNNING, 0)


def pollable_printer_ids(session: Session, *, methods: tuple[str, ...] = (PollingMethod.SNMP,)) -> list[int]:
    """Active printers polled by one of `methods` whose organization is active or unset (docs/inventory-and-polling.md
    §6.1)."""
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
    lock: LockFactory | None = None,
) -> BatchStats:
    """Poll the given printers end to end (read, validate, store); returns counts by outcome.

    Plain SNMP printers are read together: all reads run in one event loop on a reader thread while this thread
    stores each result as it arrives, so storing overlaps reading and unreachable printers cost one timeout in total.
    Printers with web rules or a web / hybrid method then go through `poll_and_store` one by one (method selection,
    web pages). With `lock` (the workers' per-printer lock) a printer being polled elsewhere is left to that poll.
    Every result is published after its commit.
    """
    stats = BatchStats(total=len(printer_ids))
    with ExitStack() as held:  # the poll locks still held: released on the way out whatever happens
        locks: dict[int, ExitStack] = {}

        def take(printer_id: int) -> bool:
            if lock is None:
                return True
            stack = held.enter_context(ExitStack())
            if stack.enter_context(lock(printer_id)):
                locks[printer_id] = stack
                return True
            stack.close()
            stats.done += 1
            stats.statuses[ALREADY_RUNNING] += 1
            return False

        def finished(printer_id: int, status: str) -> None:
            if printer_id in locks:
                locks.pop(printer_id).close()
            stats.statuses[status] += 1
            stats.done += 1
            if progress and stats.done % PROGRESS_EVERY == 0:
                progress(stats)

        targets, others = _split_by_method(printer_ids, chunk_size, sessions)
        snmp_ids = [i for i in targets if take(i)]
        arrived: queue.Queue = queue.Queue()
        reader = threading.Thread(target=_read_all, args=(snmp_ids, targets, concurrency, arrived), daemon=True)
        reader.start()
        for _ in snmp_ids:
            printer_id, result = arrived.get()
            if printer_id is None:
                raise result
            with sessions() as session:  # the result is published after this commit
                task = run_inventory_for_printer(
                    session, printer_id=printer_id, triggered_by=triggered_by, source=_snmp_result_source(result)
                )
            finished(printer_id, task.status)
        reader.join()
        for printer_id in others:
            if not take(printer_id):
                continue
            try:
                status = poll_and_store(printer_id, triggered_by=triggered_by, sessions=sessions).status
            except LookupError:  # deleted since the run started: nothing to poll
                status = TaskStatus.FAILED
            finished(printer_id, status)
    if progress:
        progress(stats)
    return stats


def _split_by_method(
    printer_ids: list[int], chunk_size: int, sessions: Callable[[], AbstractContextManager[Session]]
) -> tuple[dict[int, SnmpTarget], list[int]]:
    """SNMP targets of the plain SNMP printers, and the ids of those that need method selection and web pages."""
    targets: dict[int, SnmpTarget] = {}
    others: list[int] = []
    for start in range(0, len(printer_ids), chunk_size):
        chunk = printer_ids[start : start + chunk_size]
        with sessions() as session:
            with_rules = set(
                session.exec(select(WebParsingRule.printer_id).where(WebParsingRule.printer_id.in_(chunk))).all()
            )
            for p in session.exec(select(Printer).where(Printer.id.in_(chunk))):
                if p.polling_method == PollingMethod.SNMP and p.id not in with_rules:
                    targets[p.id] = snmp_target_for(p)
                else:
                    others.append(p.id)
    order = {printer_id: n for n, printer_id in enumerate(printer_ids)}
    return dict(sorted(targets.items(), key=lambda item: order[item[0]])), sorted(others, key=order.__getitem__)


def _read_all(ids: list[int], targets: dict[int, SnmpTarget], concurrency: int, arrived: queue.Queue) -> None:
    """The reader thread: every SNMP read in one event loop, each result handed over as soon as it is in."""
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


def _snmp_result_source(result: PollResult | SnmpUnreachable) -> ReadingSource:
    def source(_printer: Printer) -> DeviceReading:
        if isinstance(result, SnmpUnreachable):
            raise AcquisitionError(str(result))
        return reading_from_snmp(result)

    return source
