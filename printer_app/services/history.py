"""Writing one poll's outcome (task, counters, supplies, printer summary) and reading a printer's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.models import InventoryTask, PageCounter, Printer, SupplyLevel
from printer_app.models.base import utcnow
from printer_app.models.choices import DataSource, SupplyState, TaskStatus, TriggeredBy
from printer_app.services.paging import allowed_page_size, clamp_page

COUNTER_FIELDS = ("total_pages", "bw_a4", "color_a4", "bw_a3", "color_a3")
_SUMMARY_KINDS = {"toner": "toner", "ink": "toner", "drum": "drum"}
_KIT_FIELDS = {"fuser": "fuser_kit", "transfer": "transfer_kit", "waste": "waste_toner"}


@dataclass
class SupplyReading:
    """One consumable as a poll saw it; `percent` is None when the state is a Printer-MIB special value."""

    description: str
    kind: str = "other"
    color: str | None = None
    level: int | None = None
    max_capacity: int | None = None
    percent: int | None = None
    state: str = SupplyState.OK
    supply_index: int | None = None


@dataclass
class PollOutcome:
    """Everything the pipeline decided about one poll, ready to store."""

    status: str
    error_message: str = ""
    match_rule: str | None = None
    data_source: str = DataSource.SNMP_LOCAL
    triggered_by: str = TriggeredBy.AUTO_POLL
    counters: dict[str, int | None] = field(default_factory=dict)
    supplies: list[SupplyReading] = field(default_factory=list)
    at: datetime | None = None


def supply_summary(supplies: list[SupplyReading]) -> dict[str, str]:
    """PageCounter summary strings: "75" for a percentage, else the state word; kits OK/WARNING.

    When a device lists the same colour twice (Brother: a row with unknown capacity beside a "some remaining"
    row), the most informative reading wins: a percentage, then a Printer-MIB state.
    """
    best: dict[str, tuple[int, str]] = {}

    def offer(key: str, rank: int, value: str) -> None:
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value[:20])

    for s in supplies:
        if s.percent is not None:
            rank, value = 2, str(s.percent)
        else:
            rank, value = (0, SupplyState.UNKNOWN.value) if s.state == SupplyState.OK else (1, str(s.state))
        prefix = _SUMMARY_KINDS.get(s.kind)
        if prefix and s.color in ("black", "cyan", "magenta", "yellow"):
            offer(f"{prefix}_{s.color}", rank, value)
        elif s.kind == "developer" and s.color == "black":
            offer("drum_black", rank - 1, value)
        elif s.kind in _KIT_FIELDS:
            low = (s.percent is not None and s.percent <= 10) or s.state == SupplyState.OTHER
            offer(_KIT_FIELDS[s.kind], rank, "WARNING" if low else "OK")
    return {key: value for key, (_rank, value) in best.items()}


def record_poll(
    session: Session, *, printer: Printer, outcome: PollOutcome, message_id: str | None = None
) -> InventoryTask:
    """Store a poll attempt; a SUCCESS also stores counters and supplies and becomes the printer's latest."""
    at = outcome.at or utcnow()
    task = InventoryTask(
        printer_id=printer.id,
        task_timestamp=at,
        status=outcome.status,
        error_message=outcome.error_message,
        match_rule=outcome.match_rule,
        data_source=outcome.data_source,
        triggered_by=outcome.triggered_by,
        message_id=message_id,
    )
    session.add(task)
    session.flush()
    printer.last_poll_at = at
    printer.last_poll_status = outcome.status
    printer.last_error = outcome.error_message[:500] or None
    if outcome.status == TaskStatus.SUCCESS:
        counter = PageCounter(
            task_id=task.id,
            printer_id=printer.id,
            recorded_at=at,
            **{k: outcome.counters.get(k) for k in COUNTER_FIELDS},
            **supply_summary(outcome.supplies),
        )
        session.add(counter)
        session.add_all(SupplyLevel(task_id=task.id, **vars(s)) for s in outcome.supplies)
        session.flush()
        printer.last_counter_id = counter.id
        printer.last_success_at = at
        printer.last_match_rule = outcome.match_rule
    session.add(printer)
    return task


@dataclass
class PollRow:
    id: int
    at: datetime
    status: str
    error: str
    match_rule: str
    source: str
    total: int | None
    bw_a4: int | None
    color_a4: int | None
    bw_a3: int | None
    color_a3: int | None


@dataclass
class PollPage:
    rows: list[PollRow]
    total: int
    page: int
    page_size: int


def list_polls(session: Session, *, printer_id: int, page: int = 1, page_size: int = 25, status: str = "") -> PollPage:
    """A page of a printer's poll attempts, newest first, with the counters of successful ones.

    The page number is clamped to the pages there are; a page size other than PAGE_SIZES reads 25 rows."""
    base = select(InventoryTask.id).where(InventoryTask.printer_id == printer_id)
    if status:
        base = base.where(InventoryTask.status == status)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page_size = allowed_page_size(page_size, 25)
    page = clamp_page(page, total, page_size)
    query = (
        select(InventoryTask, PageCounter)
        .outerjoin(PageCounter, PageCounter.task_id == InventoryTask.id)
        .where(InventoryTask.printer_id == printer_id)
        .order_by(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    if status:
        query = query.where(InventoryTask.status == status)
    rows = [
        PollRow(
            id=t.id,
            at=t.task_timestamp,
            status=t.status,
            error=t.error_message,
            match_rule=t.match_rule or "",
            source=t.data_source,
            **{k: getattr(c, k) if c else None for k in ("bw_a4", "color_a4", "bw_a3", "color_a3")},
            total=c.total_pages if c else None,
        )
        for t, c in session.exec(query).all()
    ]
    return PollPage(rows=rows, total=total, page=page, page_size=page_size)


def counter_series(session: Session, *, printer_id: int, days: int = 90, limit: int = 2000) -> list[dict[str, Any]]:
    """Counters of successful polls over time, oldest first, for the detail chart."""
    since = utcnow() - timedelta(days=days)
    rows = session.exec(
        select(PageCounter)
        .where(PageCounter.printer_id == printer_id, PageCounter.recorded_at >= since)
        .order_by(PageCounter.recorded_at.desc())
        .limit(limit)
    ).all()
    return [{"at": c.recorded_at, **{k: getattr(c, k) for k in COUNTER_FIELDS}} for c in reversed(rows)]


def supply_series(session: Session, *, printer_id: int, days: int = 90, limit: int = 4000) -> list[dict[str, Any]]:
    """Supply percentages over time, one point per poll with one key per supply description."""
    since = utcnow() - timedelta(days=days)
    rows = session.exec(
        select(InventoryTask.task_timestamp, SupplyLevel.description, SupplyLevel.color, SupplyLevel.percent)
        .join(SupplyLevel, SupplyLevel.task_id == InventoryTask.id)
        .where(InventoryTask.printer_id == printer_id, InventoryTask.task_timestamp >= since)
        .order_by(InventoryTask.task_timestamp.desc())
        .limit(limit)
    ).all()
    points: dict[datetime, dict[str, Any]] = {}
    for at, description, _color, percent in reversed(rows):
        points.setdefault(at, {"at": at})[description or "supply"] = percent
    return list(points.values())
