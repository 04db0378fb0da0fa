"""How fast is the /supplies page with 10,000 printers x 4 supplies? Times `list_supplies` per filter, sort and page,
"What to order" and the dashboard's "Runs out this week" on PostgreSQL.

Builds (or reuses) a throw-away PostgreSQL database, all set-based: organizations, device models with cartridges
(black primary + a spare, cyan, magenta, yellow), `--printers` printers (every 5th a colour model, two thirds linked
to a contract device, the rest on their own catalogue model), and 4 SupplyForecast rows per printer (a tenth
without a forecast, a few empty). Every case: one warm-up, then `--runs` timed runs in a fresh session each; p50
and p95 in ms and p50 as a multiple of a `SELECT count(*) FROM supplyforecast` baseline timed in the same run.

    .venv/bin/python bench/supplies_page.py [--printers 10000] [--runs 20] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, func, select

from printer_app.cli.main import upgrade_database
from printer_app.db import make_engine
from printer_app.models import Organization, SupplyForecast
from printer_app.services.supplies.fleet import SORTABLE, SupplyFilters, list_supplies
from printer_app.services.supplies.ordering import what_to_order
from printer_app.services.supplies.soon import runs_out_soon

TARGET_MS = 500.0
DEFAULT_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_supplies")
SETUP = """
INSERT INTO organization (name, code, active, created_at, updated_at, version)
SELECT 'Organization ' || g, 'o' || g, true, now(), now(), 1 FROM generate_series(1, 40) g;
INSERT INTO manufacturer (name) VALUES ('Bench HP'), ('Bench Kyocera');
INSERT INTO devicemodel (manufacturer_id, name, device_type, has_network_port)
SELECT (SELECT min(id) FROM manufacturer) + g % 2, 'Model ' || g, 'printer', true FROM generate_series(1, 30) g;
INSERT INTO cartridge (name, part_number, color, capacity, is_active, comment)
SELECT 'Cartridge ' || m.id || ' ' || c.color || ' ' || c.n, 'PN-' || m.id || '-' || c.color || '-' || c.n,
       c.color, '3000', true, ''
FROM devicemodel m CROSS JOIN (VALUES ('black', 1), ('black', 2), ('cyan', 1), ('magenta', 1), ('yellow', 1))
     AS c(color, n);
INSERT INTO devicemodelcartridge (device_model_id, cartridge_id, is_primary, comment)
SELECT m.id, c.id, c.name LIKE '% 1', ''
FROM cartridge c JOIN devicemodel m ON c.part_number LIKE 'PN-' || m.id || '-%';
INSERT INTO printer (ip_address, ip_numeric, serial_number, model, organization_id, device_model_id, is_active,
                     polling_method, connection_type, snmp_version, snmp_community, snmp_port, created_at,
                     last_updated, version, location)
SELECT '10.' || (g / 65536) || '.' || (g / 256 % 256) || '.' || (g % 256), 167772160 + g,
       'BSN' || lpad(g::text, 7, '0'), 'Bench model', (SELECT min(id) FROM organization) + g % 40,
       CASE WHEN g % 3 = 0 THEN (SELECT min(id) FROM devicemodel) + g % 30 END, g % 50 <> 0,
       'SNMP', 'NETWORK', '2c', 'public', 161, now(), now(), 1, ''
FROM generate_series(1, :printers) g;
INSERT INTO contractdevice (organization_id, address, room_number, device_model_id, serial_number, comment,
                            printer_id, created_at, updated_at)
SELECT p.organization_id, 'Street ' || p.id, '', (SELECT min(id) FROM devicemodel) + p.id % 30, p.serial_number, '',
       p.id, now(), now()
FROM printer p WHERE p.id % 3 <> 0;
INSERT INTO supplyforecast (printer_id, supply_key, kind, color, description, level_percent, state, last_seen_at,
    lifetime_started_at, pages_since_replacement, forecast_status, days_to_empty, days_low, days_high, pages_to_empty,
    replacements, last_pages_per_cartridge, avg_pages_per_cartridge, updated_at)
SELECT p.id, 'toner:' || s.color || ':' || s.n, 'toner', s.color, initcap(s.color) || ' toner',
       (p.id * 7 + s.n * 13) % 101, 'ok', now(), now() - interval '30 days', (p.id * 31) % 5000,
       CASE WHEN (p.id + s.n) % 10 = 0 THEN 'not_enough_data' WHEN (p.id * 7 + s.n * 13) % 101 = 0 THEN 'empty'
            ELSE 'ok' END,
       CASE WHEN (p.id + s.n) % 10 = 0 OR (p.id * 7 + s.n * 13) % 101 = 0 THEN NULL
            ELSE ((p.id * 7 + s.n * 13) % 101) * 0.9 + 0.5 END,
       CASE WHEN (p.id + s.n) % 10 = 0 THEN NULL ELSE ((p.id * 7 + s.n * 13) % 101) * 0.7 END,
       CASE WHEN (p.id + s.n) % 10 = 0 THEN NULL ELSE ((p.id * 7 + s.n * 13) % 101) * 1.2 + 1 END,
       ((p.id * 7 + s.n * 13) % 101) * 30, p.id % 6, 2000 + p.id % 900, 2100 + p.id % 500, now()
FROM printer p CROSS JOIN (VALUES ('black', 1), ('cyan', 2), ('magenta', 3), ('yellow', 4)) AS s(color, n);
"""


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


def build(engine: Engine, url: str, printers: int) -> str:
    upgrade_database(url)
    with Session(engine) as session:
        have = session.exec(select(func.count(SupplyForecast.id))).one()
    if have:
        return f"reused ({have:,} supply forecasts)"
    start = time.perf_counter()
    with engine.begin() as conn:
        for statement in SETUP.split(";\n"):
            if statement.strip():
                conn.execute(text(statement), {"printers": printers} if ":printers" in statement else {})
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
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def cases(engine: Engine) -> list[tuple[str, Callable[[Session], object]]]:
    with Session(engine) as session:
        org = str(session.exec(select(Organization.id)).first())

    def page(**options) -> Callable[[Session], object]:
        filters = options.pop("filters", SupplyFilters())
        return lambda s: list_supplies(s, filters=filters, **options)

    result = [
        ("first load (days to empty)", page()),
        ("organization", page(filters=SupplyFilters(organization=org))),
        ("kind toner", page(filters=SupplyFilters(kind="toner"))),
        ("colour cyan", page(filters=SupplyFilters(color="cyan"))),
        ("level below 10", page(filters=SupplyFilters(level_below=10))),
        ("empty within 7 days", page(filters=SupplyFilters(empty_within=7))),
        ("search part 'pn-12-cyan'", page(filters=SupplyFilters(search="pn-12-cyan"))),
        ("search serial 'bsn00042'", page(filters=SupplyFilters(search="bsn00042"))),
        ("all filters", page(filters=SupplyFilters(organization=org, kind="toner", color="black", empty_within=30))),
    ]
    for key in SORTABLE:
        result += [(f"sort {key} asc", page(sort=key)), (f"sort {key} desc", page(sort=key, descending=True))]
    result += [
        ("last page", page(page=10**6)),
        ("page size 200, middle", page(page=50, page_size=200)),
        ("what to order, 14 days", lambda s: what_to_order(s, filters=SupplyFilters(), days=14)),
        ("what to order, 60 days", lambda s: what_to_order(s, filters=SupplyFilters(), days=60)),
        ("what to order, organization", lambda s: what_to_order(s, filters=SupplyFilters(organization=org), days=14)),
        ("dashboard: runs out this week", lambda s: runs_out_soon(s)),
    ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    url = _prepare(args.pg_url, args.reuse)
    engine = make_engine(url)
    print(f"PostgreSQL {make_url(url).database}: {build(engine, url, args.printers)}", flush=True)
    base, _ = measure(engine, lambda s: s.exec(select(func.count(SupplyForecast.id))).one(), args.runs)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"baseline SELECT count(*) FROM supplyforecast: {base:.1f} ms; load {load} on {os.cpu_count()} cores\n")
    print(f"{'case':36} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8} {'x base':>7}")
    slow = 0
    for name, work in cases(engine):
        with Session(engine) as session:
            result = work(session)
        rows = len(getattr(result, "rows", None) or getattr(result, "first", None) or result or [])
        p50, p95 = measure(engine, work, args.runs)
        flag = "  SLOW" if p95 > TARGET_MS else ""
        slow += p95 > TARGET_MS
        print(f"{name:36} {rows:>6} {p50:>8.1f} {p95:>8.1f} {p50 / base:>7.1f}{flag}", flush=True)
    print(f"\n{slow} case(s) over the {TARGET_MS:.0f} ms target at p95")
    engine.dispose()


if __name__ == "__main__":
    main()
