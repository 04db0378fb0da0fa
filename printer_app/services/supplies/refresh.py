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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


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
    """One supply's history as loaded: its identity, the arrays of its readings in time order."""

    printer_id: int
    key: str
    kind: str
    color: str | None
    description: str
    micros: np.ndarray  # int64 microseconds since the epoch
    percent: np.ndarray
    pages: np.ndarray
    capacity: np.ndarray
    last_state: str

    def series(self) -> Series:
        return Series(
            t=self.micros / 1e6,
            percent=self.percent,
            pages=self.pages,
            capacity=self.capacity,
            last_state=self.last_state,
            micros=self.micros,
        )

    def merged(self, other: _Supply) -> _Supply:
        """Two groups of readings of one supply (an indexed supply whose description changed), in time order."""
        order = np.argsort(np.r_[self.micros, other.micros], kind="stable")
        newer = other if other.micros[-1] >= self.micros[-1] else self
        return _Supply(
            self.printer_id, self.key, newer.kind, newer.color, newer.description,
            np.r_[self.micros, other.micros][order], np.r_[self.percent, other.percent][order],
            np.r_[self.pages, other.pages][order], np.r_[self.capacity, other.capacity][order], newer.last_state,
        )  # fmt: skip


_Loaded = tuple[dict[tuple[int, str], _Supply], dict[int, set[str]]]  # supplies by (printer, key); newest keys


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
    """Refresh every printer (or `printer_ids`), `batch` printers per transaction; SUPPLIES_CHANGED per batch.

    The next batch's readings are read (in a session of their own: `session_factory` must give a new session each
    call) while this batch is computed and written, so the database and the analysis work at the same time.
    """
    from printer_app.db import session_scope

    started = time.perf_counter()
    factory = session_factory or (lambda: session_scope(write=True))
    if printer_ids is None:
        with factory() as session:
            ids = list(session.execute(sa.select(Printer.id).order_by(Printer.id)).scalars())
    else:
        ids = sorted(set(printer_ids))
    batches = [ids[start : start + batch] for start in range(0, len(ids), batch)]

    def read(chunk: list[int]) -> _Loaded:
        with factory() as session:
            return _load(session, chunk)

    total = RefreshStats()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="supplies-read") as reader:
        pending = reader.submit(read, batches[0]) if batches else None
        for n, chunk in enumerate(batches):
            loaded = pending.result()
            pending = reader.submit(read, batches[n + 1]) if n + 1 < len(batches) else None
            with factory() as session:
                stats = refresh_printers(session, chunk, now=now, loaded=loaded)
                if stats.changed_printers:
                    payload = {"printer_ids": stats.changed_printers}
                    events.publish_after_commit(session, events.SUPPLIES_CHANGED, payload)
            total.add(stats)
            if progress:
                progress(sum(len(b) for b in batches[: n + 1]), len(ids))
    total.seconds = time.perf_counter() - started
    return total


def refresh_printers(
    session: Session, printer_ids: Iterable[int], *, now: datetime | None = None, loaded: _Loaded | None = None
) -> RefreshStats:
    """Recompute and write the supply rows of these printers (no commit, no event); `loaded`: their readings when
    the caller read them already (`_load`)."""
    ids = sorted(set(printer_ids))
    stats = RefreshStats(printers=len(ids))
    if not ids:
        return stats
    now = now or utcnow()
    supplies, present = loaded if loaded is not None else _load(session, ids)
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


def _readings(ids: list[int]):
    return (
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
            SupplyLevel.id,
        )
        .join(InventoryTask, InventoryTask.id == SupplyLevel.task_id)
        .outerjoin(PageCounter, PageCounter.task_id == SupplyLevel.task_id)
        .where(InventoryTask.printer_id.in_(ids), InventoryTask.status == TaskStatus.SUCCESS)
    )


def _load(session: Session, ids: list[int]) -> _Loaded:
    """The printers' supplies with their readings in time order, and the supplies of each one's newest poll.

    PostgreSQL sends one row per supply with its readings as arrays (millions of readings become arrays in C, not
    Python objects); other databases send a row per reading, grouped here.
    """
    groups = _grouped_pg(session, ids) if session.get_bind().dialect.name == "postgresql" else _grouped(session, ids)
    supplies: dict[tuple[int, str], _Supply] = {}
    newest: dict[int, int] = {}
    for supply in groups:
        key = (supply.printer_id, supply.key)
        supplies[key] = supply.merged(supplies[key]) if key in supplies else supply
        newest[supply.printer_id] = max(newest.get(supply.printer_id, 0), int(supply.micros[-1]))
    present: dict[int, set[str]] = {}
    for (printer_id, key), supply in supplies.items():
        if int(supply.micros[-1]) == newest[printer_id]:
            present.setdefault(printer_id, set()).add(key)
    return supplies, present


def _grouped_pg(session: Session, ids: list[int]) -> Iterator[_Supply]:
    """One row per supply with its readings as arrays, unordered (an ordered aggregate sorts every group apart,
    which costs more than the whole read): the arrays of one row are aligned (one aggregation pass feeds them all)
    and put in time order here. Times come as float seconds, exact to the microsecond until 2106."""
    session.execute(sa.text("SET LOCAL work_mem = '64MB'"))  # the batch's groups form in memory
    q = _readings(ids).subquery()
    query = sa.select(
        q.c.printer_id, q.c.kind, q.c.color, q.c.supply_index, q.c.description,
        sa.func.array_agg(sa.func.date_part("epoch", q.c.task_timestamp)), sa.func.array_agg(q.c.id),
        sa.func.array_agg(q.c.percent), sa.func.array_agg(q.c.total_pages), sa.func.array_agg(q.c.max_capacity),
        sa.func.array_agg(q.c.state),
    ).group_by(q.c.printer_id, q.c.kind, q.c.color, q.c.supply_index, q.c.description)  # fmt: skip
    for printer_id, kind, color, index, description, at, ids_, percent, pages, capacity, states in session.execute(
        query
    ):
        micros = np.round(np.array(at) * 1e6).astype(np.int64)
        order = np.lexsort((np.array(ids_), micros))
        yield _Supply(
            printer_id, supply_key(kind, color, index, description), kind, color, description, micros[order],
            np.array(percent, dtype=float)[order], np.array(pages, dtype=float)[order],
            _capacity(np.array(capacity, dtype=float)[order]), states[order[-1]],
        )  # fmt: skip


def _grouped(session: Session, ids: list[int]) -> Iterator[_Supply]:
    query = _readings(ids).order_by(InventoryTask.printer_id, InventoryTask.task_timestamp, SupplyLevel.id)
    rows: dict[tuple, list] = {}
    for printer_id, at, kind, color, index, description, percent, state, capacity, pages, _id in session.execute(query):
        rows.setdefault((printer_id, kind, color, index, description), []).append(
            ((at - _EPOCH) // _MICRO, percent, pages, capacity, state)
        )
    for (printer_id, kind, color, index, description), readings in rows.items():
        at, percent, pages, capacity, states = zip(*readings, strict=True)
        yield _Supply(
            printer_id, supply_key(kind, color, index, description), kind, color, description,
            np.array(at, dtype=np.int64), np.array(percent, dtype=float), np.array(pages, dtype=float),
            _capacity(np.array(capacity, dtype=float)), states[-1],
        )  # fmt: skip


def _capacity(values: np.ndarray) -> np.ndarray:
    """Max capacities; unknown (NULL) and the Printer-MIB special values (-1/-2) become NaN."""
    return np.where(values > 0, values, np.nan)


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
