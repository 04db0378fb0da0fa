"""How fast is the two-phase contract import (DOMAIN 8.3) on a 10,000-row workbook?

Builds a fresh database with set-based reference data (organizations, manufacturers, models, cities, printers and
stored contract devices, so the file has NEW, MATCH, MOVED, DUP_IN_FILE and ERROR rows), writes an xlsx of N rows
with openpyxl, then times:
- analysis: `importing.add_workbook` + commit (reading, normalising, validating, classifying, storing the rows),
  against the baseline of openpyxl alone reading the same file's values;
- apply: `importing.apply_session` (chunks of 200, change log, progress), against the baseline of one
  executemany INSERT of the same number of plain rows;
- export of the devices (when `services/contracts/export.py` exists): its time and peak Python memory.

    .venv/bin/python bench/contracts_import.py                        # 10 000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/contracts_import.py --rows 2000 --backend sqlite
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from openpyxl import Workbook, load_workbook
from psycopg import sql
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from printer_app.cli.main import upgrade_database
from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models import Organization, Printer
from printer_app.models.contracts import City, ContractDevice, ContractStatus, DeviceModel, Manufacturer
from printer_app.services.contracts import importing

TARGETS = {"analysis": 10.0, "apply": 20.0, "export": 3.0}
DEFAULT_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_contracts")
HEADERS = [
    "№",
    "Организация",
    "Город",
    "Адрес",
    "№ кабинета",
    "Производитель",
    "Модель оборудования",
    "Серийный номер",
    "Месяц обслуживания",
    "Комментарий",
]


def _prepare_sqlite() -> str:
    path = Path(tempfile.gettempdir()) / "pi_bench_contracts.db"
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


def load_reference(session: Session, rows: int) -> dict:
    """Reference data in a few executemany INSERTs; stored devices for a fifth of the file's serials."""
    orgs, makers, models_per_maker, cities = 40, 12, 15, 30
    session.execute(
        insert(Organization), [{"name": f"Организация {n}", "code": "", "active": True} for n in range(orgs)]
    )
    session.execute(insert(Manufacturer), [{"name": f"Maker {n}"} for n in range(makers)])
    session.execute(insert(City), [{"name": f"Город {n}"} for n in range(cities)])
    session.add(ContractStatus(name="На обслуживании", color="#00aa00"))
    session.flush()
    maker_ids = session.execute(text("SELECT id FROM manufacturer ORDER BY id")).scalars().all()
    session.execute(
        insert(DeviceModel),
        [
            {"manufacturer_id": mid, "name": f"Model {m}", "device_type": "printer", "has_network_port": True}
            for mid in maker_ids
            for m in range(models_per_maker)
        ],
    )
    org_ids = session.execute(text("SELECT id FROM organization ORDER BY id")).scalars().all()
    model_ids = session.execute(text("SELECT id FROM devicemodel ORDER BY id")).scalars().all()
    stored = [
        {
            "organization_id": org_ids[(n + (1 if n % 10 == 0 else 0)) % orgs],  # every tenth in another org: MOVED
            "serial_number": f"BENCH{n:07d}",
            "address": "old address",
            "room_number": "",
            "comment": "",
            "device_model_id": model_ids[n % len(model_ids)],
        }
        for n in range(0, rows, 5)
    ]
    session.execute(insert(ContractDevice), stored)
    session.execute(
        insert(Printer),
        [
            {
                "ip_address": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                "serial_number": f"BENCH{n:07d}",
                "is_active": True,
            }
            for n in range(1, rows, 7)
        ],
    )
    session.commit()
    return {"orgs": orgs, "makers": makers, "models": models_per_maker, "cities": cities, "stored": len(stored)}


def build_workbook(rows: int, ref: dict) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Устройства")
    sheet.append(HEADERS)
    for n in range(rows):
        serial = f"BENCH{n:07d}" if n % 997 else f"BENCH{n - 1:07d}"  # a few duplicates
        maker = n % ref["makers"]
        sheet.append(
            [
                n + 1,
                f"Организация {n % ref['orgs']}",
                f"Город {n % (ref['cities'] + 2)}",  # two unknown cities
                f"ул. Ленина, {n % 300}",
                float(n % 500),
                f"Maker {maker}" if n % 503 else "Unknown maker",  # a few errors
                f"Model {n % ref['models']}",
                serial,
                f"{n % 12 + 1:02d}.2024",
                "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _baseline_read(data: bytes) -> float:
    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True)
    for _ in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()
    return time.perf_counter() - start


def _baseline_insert(engine, rows: int) -> float:
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE bench_plain (id integer, a varchar(255), b varchar(255))"))
        start = time.perf_counter()
        conn.execute(
            text("INSERT INTO bench_plain (id, a, b) VALUES (:id, :a, :b)"),
            [{"id": n, "a": f"row {n}", "b": "x" * 40} for n in range(rows)],
        )
        elapsed = time.perf_counter() - start
        conn.execute(text("DROP TABLE bench_plain"))
    return elapsed


def _export(session: Session) -> tuple[float, float, int]:
    """Time the contracts export (the page's Export without filters: every device), then export again under
    tracemalloc for the peak Python memory (tracemalloc slows Python several times: not while timing);
    (seconds, peak MB, devices)."""
    from printer_app.services.contracts.export import export_devices

    start = time.perf_counter()
    count = export_devices(session, io.BytesIO())
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    export_devices(session, io.BytesIO())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / (1024 * 1024), count


def _flag(name: str, seconds: float) -> str:
    return "ok" if seconds < TARGETS[name] else f"SLOW (target < {TARGETS[name]:.0f} s)"


def run(backend: str, url: str, rows: int) -> None:
    print(f"\n== {backend}: {rows} rows ==")
    upgrade_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    with Session(engine, expire_on_commit=False) as session:
        ref = load_reference(session, rows)
    data = build_workbook(rows, ref)
    print(f"  workbook: {len(data) / 1024 / 1024:.1f} MB; {ref['stored']} devices stored beforehand")

    read = _baseline_read(data)
    with Session(engine, expire_on_commit=False) as session:
        start = time.perf_counter()
        imp = importing.open_session(session, user_id=None)
        importing.add_workbook(session, imp.id, "bench.xlsx", data)
        session.commit()
        analysis = time.perf_counter() - start
        counts = importing.class_counts(session, imp.id)
        status_id = session.execute(text("SELECT id FROM contractstatus")).scalar_one()
        importing.set_class_decision(session, imp.id, "MOVED", "apply")
        importing.set_options(session, imp.id, target_status_id=status_id, service_provider_id=None, create_cities=True)
        session.commit()
        import_id = imp.id
    print(f"  classes: {counts}")
    print(
        f"  analysis: {analysis:6.2f} s = {analysis / read:5.1f} x openpyxl reading the values ({read:.2f} s)"
        f"  [{_flag('analysis', analysis)}]"
    )

    plain = _baseline_insert(engine, counts["NEW"] + counts["MATCH"] + counts["MOVED"])
    start = time.perf_counter()
    stats = importing.apply_session(import_id, user_id=None)
    apply = time.perf_counter() - start
    print(f"  apply stats: {stats}")
    print(
        f"  apply:    {apply:6.2f} s = {apply / plain:5.1f} x one executemany INSERT of as many rows ({plain:.2f} s)"
        f"  [{_flag('apply', apply)}]"
    )

    with Session(engine, expire_on_commit=False) as session:
        seconds, peak, count = _export(session)
    flag = _flag("export", seconds)
    print(f"  export:   {seconds:6.2f} s for {count} devices, peak Python memory {peak:.0f} MB  [{flag}]")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        run("sqlite", _prepare_sqlite(), args.rows)
    if args.backend in ("postgresql", "both"):
        run("postgresql", _prepare_postgresql(args.pg_url), args.rows)


if __name__ == "__main__":
    main()
