"""The month sync actor on a real (private) Redis and PostgreSQL: `jobs.sync_month` reserves the month and queues
`sync_month_report`; a second request is refused; the worker group is killed (kill -9) mid-run, a new group gets
the redelivered message, takes the run's lock back and finishes: every row consistent with its polls, one change log
line per changed field (none twice), one bulk log, the progress published to the app's live feed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.models import (
    BulkChangeLog,
    CounterChangeLog,
    InventoryTask,
    MonthControl,
    MonthlyReport,
    PageCounter,
    Printer,
)
from tests.workers_harness import AppEventFeed, RedisServer, WorkerGroup, run_python, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]
MONTH = date(2026, 10, 1)
KEY = "2026-10"
ROWS = 4000
FIRST, LAST = datetime(2026, 10, 5, 9, tzinfo=UTC), datetime(2026, 10, 20, 9, tzinfo=UTC)
PROGRESS_KEY = f"pi:reports:sync:progress:{KEY}"
LOCK_KEY = f"pi:reports:sync:lock:{KEY}"


def _group(env: dict[str, str], log_dir, name: str) -> WorkerGroup:
    group = WorkerGroup(name, ["--high-processes", "1", "--high-threads", "1", "--low-processes", "0"], env, log_dir)
    group.start()
    wait_for(lambda: b"ready for action" in group.log_path.read_bytes(), timeout=60, what=f"worker group {name}")
    return group


def _seed(db: Engine) -> None:
    """An open month of ROWS rows, a printer per serial, two polls each (first: start values, last: end values)."""
    with Session(db) as session:
        session.add(MonthControl(month=MONTH, is_published=True, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
        session.execute(
            insert(MonthlyReport),
            [{"month": MONTH, "order_number": n + 1, "serial_number": f"WK-{n:05d}"} for n in range(ROWS)],
        )
        session.execute(
            insert(Printer),
            [
                {"id": n + 1, "ip_address": f"10.66.{n // 250}.{n % 250 + 1}", "serial_number": f"WK-{n:05d}"}
                for n in range(ROWS)
            ],
        )
        tasks, counters = [], []
        for at, shift in ((FIRST, 0), (LAST, 500)):
            for n in range(ROWS):
                task_id = len(tasks) + 1
                tasks.append({"id": task_id, "printer_id": n + 1, "task_timestamp": at, "status": "SUCCESS"})
                counters.append({"task_id": task_id, "printer_id": n + 1, "bw_a4": 1000 + n + shift, "recorded_at": at})
        session.execute(insert(InventoryTask), tasks)
        session.execute(insert(PageCounter), counters)
        session.commit()


COMMAND = """
from datetime import date
from workers import jobs
from printer_app.services.reports.sync_run import SyncRefused
jobs.sync_month(date(2026, 10, 1), None)
try:
    jobs.sync_month(date(2026, 10, 1), None)
except SyncRefused as exc:
    print("refused:", exc)
"""


def test_a_sync_killed_mid_run_is_redelivered_and_leaves_consistent_rows(
    db: Engine, env: dict[str, str], redis_server: RedisServer, tmp_path
) -> None:
    _seed(db)
    r = redis_server.client()
    first = _group(env, tmp_path, "first")
    feed = AppEventFeed(env).start()
    try:
        done = run_python(COMMAND, env)
        assert done.stdout.strip() == "refused: a sync of this month is already running"

        def mid_run() -> bool:
            raw = r.get(PROGRESS_KEY)
            progress = json.loads(raw) if raw else {}
            return progress.get("status") == "running" and 0 < progress.get("done", 0) < progress.get("total", 0)

        wait_for(mid_run, timeout=120, interval=0.02, what=f"the sync under way\n{first.log_tail()}")
        first.kill()
        token = r.get(LOCK_KEY)
        assert token, "the killed run's lock is still there (until it lapses or the run is redelivered)"
        with Session(db) as session:
            synced = session.execute(select(func.count()).where(MonthlyReport.a4_bw_end > 0)).scalar_one()
        assert 0 < synced < ROWS, "the worker was killed mid-run"
        second = _group(env, tmp_path, "second")
        try:

            def finished() -> list[dict]:
                mine = [p for p in feed.of_kind("report_sync_progress") if p["month"] == KEY]
                return mine if mine and mine[-1]["status"] == "done" else []

            progress = wait_for(finished, timeout=180, what=f"the redelivered sync\n{second.log_tail()}")
        finally:
            second.stop()
    finally:
        feed.stop()
        first.stop()
    assert r.get(LOCK_KEY) is None
    assert progress[-1]["done"] == progress[-1]["total"] == ROWS
    with Session(db) as session:
        rows = session.execute(
            select(
                MonthlyReport.serial_number,
                MonthlyReport.a4_bw_start,
                MonthlyReport.a4_bw_end,
                MonthlyReport.total_prints,
            )
        ).all()
        assert len(rows) == ROWS
        for serial, start, end, total in rows:
            n = int(serial[3:])
            assert (start, end, total) == (1000 + n, 1500 + n, 500), serial
        lines = session.execute(
            select(CounterChangeLog.report_id, CounterChangeLog.field_name, func.count()).group_by(
                CounterChangeLog.report_id, CounterChangeLog.field_name
            )
        ).all()
        assert len(lines) == 2 * ROWS and {count for *_key, count in lines} == {1}  # start and end, once each
        bulk = session.execute(select(BulkChangeLog)).scalars().all()
        assert len(bulk) == 1 and bulk[0].operation_type == "bulk_sync" and bulk[0].success
        assert 0 < bulk[0].records_affected < ROWS  # the rows the redelivered run still had to change
