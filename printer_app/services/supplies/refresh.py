"""Refresh the derived supply tables (SupplyForecast, SupplyLifetime) from the stored polls.

Everything is recomputed from the printer's whole supply history (services/supplies/forecast.py), then written as a
difference: rows that did not change are not touched (their ids and `updated_at` stay), new ones are inserted, and
the forecast of a supply the printer's newest poll no longer reports is removed (its lifetimes stay: they are
history). Re-running with the same `now` writes nothing. The fleet refresh goes by batches of printers: one read of
their readings, one read of their stored rows, set-based writes, one commit per batch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models import InventoryTask, PageCounter, Printer, SupplyForecast, SupplyLevel, SupplyLifetime
from printer_app.models.base import utcnow
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.supplies.forecast import Analysis, analyse_series
from printer_app.services.supplies.keys import supply_key
from printer_app.services.supplies.lifetimes import Series
from printer_app.services.supplies.yields import rated_yields, yield_for

log = logging.getLogger(__name__)
BATCH = 500
FORECAST_FIELDS = (
    "kind", "color", "description", "level_percent", "state", "last_seen_at", "lifetime_started_at",
    "pages_since_replacement", "forecast_status", "days_to_empty", "days_low", "days_high", "pages_to_empty",
    "pages_low", "pages_high", "replacements", "last_pages_per_cartridge", "avg_pages_per_cartridge",
)  # fmt: skip
LIFETIME_FIELDS = (
    "ended_at", "start_percent", "end_percent", "start_pages", "end_pages", "pages", "rated_yield",
    "started_by_replacement",
)  # fmt: skip
_NAN = float("nan")


@dataclass
class RefreshStats:
    """What a refresh did: printers and supplies seen, rows written, printers whose rows changed."""

    printers: int = 0
    supplies: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    changed_printers: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: RefreshStats) -> None:
        for name in ("printers", "supplies", "inserted", "updated", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.changed_printers += other.changed_printers


@dataclass
class _Supply:
    printer_id: int
    key: str
    kind: str
    color: str | None
    description: str
    at: list[datetime] = field(default_factory=list)
    percent: list[float] = field(default_factory=list)
    pages: list[float] = field(default_factory=list)
    capacity: list[float] = field(default_factory=list)
    last_state: str = "ok"

    def series(self) -> Series:
        return Series(
            t=np.array([a.timestamp() for a in self.at]),
            percent=np.array(self.percent, dtype=float),
            pages=np.array(self.pages, dtype=float),
            capacity=np.array(self.capacity, dtype=float),
            last_state=self.last_state,
            at=self.at,
        )


def refresh_printer(session: Session, printer_id: int, *, now: datetime | None = None) -> RefreshStats:
    """Refresh one printer's supply rows in the caller's transaction; SUPPLIES_CHANGED follows its commit."""
    stats = refresh_printers(session, [printer_id], now=now)
    if stats.changed_printers:
        events.publish_after_commit(session, events.SUPPLIES_CHANGED, {"printer_ids": stats.changed_printers})
    return stats


def refresh_fleet(
    session_factory: Callable[[], AbstractContextManager[Session]] | None = None,
    *,
    batch: int = BATCH,
    now: datetime | None = None,
    printer_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshStats:
    """Refresh every printer (or `printer_ids`), `batch` printers per transaction; SUPPLIES_CHANGED per batch."""
    from printer_app.db import session_scope

    started = time.perf_counter()
    factory = session_factory or (lambda: session_scope(write=True))
    if printer_ids is None:
        with factory() as session:
            ids = list(session.execute(sa.select(Printer.id).order_by(Printer.id)).scalars())
    else:
        ids = sorted(set(printer_ids))
    total = RefreshStats()
    for start in range(0, len(ids), batch):
        with factory() as session:
            stats = refresh_printers(session, ids[start : start + batch], now=now)
            if stats.changed_printers:
                events.publish_after_commit(session, events.SUPPLIES_CHANGED, {"printer_ids": stats.changed_printers})
        total.add(stats)
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    total.seconds = time.perf_counter() - started
    return total


def refresh_printers(session: Session, printer_ids: Iterable[int], *, now: datetime | None = None) -> RefreshStats:
    """Recompute and write the supply rows of these printers (no commit, no event)."""
    ids = sorted(set(printer_ids))
    stats = RefreshStats(printers=len(ids))
    if not ids:
        return stats
    now = now or utcnow()
    supplies, present = _load(session, ids)
    yields = rated_yields(session, ids)
    forecasts: dict[tuple[int, str], dict] = {}
    lifetimes: dict[tuple[int, str, datetime], dict] = {}
    for (printer_id, key), supply in supplies.items():
        rated = yield_for(yields, printer_id, supply.kind, supply.color)
        analysis = analyse_series(supply.series(), now=now, rated_yield=rated)
        for lt in analysis.lifetimes:
            row = {name: getattr(lt, name) for name in LIFETIME_FIELDS if name != "rated_yield"}
            lifetimes[(printer_id, key, lt.started_at)] = {**row, "rated_yield": rated}
        if key in present.get(printer_id, ()):
            forecasts[(printer_id, key)] = _forecast_row(supply, analysis)
    stats.supplies = len(forecasts)
    changed: set[int] = set()
    _write(session, SupplyForecast, ids, forecasts, FORECAST_FIELDS, ("printer_id", "supply_key"), now, stats, changed)
    _write(
        session, SupplyLifetime, ids, lifetimes, LIFETIME_FIELDS, ("printer_id", "supply_key", "started_at"), None,
        stats, changed,
    )  # fmt: skip
    stats.changed_printers = sorted(changed)
    return stats


def _load(session: Session, ids: list[int]) -> tuple[dict[tuple[int, str], _Supply], dict[int, set[str]]]:
    """The printers' supply readings grouped by supply (in time order), and the supplies of each one's newest poll."""
    query = (
        sa.select(
            InventoryTask.printer_id,
            InventoryTask.task_timestamp,
            SupplyLevel.kind,
            SupplyLevel.color,
            SupplyLevel.supply_index,
            SupplyLevel.description,
            SupplyLevel.percent,
            SupplyLevel.state,
            SupplyLevel.max_capacity,
            PageCounter.total_pages,
        )
        .join(InventoryTask, InventoryTask.id == SupplyLevel.task_id)
        .outerjoin(PageCounter, PageCounter.task_id == SupplyLevel.task_id)
        .where(InventoryTask.printer_id.in_(ids), InventoryTask.status == TaskStatus.SUCCESS)
        .order_by(InventoryTask.printer_id, InventoryTask.task_timestamp, SupplyLevel.id)
    )
    supplies: dict[tuple[int, str], _Supply] = {}
    keys: dict[tuple, str] = {}
    newest: dict[int, tuple[datetime, set[str]]] = {}
    for printer_id, at, kind, color, index, description, percent, state, capacity, pages in session.execute(query):
        ident = (kind, color, index, description)
        key = keys.get(ident)
        if key is None:
            key = keys[ident] = supply_key(kind, color, index, description)
        supply = supplies.get((printer_id, key))
        if supply is None:
            supply = supplies[(printer_id, key)] = _Supply(printer_id, key, kind, color, description)
        supply.at.append(at)
        supply.percent.append(_NAN if percent is None else percent)
        supply.pages.append(_NAN if pages is None else pages)
        supply.capacity.append(capacity if capacity and capacity > 0 else _NAN)
        supply.last_state = state
        supply.description = description
        seen = newest.get(printer_id)
        if seen is None or seen[0] != at:
            newest[printer_id] = seen = (at, set())
        seen[1].add(key)
    return supplies, {printer_id: keys_ for printer_id, (_at, keys_) in newest.items()}


def _forecast_row(supply: _Supply, analysis: Analysis) -> dict:
    fc = analysis.forecast
    last_pages, avg_pages = analysis.pages_per_cartridge()
    current = analysis.lifetimes[-1] if analysis.lifetimes else None
    return {
        "kind": supply.kind,
        "color": supply.color,
        "description": supply.description[:255],
        "level_percent": analysis.level_percent,
        "state": analysis.state,
        "last_seen_at": analysis.last_seen_at,
        "lifetime_started_at": current.started_at if current else None,
        "pages_since_replacement": analysis.pages_since_replacement,
        "forecast_status": fc.status,
        "days_to_empty": _days(fc.days_to_empty),
        "days_low": _days(fc.days_low),
        "days_high": _days(fc.days_high),
        "pages_to_empty": fc.pages_to_empty,
        "pages_low": fc.pages_low,
        "pages_high": fc.pages_high,
        "replacements": analysis.replacements,
        "last_pages_per_cartridge": last_pages,
        "avg_pages_per_cartridge": avg_pages,
    }


def _days(value: float | None) -> float | None:
    """Days rounded to a hundredth: a figure recomputed from the same data compares equal to the stored one."""
    return None if value is None else round(value, 2)


def _write(
    session: Session,
    model: type,
    ids: list[int],
    wanted: dict[tuple, dict],
    fields: tuple[str, ...],
    key_fields: tuple[str, ...],
    now: datetime | None,
    stats: RefreshStats,
    changed: set[int],
) -> None:
    """Make the table's rows of these printers equal `wanted` ({natural key: values}), touching only differences."""
    table = model.__table__
    columns = [table.c.id, *(table.c[name] for name in key_fields), *(table.c[name] for name in fields)]
    stored = {
        tuple(row[name] for name in key_fields): row
        for row in session.execute(sa.select(*columns).where(table.c.printer_id.in_(ids))).mappings()
    }
    stamp = {"updated_at": now} if now is not None and "updated_at" in table.c else {}
    inserts, updates = [], []
    for key, values in wanted.items():
        row = stored.pop(key, None)
        if row is None:
            inserts.append({**dict(zip(key_fields, key, strict=True)), **values, **stamp})
        elif any(row[name] != values[name] for name in fields):
            updates.append({"id": row["id"], **values, **stamp})
        else:
            continue
        changed.add(key[0])
    if inserts:
        session.execute(sa.insert(table), inserts)
    if updates:
        session.execute(sa.update(model), updates)
    if stored:
        session.execute(sa.delete(table).where(table.c.id.in_([row["id"] for row in stored.values()])))
        changed.update(key[0] for key in stored)
    stats.inserted += len(inserts)
    stats.updated += len(updates)
    stats.deleted += len(stored)
