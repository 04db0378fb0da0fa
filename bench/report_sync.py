"""The month sync's cases of bench/monthly_report.py (issue #17), kept apart so that file stays readable.

- `case_sync`: the newest 5,000-row month opened with auto-sync on, a printer per serial and 30 days of polls (one a
  day, set-based inserts), then `sync_month` timed twice: the first run writes every row, the second finds nothing
  to change (target < 30 s each).
- `case_live_edit`: while month syncs run back to back in another process (each with every row to write again: the
  loop clears `inventory_last_ok` before it), one A / D / L / W edit
  (`row_edit.edit_sla_value`, committed) is timed until a listener like the month table's (the live hub fed by the
  real event bus, `next_batch` with the page's LIVE_WINDOW, then the page re-read with `month_table`) has re-read
  the page after the edit's REPORTS_CHANGED: p95 of 30 edits (target < 500 ms).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import insert, text, update
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.models import InventoryTask, MonthControl, PageCounter, Printer
from printer_app.models.base import utcnow

DAYS = 30
EDITS = 30


def _load_polls(engine, month: date) -> tuple[int, int]:
    """Open the month with auto-sync, a printer per serial of its rows and DAYS polls of each; (printers, polls)."""
    from printer_app.services.reports.months import month_bounds

    start = month_bounds(month, get_settings().tz)[0]
    _open(engine, month)
    with Session(engine) as session:
        serials = sorted(
            {
                s.strip()
                for (s,) in session.execute(
                    text("SELECT serial_number FROM monthlyreport WHERE month = :m"), {"m": month}
                )
                if s.strip()
            }
        )
        printers = [
            {"id": n + 1, "ip_address": f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}", "serial_number": serial}
            for n, serial in enumerate(serials)
        ]
        session.execute(insert(Printer), printers)
        tasks, counters = [], []
        for day in range(DAYS):
            at = start + timedelta(days=day, hours=10)
            for printer in printers:
                task_id = len(tasks) + 1
                base = 10_000 + printer["id"] * 37 + day * 100
                tasks.append({"id": task_id, "printer_id": printer["id"], "task_timestamp": at, "status": "SUCCESS"})
                counters.append(
                    {
                        "task_id": task_id,
                        "printer_id": printer["id"],
                        "bw_a4": base,
                        "color_a4": day,
                        "bw_a3": 0,
                        "color_a3": 0,
                        "total_pages": base + day,
                        "recorded_at": at,
                    }
                )
        for part in range(0, len(tasks), 20_000):
            session.execute(insert(InventoryTask), tasks[part : part + 20_000])
            session.execute(insert(PageCounter), counters[part : part + 20_000])
        session.commit()
        if engine.dialect.name == "postgresql":
            for table in ("printer", "inventorytask", "pagecounter"):
                session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        session.execute(text("ANALYZE"))
        session.commit()
    return len(printers), len(tasks)


def _open(engine, month: date) -> None:
    """The month editable for a day more, auto-sync on."""
    with Session(engine) as session:
        values = {"edit_until": utcnow() + timedelta(days=1), "auto_sync_enabled": True}
        session.execute(update(MonthControl).where(MonthControl.month == month).values(**values))
        session.commit()


def case_sync(b, report: Callable) -> None:
    """The month sync of the newest month: < 30 s."""
    from printer_app.services.reports.sync_month import sync_month

    month = b.months[-1]
    started = time.perf_counter()
    printers, polls = _load_polls(b.engine, month)
    print(
        f"  sync dataset: {printers} printers, {polls} polls over {DAYS} days in {time.perf_counter() - started:.1f} s"
    )
    for label in ("first run", "second run (nothing to change)"):
        started = time.perf_counter()
        stats = sync_month(month)
        took = time.perf_counter() - started
        note = (
            f"  ({stats.updated_rows} rows updated, {stats.groups_recomputed} groups recomputed,"
            f" {len(stats.skipped_serials)} serials skipped, {stats.duplicate_groups} duplicate groups,"
            f" {len(stats.errors)} errors)"
        )
        report(b, f"sync: {b.rows}-row month, {DAYS} days of polls, {label}", took, took, 30.0, note)


def case_live_edit(b, report: Callable) -> None:
    """One cell edit -> the other tab's page re-read done, p95 while a sync runs: < 500 ms (and, for comparison,
    the same with no sync running)."""
    _open(b.engine, b.months[-1])
    for syncing in (False, True):
        times, edits, rereads, syncs = _edits_seen(b, syncing=syncing)
        p95 = statistics.quantiles(times, n=20)[-1]
        note = (
            f"  ({len(times)} edits, median {statistics.median(times) * 1000:.0f} ms: the edit itself"
            f" {statistics.median(edits) * 1000:.0f} ms, the page's gathering window, the re-read"
            f" {statistics.median(rereads) * 1000:.0f} ms; {syncs} month syncs ran meanwhile)"
        )
        name = "while a sync runs" if syncing else "no sync running"
        report(b, f"live: edit -> other tab re-read, p95, {name}", p95, max(times), 0.5, note)


def _edits_seen(b, *, syncing: bool) -> tuple[list[float], list[float], list[float], int]:
    """EDITS edits, each timed until the listener re-read the page after its event; (times, edit times, re-read
    times, syncs run meanwhile)."""
    from printer_app.services import events
    from printer_app.services.reports.month_table import TableFilters, month_table
    from printer_app.services.reports.months import month_key
    from printer_app.services.reports.row_edit import edit_sla_value
    from printer_app.state.live.hub import hub, next_batch
    from printer_app.state.reports.month_table import LIVE_WINDOW

    month, key = b.months[-1], month_key(b.months[-1])
    with Session(b.engine) as session:
        query = text("SELECT id FROM monthlyreport WHERE month = :m ORDER BY id LIMIT :n")
        ids = [r for (r,) in session.execute(query, {"m": month, "n": EDITS})]
    done: dict[int, float] = {}
    rereads: list[float] = []
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    queue = hub.attach()

    async def listen() -> None:  # what MonthTableState.listen does, minus the tab
        ready.set()
        while True:
            batch = await next_batch(queue, window=LIVE_WINDOW, keep=lambda e: e[1].get("month") == key)
            edited = {i for _k, p in batch for i in p.get("row_ids", ()) if i in ids}
            began = time.perf_counter()
            try:
                await asyncio.to_thread(_reread, b.engine, month_table, month, TableFilters())
            except Exception as exc:  # shown, not swallowed: a listener that died would time every edit out
                print(f"  live: the page re-read failed: {exc!r}"[:300])
                raise
            finished = time.perf_counter()
            rereads.append(finished - began)
            for row_id in edited:
                done.setdefault(row_id, finished)

    syncer = None
    if syncing:  # the worker's sync runs in a process of its own, as in production
        code = _SYNC_LOOP.format(month=key)
        env = dict(os.environ, DATABASE_URL=b.url)
        syncer = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    unsubscribe = events.subscribe(lambda kind, p: loop.call_soon_threadsafe(hub.dispatch, kind, p))
    threading.Thread(target=loop.run_forever, daemon=True).start()
    listener = asyncio.run_coroutine_threadsafe(listen(), loop)
    ready.wait(10)
    time.sleep(3.0 if syncing else 0.1)  # the sync is under way
    times: list[float] = []
    edits: list[float] = []
    syncs = 0
    try:
        for n, row_id in enumerate(ids):
            started = time.perf_counter()
            with Session(b.engine, expire_on_commit=False) as session:
                edit_sla_value(
                    session,
                    row_id=row_id,
                    field="total_requests",
                    text=str(n + (1000 if syncing else 100)),
                    loaded=None,
                )
                session.commit()
            edits.append(time.perf_counter() - started)
            deadline = time.perf_counter() + 10
            while row_id not in done and time.perf_counter() < deadline:
                time.sleep(0.002)
            times.append(done.get(row_id, deadline) - started)
            time.sleep(0.2)
    finally:
        if syncer is not None:
            syncer.terminate()
            syncs = syncer.communicate(timeout=60)[0].count("synced")
        unsubscribe()
        hub.detach(queue)
        listener.cancel()
        loop.call_soon_threadsafe(loop.stop)
    return times, edits, rereads, syncs


_SYNC_LOOP = """
from sqlalchemy import text
from printer_app.db import session_scope
from printer_app.services.reports.months import parse_report_month
from printer_app.services.reports.sync_month import sync_month
from printer_app.services.reports.sync_run import SyncRefused
while True:
    with session_scope(write=True) as session:  # every run has every row to write again
        session.execute(text("UPDATE monthlyreport SET inventory_last_ok = NULL WHERE month = '{month}-01'"))
    try:
        sync_month(parse_report_month("{month}"))
        print("synced", flush=True)
    except SyncRefused:
        pass
"""


def _reread(engine, month_table, month: date, filters) -> None:
    with Session(engine) as session:
        month_table(session, month, filters=filters, sort="order_number", descending=False, page=1)
