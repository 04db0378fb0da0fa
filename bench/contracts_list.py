"""How fast are the contracts page and its export with 20 000 devices? Times `list_devices` per filter, sort and
page, and the export of 10 000 devices (time and peak memory of the process writing it).

Builds (or reuses) a PostgreSQL database: demo printers with a few polls (`load_demo_data`), then reference data
and `--devices` contract devices generated set-based in one INSERT ... SELECT, every 4th linked to a polled
printer while there are printers. Every case: one warm-up, then `--runs` timed runs in a fresh session each;
median and max in ms and the median as a multiple of a `SELECT count(*) FROM contractdevice` baseline.

    .venv/bin/python bench/contracts_list.py [--devices 20000] [--printers 2000] [--reuse]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, delete, func, select

from printer_app.cli.main import upgrade_database
from printer_app.db import make_engine
from printer_app.models import City, ContractDevice, ContractStatus, DeviceModel, Organization, ServiceProvider
from printer_app.services.contracts.device_list import SORTABLE, DeviceFilters, list_devices
from printer_app.services.contracts.export import export_devices
from printer_app.services.inventory.demo import load_demo_data

TARGET_MS, EXPORT_TARGET_S, EXPORT_TARGET_MB = 300.0, 3.0, 300.0
DEFAULT_PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_contract_devices"
)
MONTHS = 24  # service months spread over 2024-2025: month_to 2024-12 selects half of the devices


def _prepare(url: str, reuse: bool) -> str:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone()
        if exists and not reuse:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target.database)))
        if not exists or not reuse:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    return target.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def build(engine: Engine, url: str, devices: int, printers: int) -> str:
    upgrade_database(url)
    with Session(engine) as session:
        have = session.exec(select(func.count(ContractDevice.id))).one()
    if have:
        return f"reused ({have:,} devices)"
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        load_demo_data(session, printers=printers, days=1, polls_per_day=2)
        session.exec(delete(ContractDevice))  # the demo's own devices: the set-based ones below take their printers
        session.add_all(City(name=f"City {i}") for i in range(40))
        session.add_all(ContractStatus(name=f"Status {i}", color=f"#{i * 40:02x}8844") for i in range(6))
        session.add_all(ServiceProvider(name=f"Provider {i}", code=f"p{i}") for i in range(3))
        session.commit()
    with engine.begin() as conn:  # set-based: one statement for every device
        conn.execute(
            text(
                """
                WITH orgs AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM organization),
                     cities AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM city),
                     models AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM devicemodel),
                     statuses AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM contractstatus),
                     providers AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM serviceprovider),
                     printers AS (SELECT id, serial_number, row_number() OVER (ORDER BY id) AS n FROM printer),
                     counts AS (SELECT (SELECT count(*) FROM orgs) o, (SELECT count(*) FROM cities) c,
                                       (SELECT count(*) FROM models) m, (SELECT count(*) FROM statuses) s,
                                       (SELECT count(*) FROM providers) p)
                INSERT INTO contractdevice (organization_id, city_id, address, room_number, device_model_id,
                    serial_number, status_id, service_provider_id, service_start_month, comment, printer_id,
                    created_at, updated_at)
                SELECT o.id, c.id, 'Street ' || (g % 997) || ', ' || g, (g % 300)::text, m.id,
                       coalesce(pr.serial_number, 'CD' || lpad(g::text, 7, '0')),
                       CASE WHEN g % 11 = 0 THEN NULL ELSE s.id END,
                       CASE WHEN g % 7 = 0 THEN NULL ELSE p.id END,
                       (date '2024-01-01' + make_interval(months => (g % :months)::int))::date,
                       CASE WHEN g % 5 = 0 THEN 'note ' || g ELSE '' END, pr.id, now(), now()
                FROM generate_series(1, :devices) g CROSS JOIN counts
                JOIN orgs o ON o.n = g % counts.o
                JOIN cities c ON c.n = g % counts.c
                JOIN models m ON m.n = g % counts.m
                JOIN statuses s ON s.n = g % counts.s
                JOIN providers p ON p.n = g % counts.p
                LEFT JOIN printers pr ON g % 4 = 0 AND pr.n = g / 4
                """
            ),
            {"devices": devices, "months": MONTHS},
        )
        conn.execute(text("ANALYZE"))
    return f"loaded in {time.perf_counter() - start:.1f} s"


def measure(engine: Engine, work: Callable[[Session], object], runs: int) -> tuple[float, float]:
    with Session(engine) as session:
        work(session)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with Session(engine) as session:
            work(session)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def cases(engine: Engine) -> list[tuple[str, dict]]:
    with Session(engine) as session:
        org = session.exec(select(Organization.id)).first()
        city = session.exec(select(City.id)).first()
        model = session.exec(select(DeviceModel.id, DeviceModel.manufacturer_id)).first()
        status = session.exec(select(ContractStatus.id)).first()
        provider = session.exec(select(ServiceProvider.id)).first()
    result: list[tuple[str, dict]] = [
        ("first load", {}),
        ("search 'street 5'", {"filters": DeviceFilters(search="street 5")}),
        ("search serial 'cd00123'", {"filters": DeviceFilters(search="cd00123")}),
        ("organization", {"filters": DeviceFilters(organization=str(org))}),
        ("city", {"filters": DeviceFilters(city=str(city))}),
        ("manufacturer", {"filters": DeviceFilters(manufacturer=str(model[1]))}),
        ("model", {"filters": DeviceFilters(model=str(model[0]))}),
        ("status", {"filters": DeviceFilters(status=str(status))}),
        ("status none", {"filters": DeviceFilters(status="none")}),
        ("provider", {"filters": DeviceFilters(provider=str(provider))}),
        ("linked", {"filters": DeviceFilters(linked="yes")}),
        ("not linked", {"filters": DeviceFilters(linked="no")}),
        ("month 2024-03..2024-09", {"filters": DeviceFilters(month_from=date(2024, 3, 1), month_to=date(2024, 9, 1))}),
    ]
    for key in SORTABLE:
        result += [(f"sort {key} asc", {"sort": key}), (f"sort {key} desc", {"sort": key, "descending": True})]
    result += [
        ("last page", {"page": 10**6}),
        ("page size 200, sort lowest_toner, middle", {"sort": "lowest_toner", "page_size": 200, "page": 50}),
    ]
    return result


def _export_child(url: str, runs: int, queue) -> None:
    """In a process of its own, so its peak resident memory is the export's (with the interpreter's baseline).

    A warm-up export of nothing first (the query compiled, openpyxl loaded, as in a running app), then `runs` timed
    exports of the same 10 000 devices."""
    engine = make_engine(url)
    with Session(engine) as session:
        export_devices(session, io.BytesIO(), filters=DeviceFilters(search="no such device"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    samples, count, size = [], 0, 0
    for _ in range(runs):
        out = io.BytesIO()
        start = time.perf_counter()
        with Session(engine) as session:
            count = export_devices(session, out, filters=DeviceFilters(month_to=date(2024, 12, 1)))
        samples.append(time.perf_counter() - start)
        size = len(out.getvalue())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((count, statistics.median(samples), max(samples), before, peak, size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--printers", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    url = _prepare(args.pg_url, args.reuse)
    engine = make_engine(url)
    print(f"PostgreSQL {make_url(url).database}: {build(engine, url, args.devices, args.printers)}", flush=True)
    base, _ = measure(engine, lambda s: s.exec(select(func.count(ContractDevice.id))).one(), args.runs)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"baseline SELECT count(*) FROM contractdevice: {base:.1f} ms; load average {load} on {os.cpu_count()} cores\n"
    )
    print(f"{'case':45} {'rows':>5} {'total':>7} {'median':>8} {'max':>8} {'x base':>7}")
    slow = 0
    for name, options in cases(engine):
        with Session(engine) as session:
            page = list_devices(session, **({"filters": DeviceFilters()} | options))
        median, worst = measure(
            engine, lambda s, o=options: list_devices(s, **({"filters": DeviceFilters()} | o)), args.runs
        )
        flag = "  SLOW" if median > TARGET_MS else ("  max>300" if worst > TARGET_MS else "")
        slow += median > TARGET_MS
        print(f"{name:45} {len(page.rows):5} {page.total:7} {median:7.1f}ms {worst:7.1f}ms {median / base:7.1f}{flag}")
    queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=_export_child, args=(url, 3, queue))
    child.start()
    count, seconds, worst, before, peak, size = queue.get()
    child.join()
    verdict = "ok" if seconds < EXPORT_TARGET_S and peak < EXPORT_TARGET_MB else "OVER TARGET"
    print(
        f"\nexport of {count:,} devices: median {seconds:.2f} s (max {worst:.2f} s of 3), {size / 1024:.0f} KiB;"
        f" peak RSS {peak:.0f} MB"
        f" (process before the export {before:.0f} MB, so +{peak - before:.0f} MB) — {verdict}"
        f" (targets < {EXPORT_TARGET_S:.0f} s, < {EXPORT_TARGET_MB:.0f} MB)"
    )
    print(f"\n{slow} case(s) over {TARGET_MS:.0f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
