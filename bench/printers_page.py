"""How fast is the printers page on a big fleet? Times `list_printers` per filter, sort and page.

Builds (or reuses) a database of N demo printers with about M poll records, then times every case the page
offers, median and max of several runs after a warm-up, as ratios to a `SELECT count(*) FROM printer` baseline
run beside them. Cases slower than the 300 ms target are flagged and their query plans printed.

    .venv/bin/python bench/printers_page.py --printers 10000 --polls 500000 --backend both [--reuse]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, func, select

from printer_app.cli.main import upgrade_database
from printer_app.db import make_engine
from printer_app.models import DeviceModel, InventoryTask, Organization, Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.inventory.demo import load_demo_data
from printer_app.services.inventory.printer_list import SORTABLE, PrinterFilters, PrinterPage, list_printers

TARGET_MS = 300.0
DEFAULT_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench")


@dataclass
class Case:
    """One way the page is asked for: filters, sort, direction, page and page size."""

    name: str
    filters: PrinterFilters = field(default_factory=PrinterFilters)
    sort: str = "ip"
    descending: bool = False
    page: int = 1
    page_size: int = 50

    def run(self, session: Session) -> PrinterPage:
        return list_printers(
            session,
            filters=self.filters,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )


@dataclass
class Timing:
    median_ms: float
    max_ms: float


def measure(engine: Engine, work: Callable[[Session], object], runs: int) -> tuple[Timing, object]:
    """Median and max wall time of `work` in a fresh session (as a page event gets one), after one warm-up."""
    with Session(engine) as session:
        result = work(session)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with Session(engine) as session:
            work(session)
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(statistics.median(samples), max(samples)), result


# Building the database


def _split(printers: int, polls: int) -> tuple[int, int]:
    """Days and polls per day (1-24, as the CLI allows) so printers * days * per_day is about `polls`."""
    per_printer = max(1, round(polls / printers))
    per_day = 2 if per_printer >= 2 else 1
    return max(1, round(per_printer / per_day)), per_day


def _prepare_sqlite(path: Path, reuse: bool) -> str:
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _prepare_postgresql(url: str, reuse: bool) -> str:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone()
        if exists and not reuse:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target.database)))
        if not exists or not reuse:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    return target.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def build(engine: Engine, url: str, printers: int, polls: int) -> str:
    """Migrate and load demo data unless the database already holds printers; returns what happened."""
    upgrade_database(url)
    with Session(engine) as session:
        have = session.exec(select(func.count(Printer.id))).one()
    if have:
        return f"reused ({have:,} printers already there)"
    days, per_day = _split(printers, polls)
    print(f"  loading {printers:,} printers x {days} days x {per_day} polls/day ...", flush=True)
    start = time.perf_counter()

    step = max(100, printers // 10 // 100 * 100)

    def progress(done: int, total: int) -> None:  # called every 100 printers
        if (done - 1) % step == 0 or done == total:
            print(f"    history {done:,}/{total:,}  {time.perf_counter() - start:6.1f} s", flush=True)

    with Session(engine, expire_on_commit=False) as session:
        load_demo_data(session, printers=printers, days=days, polls_per_day=per_day, progress=progress)
        session.commit()
    loaded = time.perf_counter() - start
    with engine.begin() as conn:  # fresh statistics, as autovacuum would gather after a bulk load
        conn.execute(text("ANALYZE"))
    return f"loaded in {loaded:.1f} s (+ANALYZE {time.perf_counter() - start - loaded:.1f} s)"


# The cases


def cases(engine: Engine) -> list[Case]:
    """Every filter alone, every sort both ways, page changes and the largest page size."""
    with Session(engine) as session:
        org_id = session.exec(
            select(Printer.organization_id)
            .where(Printer.organization_id.is_not(None))
            .group_by(Printer.organization_id)
            .order_by(func.count().desc())
        ).first()
        org = session.get(Organization, org_id)
        model = session.exec(select(DeviceModel).order_by(DeviceModel.id)).first()
        total = list_printers(session, filters=PrinterFilters()).total
    middle, last = max(1, -(-total // 50) // 2), max(1, -(-total // 50))
    result = [
        Case("first load (sort ip, page 1)"),
        Case('search "127.20.1"', PrinterFilters(search="127.20.1")),
        Case(f"organization = {org.name[:22]}", PrinterFilters(organization=str(org.id))),
        Case("organization = none", PrinterFilters(organization="none")),
        Case(f"model = {model.name[:28]}", PrinterFilters(model=str(model.id))),
        Case(f"match rule = {MatchRule.SN_MAC}", PrinterFilters(match_rule=MatchRule.SN_MAC)),
        Case("match rule = NONE", PrinterFilters(match_rule="NONE")),
        Case("status = FAILED", PrinterFilters(status=TaskStatus.FAILED)),
        Case("status = NEVER_RUN", PrinterFilters(status=TaskStatus.NEVER_RUN)),
        Case("inactive", PrinterFilters(active="inactive")),
    ]
    for key in SORTABLE:
        result += [Case(f"sort {key} asc", sort=key), Case(f"sort {key} desc", sort=key, descending=True)]
    result += [
        Case("page 2", page=2),
        Case(f"page {middle} (middle)", page=middle),
        Case(f"page {last} (last)", page=last),
        Case("page size 200", page_size=200),
        Case("page size 200, sort total desc, last", sort="total", descending=True, page_size=200, page=10**6),
    ]
    return result


def _page_is_bounded(case: Case, page: PrinterPage) -> bool:
    """A page never holds more than page_size rows, and exactly what is left on the last one."""
    expected = max(0, min(page.page_size, page.total - (page.page - 1) * page.page_size))
    return len(page.rows) == expected and page.page_size == case.page_size


def explain(engine: Engine, case: Case) -> list[str]:
    """The query plan of every statement the case runs (EXPLAIN ANALYZE on PostgreSQL)."""
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            case.run(session)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    lines = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            lines.append("  -- " + " ".join(statement.split())[:160] + " ...")
            for row in conn.exec_driver_sql(prefix + statement, parameters).all():
                lines.append("     " + " | ".join(str(v) for v in row))
    return lines


def bench_backend(name: str, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    try:
        print(f"\n== {name}: {make_url(url).render_as_string(hide_password=True)}", flush=True)
        how = build(engine, url, args.printers, args.polls)
        with Session(engine) as session:
            n_printers = session.exec(select(func.count(Printer.id))).one()
            n_polls = session.exec(select(func.count(InventoryTask.id))).one()
        print(f"  {n_printers:,} printers, {n_polls:,} polls; {how}")

        ping, _ = measure(engine, lambda s: s.exec(select(1)).one(), args.runs)
        count, _ = measure(engine, lambda s: s.exec(select(func.count()).select_from(Printer)).one(), args.runs)
        base = count.median_ms
        print(f"  baseline SELECT 1                 median {ping.median_ms:7.2f} ms   max {ping.max_ms:7.2f} ms")
        print(f"  baseline SELECT count(*) printer  median {base:7.2f} ms   max {count.max_ms:7.2f} ms")
        print(f"\n  {'case':<42}{'rows':>5}{'total':>8}{'median ms':>11}{'max ms':>9}{'x count(*)':>12}")
        slow, unbounded = [], []
        for case in cases(engine):
            timing, page = measure(engine, case.run, args.runs)
            flag = "  SLOW" if timing.median_ms > TARGET_MS else ("  max>300" if timing.max_ms > TARGET_MS else "")
            if timing.median_ms > TARGET_MS:
                slow.append(case)
            if not _page_is_bounded(case, page):
                unbounded.append(case.name)
            print(
                f"  {case.name:<42}{len(page.rows):>5}{page.total:>8}"
                f"{timing.median_ms:>11.1f}{timing.max_ms:>9.1f}{timing.median_ms / base:>12.1f}{flag}",
                flush=True,
            )
        print(f"\n  page size check: {unbounded or 'every page held at most page_size rows'}")
        print(f"  over the {TARGET_MS:.0f} ms target (median): {', '.join(c.name for c in slow) or 'none'}")
        for case in slow if not args.explain else cases(engine):
            print(f"\n  plan of '{case.name}':")
            print("\n".join(explain(engine, case)))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=10_000)
    parser.add_argument("--polls", type=int, default=500_000, help="about this many poll records in total")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (after one warm-up)")
    parser.add_argument("--explain", action="store_true", help="print the plan of every case, not only slow ones")
    parser.add_argument("--sqlite-path", type=Path, default=Path(tempfile.gettempdir()) / "pi_bench.db")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="database to (re)create; env BENCH_DATABASE_URL")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        bench_backend("sqlite", _prepare_sqlite(args.sqlite_path, args.reuse), args)
    if args.backend in ("postgresql", "both"):
        bench_backend("postgresql", _prepare_postgresql(args.pg_url, args.reuse), args)


if __name__ == "__main__":
    main()
