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
    note: str = ""  # what a successful poll did not get ("no page counter reported", "web side failed: ...")
    history_check_failed: bool = False  # accepted although the history check itself crashed


_KIT_WARNING_STATES = {SupplyState.OTHER, SupplyState.LOW, SupplyState.EMPTY, SupplyState.ERROR}


def supply_rank(supply: SupplyReading) -> int:
    """How informative a reading is: a percentage (3), a state such as "low" or "some remaining" (2), a 0 % read
    with no known maximum (1), unknown (0).

    A level 0 with no capacity behind it is weaker than a state: the Brother HL-5370DW lists its black toner twice,
    level 0 / max unknown beside "some remaining", and prints on; showing it empty would be a false alarm.
    """
    if supply.percent is not None:
        unbacked_zero = supply.percent == 0 and not (supply.max_capacity or 0) > 0
        return 1 if unbacked_zero else 3
    return 0 if supply.state == SupplyState.UNKNOWN else 2


def summary_key(supply: SupplyReading) -> str | None:
    """The PageCounter summary field a supply fills (toner_black, drum_cyan, fuser_kit, ...), if any."""
    prefix = _SUMMARY_KINDS.get(supply.kind)
    if prefix and supply.color in ("black", "cyan", "magenta", "yellow"):
        return f"{prefix}_{supply.color}"
    if supply.kind == "developer" and supply.color == "black":
        return "drum_black"
    return _KIT_FIELDS.get(supply.kind)


def supply_summary(supplies: list[SupplyReading]) -> dict[str, str]:
    """PageCounter summary strings: "75" for a percentage, else the state word; kits OK/WARNING.

    When a device lists the same colour twice (Brother: a row with unknown capacity beside a "some remaining"
    row), the most informative reading wins (`supply_rank`); a developer counts for the drum only without one.
    """
    best: dict[str, tuple[int, str]] = {}
    for s in supplies:
        key = summary_key(s)
        if key is None:
            continue
        rank = supply_rank(s) - (1 if s.kind == "developer" else 0)
        if key in _KIT_FIELDS.values():
            low = (s.percent is not None and s.percent <= 10) or s.state in _KIT_WARNING_STATES
            value = "WARNING" if low else "OK"
        else:
            value = str(s.percent) if s.percent is not None else str(s.state)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value[:20])
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
        note=outcome.note,
        history_check_failed=outcome.history_check_failed,
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


# `poll HOST --json` counter names → PageCounter columns.
JSON_COUNTERS = {"total": "total_pages", **{key: key for key in ("bw_a4", "bw_a3", "color_a4", "color_a3")}}


def stored_outcome(session: Session, task: InventoryTask) -> dict[str, Any]:
    """A stored poll in the shape of `poll HOST --json` (serial, mac, model, counters, supplies) plus what the
    pipeline decided (status, error, note, match rule): `poll --printer-id N --json` checks the pipeline end to end.

    Counters are null where the device reported none (or the poll did not succeed); supplies are the stored rows.
    """
    from printer_app.services.inventory.device_models import model_label

    printer = session.get(Printer, task.printer_id)
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).first()
    supplies = session.exec(select(SupplyLevel).where(SupplyLevel.task_id == task.id).order_by(SupplyLevel.id)).all()
    return {
        "printer_id": printer.id,
        "task_id": task.id,
        "ip": printer.ip_address,
        "timestamp_ms": int(task.task_timestamp.timestamp() * 1000),
        "status": task.status,
        "error": task.error_message,
        "note": task.note,
        "match_rule": task.match_rule,
        "data_source": task.data_source,
        "history_check_failed": task.history_check_failed,
        "serial": printer.serial_number,
        "mac": printer.mac_address,
        "model": model_label(session, printer).model,
        "counters": {key: getattr(counter, column) if counter else None for key, column in JSON_COUNTERS.items()},
        "supplies": [
            {
                "index": s.supply_index,
                "description": s.description,
                "kind": s.kind,
                "color": s.color,
                "level": s.level,
                "max": s.max_capacity,
                "percent": s.percent,
                "state": s.state,
            }
            for s in supplies
        ],
    }


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
    note: str = ""
    history_check_failed: bool = False


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
            note=t.note,
            history_check_failed=t.history_check_failed,
        )
        for t, c in session.exec(query).all()
    ]
    return PollPage(rows=rows, total=total, page=page, page_size=page_size)


def latest_supplies(session: Session, printer: Printer) -> list[SupplyLevel]:
    """The supplies stored by the printer's last successful poll, in the device's order."""
    if printer.last_counter_id is None:
        return []
    return list(
        session.exec(
            select(SupplyLevel)
            .join(PageCounter, PageCounter.task_id == SupplyLevel.task_id)
            .where(PageCounter.id == printer.last_counter_id)
            .order_by(SupplyLevel.id)
        ).all()
    )


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
