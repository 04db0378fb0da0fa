"""How fast are the monthly report's heavy paths (issue #16) on 12 months x 5,000 rows?

Builds a fresh database with a realistic year of report rows, inserted set-based: 40 organizations (which exist as
Organization rows, as an upload requires), serials in Cyrillic and Latin, devices listed twice (an A4 row and an A3
row with the serial in another case and with spaces: duplicate groups), rows without serial or inventory number,
counter resets (end < start) and jumps, rows with A = 0 or W = 0, downtime above A; total_prints, K1 and K2
stored as `services/reports/formulas` computes them. The newest month is unpublished. Then it times named cases,
each against the baseline of `SELECT count(*)` over the same months timed in the same run:

- charts: `services/reports/charts.charts` over 12 months (all organizations, then three), and the dashboard
  card's `lowest_sla` (target < 500 ms);
- export: `services/reports/export.export_month` of one 5,000-row month (target < 3 s), its peak memory as the
  maximum RSS of a child process doing only that export (beside a child that imports the same and exports
  nothing) and as tracemalloc's peak in a second run (target < 300 MB);
- upload: the newest month exported, analysed (`upload.analyse` + `store`) and imported
  (`importing.import_upload`) as another month (target < 10 s);
- month_table: one page of `month_table.month_table` for each filter and each sort (target < 300 ms);
- sync, live_edit (issue #17, bench/report_sync.py): the month sync of the newest month with 30 days of polls
  (target < 30 s), and a cell edit seen re-read by another tab's listener while syncs run (p95 < 500 ms).
A case whose module is missing prints "not available" and is skipped.

    .venv/bin/python bench/monthly_report.py                          # 12 x 5,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/monthly_report.py --rows 1000 --backend sqlite --cases charts export
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project (and bench/) importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from printer_app.cli.main import upgrade_database
from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models import MonthControl, MonthlyReport, Organization
from printer_app.services.reports.formulas import group_key, group_totals, k1, k2

DEFAULT_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_reports")
ORGANIZATIONS = 40
PAIRS = ("a4_bw", "a4_color", "a3_bw", "a3_color")


@dataclass
class Bench:
    """What every case gets: the engine (DATABASE_URL points at it too), the months (oldest first), the rows per
    month, the baseline in seconds, the number of timed runs."""

    engine: Engine
    url: str
    months: list[date]
    rows: int
    baseline: float
    runs: int


def _prepare_sqlite() -> str:
    path = Path(tempfile.gettempdir()) / "pi_bench_reports.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _prepare_postgresql(url: str) -> str:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    return target.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _drop_postgresql(url: str) -> None:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.database)))


# ------------------------------------------------------------------------------------------------ the dataset


def organization_names() -> list[str]:
    return [f"ГБУЗ «Больница № {n}»" if n % 3 else f"Organization {n}" for n in range(ORGANIZATIONS)]


def month_rows(month_index: int, month: date, rows: int, rng: random.Random) -> list[dict]:
    """One month of `rows` rows: the same devices every month, counters growing from month to month."""
    orgs = organization_names()
    out: list[dict] = []
    device = 0
    while len(out) < rows:
        serial = f"СН{device:06d}" if device % 3 == 0 else f"VCF{device:06d}"
        base = 10_000 + device * 37 + month_index * 3_000
        colour, a3 = device % 4 == 0, device % 10 == 0
        record = {
            "month": month,
            "order_number": len(out) + 1,
            "organization": orgs[device % ORGANIZATIONS],
            "branch": f"Филиал {device % 7}",
            "city": f"Город {device % 25}",
            "address": f"ул. Ленина, {device % 300}",
            "equipment_model": f"Kyocera M{2000 + device % 40}",
            "serial_number": serial if device % 100 else "",
            "inventory_number": f"ИНВ-{device}" if device % 100 else "",
        }
        for pair in PAIRS:
            used = pair == "a4_bw" or (colour and "color" in pair) or (a3 and pair.startswith("a3"))
            volume = rng.randint(0, 3_000) if used else 0
            if used and rng.random() < 0.005:
                volume = -rng.randint(1, 5_000)  # a counter reset: negative pages
            elif used and rng.random() < 0.005:
                volume = 50_000  # a jump: an anomaly mark
            record[f"{pair}_start"] = base if used else 0
            record[f"{pair}_end"] = max(base + volume, 0) if used else 0
        availability = 0.0 if rng.random() < 0.1 else float(rng.choice((720, 744)))
        record["normative_availability"] = availability
        record["actual_downtime"] = availability * 1.1 if rng.random() < 0.01 else float(rng.randint(0, 30))
        total = 0 if rng.random() < 0.15 else rng.randint(1, 20)
        record["total_requests"] = total
        record["non_overdue_requests"] = rng.randint(0, total)
        out.append(record)
        if device % 50 == 7 and record["serial_number"] and len(out) < rows:  # listed again for its A3 pages
            again = dict(record, order_number=len(out) + 1, serial_number=f" {serial.lower()} ")
            again.update(a3_bw_start=base, a3_bw_end=base + rng.randint(0, 500))
            out.append(again)
        device += 1
    return out


def computed(records: list[dict]) -> None:
    """total_prints (by duplicate group), K1 and K2 as the app stores them (`formulas`)."""
    groups: dict = defaultdict(list)
    for index, record in enumerate(records):
        record["id"] = index  # the group order only: the database assigns the real ids
        groups[group_key(record["serial_number"], record["inventory_number"], index)].append(record)
    for rows in groups.values():
        for index, total in group_totals(rows).items():
            records[index]["total_prints"] = total
    for record in records:
        del record["id"]
        record["k1"] = round(k1(record["normative_availability"], record["actual_downtime"]), 6)
        record["k2"] = round(k2(record["non_overdue_requests"], record["total_requests"]), 6)


def load_dataset(engine: Engine, months: list[date], rows: int) -> float:
    """Organizations, the months' rows and their controls (every month published but the newest); seconds."""
    rng = random.Random(16)
    start = time.perf_counter()
    with Session(engine) as session:
        session.execute(insert(Organization), [{"name": n, "code": "", "active": True} for n in organization_names()])
        for index, month in enumerate(months):
            records = month_rows(index, month, rows, rng)
            computed(records)
            session.execute(insert(MonthlyReport), records)
        session.execute(
            insert(MonthControl),
            [{"month": m, "is_published": m != months[-1], "auto_sync_enabled": False} for m in months],
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------------ measuring


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """(median s, max s, last result) of `runs` runs after one warm-up."""
    result = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def baseline(engine: Engine, months: list[date], runs: int) -> float:
    """`SELECT count(*)` of the months' rows: the unit every figure is printed in."""

    def count() -> int:
        with Session(engine) as session:
            return session.execute(
                text("SELECT count(*) FROM monthlyreport WHERE month >= :a AND month <= :b"),
                {"a": months[0], "b": months[-1]},
            ).scalar_one()

    return timed(count, runs)[0]


def report(b: Bench, name: str, median: float, worst: float, target: float, note: str = "") -> None:
    flag = "ok" if worst < target else f"SLOW (target < {target * 1000:.0f} ms)"
    print(
        f"  {name:<44} median {median * 1000:8.1f} ms  max {worst * 1000:8.1f} ms"
        f"  = {median / b.baseline:7.1f} x baseline  [{flag}]{note}"
    )


def available(module: str) -> bool:
    """Whether a case's module exists (the upload and the month table are built beside this bench)."""
    if importlib.util.find_spec(module) is None:
        print(f"  {module}: not available, case skipped")
        return False
    return True


# ------------------------------------------------------------------------------------------------ the cases


def case_charts(b: Bench) -> None:
    """The charts page over 12 months (all organizations; three of them) and the dashboard card: < 500 ms."""
    from printer_app.services.reports.charts import charts, lowest_sla

    three = tuple(organization_names()[:3])

    def plain() -> int:  # the simplest aggregate of the same shape: what the charts' queries cost beyond it
        with Session(b.engine) as session:
            query = text(
                "SELECT month, organization, count(*) FROM monthlyreport WHERE month >= :a GROUP BY month, organization"
            )
            return len(session.execute(query, {"a": b.months[-12:][0]}).all())

    reference = timed(plain, b.runs)[0]
    print(f"  {'reference: plain GROUP BY month, organization':<44} median {reference * 1000:8.1f} ms")
    cases = {
        "charts: newest 12 months, all organizations": lambda s: charts(s, can_manage=True),
        "charts: newest 12 months, 3 organizations": lambda s: charts(s, can_manage=True, organizations=three),
        "charts: published months only": lambda s: charts(s, can_manage=False),
        "dashboard card: lowest SLA last month": lambda s: lowest_sla(s, can_manage=True),
    }
    for name, call in cases.items():

        def run(call=call):
            with Session(b.engine) as session:
                return call(session)

        median, worst, result = timed(run, b.runs)
        note = ""
        if hasattr(result, "sla"):
            note = (
                f"  ({len(result.months)} months, {len(result.sla)} SLA points, {len(result.volumes)} volumes;"
                f" {median / reference:.1f} x the plain GROUP BY)"
            )
        report(b, name, median, worst, 0.5, note)


def _child_export(month: str, *, export: bool) -> None:
    """In a child process: export one month (or only import what it needs); print the maximum RSS in MB."""
    import resource

    from printer_app.services.reports.export import export_month
    from printer_app.services.reports.months import parse_report_month

    engine = get_engine()
    if export:
        with Session(engine) as session:
            export_month(session, parse_report_month(month), io.BytesIO())
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _child_rss(b: Bench, month: date, *, export: bool) -> float:
    args = [sys.executable, __file__, "--child-export", month.strftime("%Y-%m")] + ([] if export else ["--dry"])
    env = dict(os.environ, DATABASE_URL=b.url)
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=True, timeout=300)
    return float(done.stdout.strip().splitlines()[-1])


def case_export(b: Bench) -> None:
    """One month to xlsx: < 3 s, < 300 MB peak."""
    from printer_app.services.reports.export import export_month

    month = b.months[-1]

    def run() -> int:
        with Session(b.engine) as session:
            out = io.BytesIO()
            export_month(session, month, out)
            return out.tell()

    median, worst, size = timed(run, max(1, b.runs // 2))
    report(b, f"export: one month ({b.rows} rows)", median, worst, 3.0, f"  ({size / 1024 / 1024:.1f} MB file)")
    rss, idle = _child_rss(b, month, export=True), _child_rss(b, month, export=False)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    flag = "ok" if rss < 300 else "OVER (target < 300 MB)"
    print(
        f"  {'export: peak memory':<44} child max RSS {rss:6.0f} MB (a child that exports nothing: {idle:.0f} MB),"
        f" Python peak (tracemalloc) {peak:.0f} MB  [{flag}]"
    )


def case_upload(b: Bench) -> None:
    """UPLOAD (services/reports/upload.py + importing.py): the newest month's export read back, analysed, stored
    and imported as a new month: < 10 s."""
    if not (available("printer_app.services.reports.upload") and available("printer_app.services.reports.importing")):
        return
    from printer_app.services.reports import importing, upload
    from printer_app.services.reports.export import export_month_bytes

    with Session(b.engine) as session:
        data, count = export_month_bytes(session, b.months[-1])
    target = date(b.months[-1].year + 1, 1, 1)
    times = []
    for _ in range(max(1, b.runs // 2)):
        start = time.perf_counter()
        with Session(b.engine, expire_on_commit=False) as session:
            analysis = upload.analyse(session, data, file_name="bench.xlsx")
            if analysis.refusal:
                print(f"  upload: refused: {analysis.refusal}")
                return
            stored = upload.store(
                session, analysis, month=target, user_id=None, options=importing.options_of(replace_month=True)
            )
            session.commit()
            upload_id = stored.id
        analysed = time.perf_counter() - start
        importing.import_upload(upload_id, user_id=None)
        times.append((time.perf_counter() - start, analysed))
    total, analysed = min(times)
    note = f"  (analysis {analysed:.2f} s, {count} rows, {len(data) / 1024 / 1024:.1f} MB file)"
    report(b, f"upload: analyse + import {count} rows", total, max(t for t, _ in times), 10.0, note)


def case_month_table(b: Bench) -> None:
    """MONTH TABLE (services/reports/month_table.py): one page for each filter and each sort: < 300 ms."""
    if not available("printer_app.services.reports.month_table"):
        return
    from printer_app.services.reports.month_table import SORTABLE, TableFilters, month_table

    month = b.months[-1]
    filters = {
        "no filter": TableFilters(),
        "organization": TableFilters(organization=organization_names()[1]),
        "search (Cyrillic serial)": TableFilters(search="сн0001"),
        "anomalies": TableFilters(anomalies=True),
        "duplicates": TableFilters(duplicates=True),
        "K1 below 99": TableFilters(k1_below=99.0),
    }
    worst_case = ("", 0.0, 0.0)
    for name, chosen in filters.items():
        median, worst, _ = timed(lambda f=chosen: _table_page(b, month_table, month, f, "order_number", False), b.runs)
        report(b, f"month table: {name}", median, worst, 0.3)
    for sort in SORTABLE:
        for descending in (False, True):
            median, worst, _ = timed(
                lambda s=sort, d=descending: _table_page(b, month_table, month, TableFilters(), s, d), 1
            )
            if worst > worst_case[2]:
                worst_case = (f"{sort}{' desc' if descending else ''}", median, worst)
    name, median, worst = worst_case
    report(b, f"month table: slowest of {len(SORTABLE) * 2} sorts ({name})", median, worst, 0.3)


def _table_page(b: Bench, month_table, month: date, filters, sort: str, descending: bool):
    with Session(b.engine) as session:
        return month_table(session, month, filters=filters, sort=sort, descending=descending, page=3)


def case_sync(b: Bench) -> None:
    """SYNC (issue #17, bench/report_sync.py): a 5,000-row month with 30 days of polls synced: < 30 s."""
    if available("printer_app.services.reports.sync_month"):
        from bench.report_sync import case_sync as run_case

        run_case(b, report)


def case_live_edit(b: Bench) -> None:
    """LIVE EDIT (issue #17, bench/report_sync.py): cell edit -> other tab re-read, p95 while a sync runs: < 500 ms.
    Needs the `sync` case's polls: run after it."""
    if available("printer_app.services.reports.sync_month"):
        from bench.report_sync import case_live_edit as run_case

        run_case(b, report)


CASES: dict[str, Callable[[Bench], None]] = {
    "charts": case_charts,
    "export": case_export,
    "upload": case_upload,
    "month_table": case_month_table,
    "sync": case_sync,
    "live_edit": case_live_edit,
}


def run(backend: str, url: str, *, rows: int, months: int, runs: int, cases: list[str]) -> None:
    print(f"\n== {backend}: {months} months x {rows} rows ==")
    upgrade_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    first = date(2025, 1, 1)
    month_list = [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(months)
    ]
    loading = load_dataset(engine, month_list, rows)
    print(f"  dataset: {months * rows} rows loaded set-based in {loading:.1f} s")
    b = Bench(engine, url, month_list, rows, baseline(engine, month_list, runs), runs)
    print(f"  baseline: SELECT count(*) of the {months} months: {b.baseline * 1000:.1f} ms")
    for name in cases:
        CASES[name](b)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000, help="rows per month")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (after one warm-up)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--child-export", metavar="YYYY-MM", help=argparse.SUPPRESS)
    parser.add_argument("--dry", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        _child_export(args.child_export, export=not args.dry)
        return
    if args.backend in ("sqlite", "both"):
        run("sqlite", _prepare_sqlite(), rows=args.rows, months=args.months, runs=args.runs, cases=args.cases)
    if args.backend in ("postgresql", "both"):
        url = _prepare_postgresql(args.pg_url)
        try:
            run("postgresql", url, rows=args.rows, months=args.months, runs=args.runs, cases=args.cases)
        finally:
            get_engine.cache_clear()
            _drop_postgresql(url)


if __name__ == "__main__":
    main()
