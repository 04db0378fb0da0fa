"""How fast, and in how much memory, is `printers.xlsx` of a big fleet? Times `export_printers` (what the printers
page's Export runs) on the database `printers_page.py` builds.

Each case (the whole fleet, one organization, a search) runs `--runs` times after a warm-up: median and max in
seconds, and the median as a multiple of a baseline that streams the same rows without writing a workbook. Memory:
the peak RSS of a child process that exports the whole fleet, beside a child that only connects (target: the
export < 3 s, < 300 MB for 10,000 printers), and tracemalloc's Python peak.

    .venv/bin/python bench/printers_export.py --printers 10000 --polls 500000 --backend postgresql [--reuse]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, func, select

from bench.printers_page import DEFAULT_PG_URL, _prepare_postgresql, _prepare_sqlite, build
from printer_app.db import make_engine
from printer_app.models import Printer
from printer_app.services.inventory.printer_export import _rows, export_printers
from printer_app.services.inventory.printer_list import PrinterFilters

TARGET_S = 3.0
TARGET_MB = 300.0
TZ = ZoneInfo("Asia/Irkutsk")


def _timed(url: str, work, runs: int) -> tuple[float, float]:
    engine = make_engine(url)
    times = []
    for attempt in range(runs + 1):
        with Session(engine) as session:
            start = time.perf_counter()
            work(session)
            if attempt:  # the first run warms the caches
                times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times), max(times)


def _child(url: str, export: bool, out: multiprocessing.Queue) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        if export:
            export_printers(session, io.BytesIO(), filters=PrinterFilters(active="all"), tz=TZ)
        else:
            session.exec(select(func.count(Printer.id))).one()
    out.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _child_rss(url: str, *, export: bool) -> float:
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(target=_child, args=(url, export, queue))
    process.start()
    peak = queue.get(timeout=600)
    process.join()
    return peak


def bench_backend(name: str, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    print(f"\n== {name}: {build(engine, url, args.printers, args.polls)}")
    with Session(engine) as session:
        org_id = session.exec(
            select(Printer.organization_id).where(Printer.organization_id.is_not(None)).limit(1)
        ).first()
        total = session.exec(select(func.count(Printer.id))).one()
    engine.dispose()
    cases = {
        f"whole fleet ({total:,} printers, active and inactive)": PrinterFilters(active="all"),
        "one organization": PrinterFilters(organization=str(org_id)),
        'search "127.20"': PrinterFilters(search="127.20"),
    }
    print(f"{'case':<52} {'rows':>7} {'median':>8} {'max':>8} {'x stream':>9}")
    for label, filters in cases.items():
        counted: list[int] = []

        def export(session: Session, filters=filters, counted=counted) -> None:
            counted.append(export_printers(session, io.BytesIO(), filters=filters, tz=TZ))

        def stream(session: Session, filters=filters) -> None:
            for _row in _rows(session, filters):
                pass

        median, worst = _timed(url, export, args.runs)
        base, _ = _timed(url, stream, args.runs)
        flag = "ok" if worst < TARGET_S else "SLOW"
        print(f"{label:<52} {counted[-1]:>7,} {median:>7.2f}s {worst:>7.2f}s {median / base:>8.1f}x  [{flag}]")
    idle, exported = _child_rss(url, export=False), _child_rss(url, export=True)
    engine = make_engine(url)
    with Session(engine) as session:
        tracemalloc.start()
        export_printers(session, io.BytesIO(), filters=PrinterFilters(active="all"), tz=TZ)
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    engine.dispose()
    flag = "ok" if exported < TARGET_MB else "OVER"
    print(f"peak RSS: exporting child {exported:.0f} MB, idle child {idle:.0f} MB; Python peak {peak:.0f} MB  [{flag}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=10_000)
    parser.add_argument("--polls", type=int, default=500_000, help="about this many poll records in total")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per case (after one warm-up)")
    parser.add_argument("--sqlite-path", type=Path, default=Path(tempfile.gettempdir()) / "pi_bench.db")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="database to (re)create; env BENCH_DATABASE_URL")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        bench_backend("sqlite", _prepare_sqlite(args.sqlite_path, args.reuse), args)
    if args.backend in ("postgresql", "both"):
        bench_backend("postgresql", _prepare_postgresql(args.pg_url, args.reuse), args)


if __name__ == "__main__":
    main()
