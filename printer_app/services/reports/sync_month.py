"""The month sync, "Sync month" (DOMAIN 10.6, `monthly_report.sync_from_inventory` is the caller's check).

Contract of `sync_month(month, ...)`:
- refused (SyncRefused, nothing written) when the month does not exist, is closed, has auto-sync off, or a sync of
  it is running (the month lock of `sync_lock`, taken for `token`; a redelivered worker message passes the same
  token and takes the lock back);
- the period is the local month start … min(now, the local month end 23:59:59) (settings time zone);
- per row with a serial: its printer by serial (trimmed, case-folded; the active one first, then the newest), the
  first and last SUCCESS poll with counters in the period; `sync.plan_row` writes (first poll → start fields that
  are still 0; last poll → `*_auto`, end fields unless manual, device IP, last OK time; the duplicate-group split
  and the enforcing spec respected); a row it changes gets the auto-sync time = now, a row it would not change is
  not written at all (not even that time: a run with nothing to change writes and locks nothing);
- chunked by serial (CHUNK rows, a group never split), each chunk one transaction: re-read, write, log the counter
  changes (source auto_sync), recompute the touched groups, commit; the changed rows are announced
  (REPORTS_CHANGED) at most every ANNOUNCE_EVERY_S and at the end; the progress is published after every chunk
  (REPORT_SYNC_PROGRESS) and kept with the lock for a tab opened mid-run;
- stats {updated_rows, groups_recomputed, skipped_serials: [{serial, reason}], duplicate_groups, errors} stored in
  a BulkChangeLog `bulk_sync` (params: the stats and the period) and returned.
Re-running is harmless: values already written are equal and log nothing, starts already set are kept; so a run
killed mid-way and run again leaves consistent rows and no double log lines.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.i18n import N_, gettext
from printer_app.models import BulkChangeLog, MonthlyReport
from printer_app.models.base import utcnow
from printer_app.models.choices import BulkOperation, ChangeSource
from printer_app.services.audit import Actor
from printer_app.services.reports import sync_lock
from printer_app.services.reports.change_log import log_changes
from printer_app.services.reports.formulas import fold, group_key, group_position
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.months import month_bounds, month_key
from printer_app.services.reports.specs import load_specs, normalise_model
from printer_app.services.reports.sync import ROW_COLUMNS, Reading, counter_changes, plan_row
from printer_app.services.reports.sync_polls import period_polls, printers_by_serial
from printer_app.services.reports.sync_run import RUNNING, Progress, Reporter, SyncRefused, SyncStats, check_month

log = logging.getLogger(__name__)
CHUNK = 250
_T = MonthlyReport.__table__
NO_PRINTER = N_("no printer with this serial number")
NO_POLL = N_("no successful poll with counters in the period")
_WRITTEN = (
    *(name for name in ROW_COLUMNS if name.endswith(("_start", "_end", "_auto"))),
    "device_ip",
    "inventory_last_ok",
    "inventory_autosync_at",
)


def sync_month(
    month: date,
    *,
    actor: Actor | None = None,
    token: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    chunk_size: int = CHUNK,
) -> SyncStats:
    """Sync the month's rows from the inventory polls (see the module); returns the stats."""
    key, token = month_key(month), token or uuid.uuid4().hex
    with session_scope() as session:
        check_month(session, month)
    if not sync_lock.claim(key, token):
        raise SyncRefused(gettext(RUNNING))
    started = utcnow()
    now = now or started
    stats = SyncStats()
    report = Reporter(key, progress)
    try:
        with session_scope() as session:
            plan = _plan(session, month, now, stats)
        total = sum(len(ids) for ids in plan.chunks(chunk_size))
        report(0, total, "running", stats)
        done = 0
        for ids in plan.chunks(chunk_size):
            try:
                with session_scope(write=True) as session:
                    report.changed(_sync_chunk(session, month, ids, plan, now, stats))
            except Exception as exc:  # one chunk failing leaves the others synced; the error is in the stats
                log.exception("month sync %s: a chunk of %s rows failed", key, len(ids))
                stats.errors.append(f"{type(exc).__name__}: {exc}"[:500])
            done += len(ids)
            sync_lock.refresh(key, token)
            report(done, total, "running", stats)
        report.announce()
        with session_scope(write=True) as session:
            _log(session, month, stats, actor, started, plan.period)
        report(done, total, "done", stats)
        return stats
    except Exception as exc:
        report(0, 0, "failed", stats, error=str(exc)[:500])
        raise
    finally:
        sync_lock.release(key, token)


@dataclass
class _Plan:
    """The rows to sync grouped by folded serial, and each printer's first / last poll of the period."""

    period: tuple[datetime, datetime]
    serials: dict[str, list[int]]  # folded serial -> row ids
    polls: dict[str, tuple[Reading, Reading]]  # folded serial -> (first, last)

    def chunks(self, size: int):
        """Row ids in chunks of about `size`, whole serials (so whole duplicate groups) per chunk."""
        chunk: list[int] = []
        for serial in sorted(self.polls):
            chunk += self.serials[serial]
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _plan(session: Session, month: date, now: datetime, stats: SyncStats) -> _Plan:
    first_at, last_at = month_bounds(month, get_settings().tz)
    period = (first_at, min(last_at, now))
    serials: dict[str, list[int]] = defaultdict(list)
    shown: dict[str, str] = {}
    groups: dict[tuple, int] = defaultdict(int)
    query = sa.select(_T.c.id, _T.c.serial_number, _T.c.inventory_number).where(_T.c.month == month)
    for row in session.execute(query.order_by(_T.c.id)):
        serial = fold(row.serial_number)
        if serial:
            serials[serial].append(row.id)
            shown.setdefault(serial, row.serial_number.strip())
            groups[group_key(row.serial_number, row.inventory_number, row.id)] += 1
    stats.duplicate_groups = sum(1 for size in groups.values() if size > 1)
    printers = printers_by_serial(session, list(serials))
    polls = period_polls(session, {s: p for s, (p, _ip) in printers.items()}, *period)
    found: dict[str, tuple[Reading, Reading]] = {}
    for serial in sorted(serials):
        if serial not in printers:
            stats.skipped_serials.append({"serial": shown[serial], "reason": gettext(NO_PRINTER)})
        elif serial not in polls:
            stats.skipped_serials.append({"serial": shown[serial], "reason": gettext(NO_POLL)})
        else:
            first, last = polls[serial]
            ip = printers[serial][1]
            found[serial] = (Reading(first.at, ip, first.counters), Reading(last.at, ip, last.counters))
    return _Plan(period, dict(serials), found)


def _sync_chunk(
    session: Session, month: date, ids: list[int], plan: _Plan, now: datetime, stats: SyncStats
) -> list[int]:
    """Write what the polls say into the chunk's rows, log, recompute; in this transaction. The rows written.

    The rows are read first without a lock; only the serials with something to change are read again under a row
    lock (FOR UPDATE on PostgreSQL) and planned again on what is stored now, so a run that changes nothing locks
    nothing (an edit in a tab never waits for it) and a change made meanwhile is never overwritten."""
    specs = load_specs(session)
    pending = _changes(_read(session, ids), plan, specs, now)
    if not pending:
        return []
    serials = {fold(row["serial_number"]) for row, _new, _key in pending}
    locked = [i for serial in serials for i in plan.serials[serial]]
    pending = _changes(_read(session, locked, lock=True), plan, specs, now)
    updates, changes, touched = [], [], set()
    for row, new, key in pending:
        updates.append({**{name: row[name] for name in _WRITTEN}, **new, "b_id": row["id"]})
        row_changes = counter_changes(row, new)
        changes += row_changes
        if row_changes:
            touched.add(key)
    if updates:
        values = {name: sa.bindparam(name) for name in _WRITTEN}
        session.execute(_T.update().where(_T.c.id == sa.bindparam("b_id")).values(**values, updated_at=now), updates)
    log_changes(session, changes, source=ChangeSource.AUTO_SYNC.value, at=now)
    if touched:
        recompute_month(session, month, keys=touched)
    stats.updated_rows += len(updates)
    stats.groups_recomputed += len(touched)
    return [u["b_id"] for u in updates]


def _read(session: Session, ids: list[int], *, lock: bool = False) -> list[dict[str, Any]]:
    query = sa.select(*(_T.c[name] for name in ROW_COLUMNS)).where(_T.c.id.in_(ids)).order_by(_T.c.id)
    return [dict(r) for r in session.execute(query.with_for_update() if lock else query).mappings()]


def _changes(rows: list[dict[str, Any]], plan: _Plan, specs: dict, now: datetime) -> list[tuple[dict, dict, tuple]]:
    """(row, columns to write, group key) of the rows the polls change (the auto-sync time alone is no change)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[group_key(row["serial_number"], row["inventory_number"], row["id"])].append(row)
    out = []
    for key, members in groups.items():
        for row in members:
            readings = plan.polls.get(fold(row["serial_number"]))
            if readings is None:
                continue
            position, size = group_position(members, row["id"])
            spec = specs.get(normalise_model(row["equipment_model"]))
            new = plan_row(row, first=readings[0], last=readings[1], position=position, size=size, spec=spec, now=now)
            if set(new) - {"inventory_autosync_at"}:
                out.append((row, new, key))
    return out


def _log(
    session: Session,
    month: date,
    stats: SyncStats,
    actor: Actor | None,
    started: datetime,
    period: tuple[datetime, datetime],
) -> None:
    params = {"source": "inventory", "period": [period[0].isoformat(), period[1].isoformat()], **asdict(stats)}
    session.add(
        BulkChangeLog(
            user_id=actor.user_id if actor else None,
            operation_type=BulkOperation.BULK_SYNC.value,
            month=month,
            records_affected=stats.updated_rows,
            fields_changed=[],
            params=params,
            started_at=started,
            finished_at=utcnow(),
            success=not stats.errors,
            error_message="\n".join(stats.errors)[:2000],
            ip_address=(actor.ip or None) if actor else None,
        )
    )
