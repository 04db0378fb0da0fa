"""How fast is the daily linking of contract devices to printers by serial? Target: 20,000 devices < 5 s on PostgreSQL.

Builds a fresh database (`pi_bench_link` on PostgreSQL, or a SQLite temp file) with N unlinked devices and about as
many printers, inserted in bulk: most serials have one printer (in another case, with spaces around), some have
an active and an inactive printer, some are claimed by two devices of different organizations (conflicts), the
rest have no printer. Then times `autolink_devices` and its commit, a second run with nothing left to link, and a
`SELECT count(*) FROM contractdevice` baseline; prints the figures, the stats and the ratio to the baseline.

    .venv/bin/python bench/contracts_link.py [--devices 20000] [--backend postgresql|sqlite] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
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
from printer_app.models import ContractDevice, Organization, Printer
from printer_app.services.contracts.devices import autolink_devices

TARGET_S = 5.0
DEFAULT_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_link")


def _prepare(backend: str, pg_url: str) -> str:
    if backend == "sqlite":
        path = Path(tempfile.gettempdir()) / "pi_bench_link.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    target = make_url(pg_url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    return target.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _ip(n: int) -> str:
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def build(engine: Engine, devices: int) -> dict[str, int]:
    """Bulk-insert the organizations, printers and devices; returns how many of each kind were made."""
    kinds = {"one_printer": 0, "active_and_inactive": 0, "two_devices": 0, "no_printer": 0}
    printers: list[dict] = []
    rows: list[dict] = []
    with Session(engine) as session:
        orgs = [Organization(name=f"Bench organization {n}") for n in range(10)]
        session.add_all(orgs)
        session.flush()
        org_ids = [o.id for o in orgs]
        n = 0
        while len(rows) < devices:
            serial = f"BN{n:07d}"
            kind = ("one_printer",) * 14 + ("active_and_inactive", "two_devices", "no_printer", "no_printer")
            kind = kind[n % len(kind)]
            kinds[kind] += 1
            if kind != "no_printer":
                printers.append({"serial_number": f" {serial.lower()} ", "ip_address": _ip(len(printers) + 1)})
            if kind == "active_and_inactive":
                printers.append({"serial_number": serial, "ip_address": _ip(len(printers) + 1), "is_active": False})
            rows.append({"organization_id": org_ids[n % 10], "serial_number": serial})
            if kind == "two_devices":
                rows.append({"organization_id": org_ids[(n + 1) % 10], "serial_number": f"{serial} "})
            n += 1
        session.execute(
            insert(Printer), [Printer(**p, ip_numeric=i).model_dump(exclude={"id"}) for i, p in enumerate(printers)]
        )
        session.execute(insert(ContractDevice), [ContractDevice(**r).model_dump(exclude={"id"}) for r in rows])
        session.commit()
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return {"devices": len(rows), "printers": len(printers), **kinds}


def timed(engine: Engine) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    with Session(engine) as session:
        stats = autolink_devices(session)
        session.commit()
    return time.perf_counter() - start, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    url = _prepare(args.backend, args.pg_url)
    upgrade_database(url)
    engine = make_engine(url)
    start = time.perf_counter()
    made = build(engine, args.devices)
    print(f"{args.backend}: built in {time.perf_counter() - start:.1f} s: {made}")
    with engine.connect() as conn:
        start = time.perf_counter()
        conn.execute(text("SELECT count(*) FROM contractdevice")).one()
        baseline = time.perf_counter() - start
    first, stats = timed(engine)
    second, again = timed(engine)
    verdict = "ok" if first < TARGET_S else f"SLOW (target {TARGET_S:.0f} s)"
    print(f"baseline SELECT count(*) FROM contractdevice: {baseline * 1000:.1f} ms")
    print(f"link run: {first:.2f} s ({first / baseline:.0f} x baseline) {verdict}: {stats}")
    print(f"second run (nothing left to link): {second:.2f} s: {again}")
    engine.dispose()


if __name__ == "__main__":
    main()
