"""How fast is the supplies forecast refresh of a whole fleet (issue #19: 10,000 printers x 4 supplies x 90 days of
polls in < 60 s on PostgreSQL)?

Builds a throw-away PostgreSQL database set-based (INSERT ... SELECT over generate_series): printers with one
successful poll a day, its page counter and four toners each. Every printer prints at its own rate, every toner
has its own yield and starting level, so the history holds cartridge replacements (the level wraps from about 5 %
back to 100 %), and 1 % of the readings are a special state. Then it times, against the baseline of a plain
`SELECT count(*)` of the readings (the join the refresh reads) run beside it:
- the first fleet refresh (`services.supplies.refresh.refresh_fleet`: every row inserted);
- a second one with the same `now` (nothing to write: the idempotent re-run after a redelivery);
- a third one a day later (every forecast updated: the daily refresh).

    .venv/bin/python bench/supplies.py                    # 10,000 printers x 90 days
    .venv/bin/python bench/supplies.py --printers 1000    # quick run
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from printer_app.cli.main import upgrade_database
from printer_app.db import make_engine
from printer_app.models import Printer
from printer_app.services.supplies.refresh import BATCH, RefreshStats, refresh_fleet

TARGET_S = 60.0
# Not `pi_bench_supplies`: bench/supplies_page.py (the supplies page) keeps its own dataset there.
DEFAULT_PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_supplies_refresh"
)
END = datetime(2026, 11, 30, 6, tzinfo=UTC)

TASKS = """
INSERT INTO inventorytask (id, printer_id, task_timestamp, status, error_message, data_source, triggered_by, note,
                           history_check_failed)
SELECT (p.id - 1) * :days + d + 1, p.id,
       :end - make_interval(days => :days - 1 - d) + make_interval(mins => (p.id * 7 + d * 13) % 20),
       'SUCCESS', '', 'SNMP_LOCAL', 'auto_poll', '', false
FROM printer p CROSS JOIN generate_series(0, :days - 1) AS d
"""
# Pages per day 40-339 by printer, idle on one day in seven for a third of them.
COUNTERS = """
INSERT INTO pagecounter (task_id, printer_id, total_pages, bw_a4, bw_a3, color_a4, color_a3, drum_black, drum_cyan,
                         drum_magenta, drum_yellow, toner_black, toner_cyan, toner_magenta, toner_yellow, fuser_kit,
                         transfer_kit, waste_toner, recorded_at)
SELECT t.id, t.printer_id, c.pages, c.pages, 0, 0, 0, '', '', '', '', '', '', '', '', '', '', '', t.task_timestamp
FROM inventorytask t,
     LATERAL (SELECT 10000 + t.printer_id * 13
                     + ((t.id - 1) % :days) * (40 + t.printer_id % 300)
                       * CASE WHEN t.printer_id % 3 = 0 THEN 6.0 / 7 ELSE 1 END AS pages) AS c
"""
# Toner i of printer p: a yield of 3,000-12,000 pages, a starting use of 0-89 points, replaced at about 5 % left.
LEVELS = """
INSERT INTO supplylevel (task_id, supply_index, description, kind, color, level, max_capacity, percent, state)
SELECT t.id, s.i, initcap(s.color) || ' Toner', 'toner', s.color,
       CASE WHEN special THEN NULL ELSE lvl END, 100, CASE WHEN special THEN NULL ELSE lvl END,
       CASE WHEN special THEN 'unknown' ELSE 'ok' END
FROM inventorytask t
JOIN pagecounter c ON c.task_id = t.id
CROSS JOIN (VALUES (1, 'black'), (2, 'cyan'), (3, 'magenta'), (4, 'yellow')) AS s(i, color)
CROSS JOIN LATERAL (
    SELECT ((t.printer_id * 31 + s.i * 17) % 90)
           + (c.total_pages - 10000 - t.printer_id * 13) * 100.0 / (3000 + ((t.printer_id * 7 + s.i * 11) % 10) * 1000)
           AS used
) AS u
CROSS JOIN LATERAL (
    SELECT (100 - floor(u.used - 95 * floor(u.used / 95)))::int AS lvl, (t.id * 7 + s.i) % 100 = 0 AS special
) AS v
"""
BASELINE = "SELECT count(*) FROM supplylevel s JOIN inventorytask t ON t.id = s.task_id"


def prepare(url: str) -> str:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    return target.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def build(engine: Engine, url: str, printers: int, days: int) -> None:
    upgrade_database(url)
    started = time.perf_counter()
    rows = [
        {
            "ip_address": f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}",
            "serial_number": f"BS{n:06d}",
            "mac_address": "02:01:{:02X}:{:02X}:{:02X}:{:02X}".format(*n.to_bytes(4, "big")),
        }
        for n in range(printers)
    ]
    with Session(engine) as session:
        session.execute(insert(Printer), rows)
        for name, statement in (("polls", TASKS), ("counters", COUNTERS), ("supply levels", LEVELS)):
            step = time.perf_counter()
            count = session.execute(text(statement), {"days": days, "end": END}).rowcount
            print(f"  {name:<14}{count:>12,} rows  {time.perf_counter() - step:6.1f} s", flush=True)
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('inventorytask', 'id'), max(id)) FROM inventorytask")
        )
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  built in {time.perf_counter() - started:.1f} s (with VACUUM ANALYZE)", flush=True)


@contextmanager
def sessions(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


def baseline(engine: Engine, runs: int = 3) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        with engine.connect() as conn:
            count = conn.execute(text(BASELINE)).scalar_one()
        best = min(best, time.perf_counter() - started)
    return best, count


def line(name: str, stats: RefreshStats, base: float, cpu: float) -> str:
    flag = "" if stats.seconds < TARGET_S else f"  SLOW (target < {TARGET_S:.0f} s)"
    return (
        f"  {name:<28}{stats.seconds:6.1f} s (app CPU {cpu:5.1f} s) {stats.seconds / base:5.0f}x baseline  "
        f"{stats.printers:,} printers, "
        f"{stats.supplies:,} supplies, +{stats.inserted:,} ~{stats.updated:,} -{stats.deleted:,} rows{flag}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90, help="days of polls (one a day)")
    parser.add_argument("--batch", type=int, default=BATCH, help="printers per refresh transaction")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="database to (re)create; env BENCH_DATABASE_URL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = prepare(args.pg_url)
    engine = make_engine(url)
    try:
        print(f"PostgreSQL {make_url(url).database}: {args.printers:,} printers x 4 toners x {args.days} days")
        build(engine, url, args.printers, args.days)
        base, readings = baseline(engine)
        print(f"  baseline: SELECT count(*) of the {readings:,} readings  {base * 1000:.0f} ms", flush=True)
        print(f"  load average before the refresh: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        now = END + timedelta(hours=1)
        runs = [
            ("first refresh (inserts)", now),
            ("same again (writes nothing)", now),
            ("a day later (updates)", now + timedelta(days=1)),
        ]
        for name, at in runs:
            cpu = time.process_time()
            stats = refresh_fleet(lambda: sessions(engine), batch=args.batch, now=at)
            print(line(name, stats, base, time.process_time() - cpu), flush=True)
        with engine.connect() as conn:
            status = conn.execute(
                text("SELECT forecast_status, count(*) FROM supplyforecast GROUP BY 1 ORDER BY 2 DESC")
            ).all()
            lifetimes = conn.execute(
                text("SELECT count(*), count(*) FILTER (WHERE started_by_replacement) FROM supplylifetime")
            ).one()
        print(
            f"  forecasts: {', '.join(f'{s} {n:,}' for s, n in status)}; lifetimes {lifetimes[0]:,} "
            f"({lifetimes[1]:,} after a replacement)"
        )
    finally:
        engine.dispose()
        if not args.keep:
            admin = make_url(url).set(drivername="postgresql", database="postgres")
            with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(make_url(url).database))
                )


if __name__ == "__main__":
    main()
