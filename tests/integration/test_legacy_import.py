"""`import-legacy PATH.sqlite` (DOMAIN 8.1): a legacy Flask database built here from the DOMAIN's schema is imported
through the real command on SQLite and PostgreSQL: printers upserted by IP, polls and counters with their original
timestamps, orphans counted and skipped, hostile values refused one by one, idempotent, a dry run storing nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog, InventoryTask, PageCounter, Printer
from tests.factories import make_printer
from tests.integration.cli_runner import RunCli, app_cli, json_out  # noqa: F401

SCHEMA = """
CREATE TABLE printers (id INTEGER PRIMARY KEY, ip_address TEXT, serial_number TEXT, model TEXT, snmp_community TEXT);
CREATE TABLE inventory_tasks (id INTEGER PRIMARY KEY, printer_id INTEGER, status TEXT, error_message TEXT,
                              {stamp} TEXT);
CREATE TABLE page_counters (id INTEGER PRIMARY KEY, task_id INTEGER, bw_a4 INTEGER, color_a4 INTEGER,
                            bw_a3 INTEGER, color_a3 INTEGER, total_pages INTEGER, toner_black TEXT);
"""


def _legacy(path: Path, *, stamp: str = "timestamp") -> Path:
    """A legacy database: two good printers (one already known here by IP), one with a bad IP; polls with counters,
    a failed poll, an unknown status, an orphan poll and an orphan counter, hostile counter values."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA.format(stamp=stamp))
    db.executemany(
        "INSERT INTO printers VALUES (?, ?, ?, ?, ?)",
        [
            (1, "10.50.0.1", "LEG-SN-1", "Kyocera FS-1040", "public"),
            (2, "10.50.0.2", "LEG-SN-2", "HP LaserJet 400", "private"),
            (3, "999.1.1.1", "LEG-BAD", "Broken", "public"),
        ],
    )
    db.executemany(
        "INSERT INTO inventory_tasks VALUES (?, ?, ?, ?, ?)",
        [
            (10, 1, "SUCCESS", "", "2023-05-01 08:00:00"),
            (11, 1, "SUCCESS", "", "2023-05-02T08:00:00.250000"),
            (12, 1, "FAILED", "timeout", "2023-05-03 08:00:00+03:00"),
            (13, 2, "success", None, "2023-06-01 10:00:00"),
            (14, 2, "WEIRD", "??", "2023-06-02 10:00:00"),
            (15, 3, "SUCCESS", "", "2023-06-03 10:00:00"),  # its printer is skipped (bad IP)
            (16, 99, "SUCCESS", "", "2023-06-04 10:00:00"),  # no such printer
            (17, 2, "SUCCESS", "", "not a date"),
        ],
    )
    db.executemany(
        "INSERT INTO page_counters VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, 10, 1000, 0, 10, 0, 1010, "80"),
            (2, 11, 1200, 0, 12, 0, 1212, "75"),
            (3, 12, 5, 5, 5, 5, 20, ""),  # of a failed poll
            (4, 13, "2 500", -7, "abc", 10**15, 2500, "some_remaining"),  # hostile values
            (5, 555, 1, 1, 1, 1, 4, ""),  # no such task
        ],
    )
    db.commit()
    db.close()
    return path


def test_import_stores_printers_polls_and_counters_with_their_timestamps(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    tmp_path: Path,
) -> None:
    known = make_printer(session, ip_address="10.50.0.2", serial_number="", model="")
    session.commit()
    result = app_cli("import-legacy", _legacy(tmp_path / "legacy.sqlite"), "--json")
    summary = json_out(result)
    assert result.exit_code == 0
    assert {k: v for k, v in summary.items() if k != "skipped"} == {
        "printers_created": 1,
        "printers_updated": 1,
        "printers_unchanged": 0,
        "printers_skipped": 1,
        "tasks_imported": 5,
        "tasks_already_present": 0,
        "tasks_orphaned": 2,
        "tasks_unknown_status": 1,
        "tasks_bad_timestamp": 1,
        "counters_imported": 3,
        "counters_orphaned": 1,
        "counters_of_failed_polls": 1,
        "dry_run": False,
    }
    assert [s["ip"] for s in summary["skipped"]] == ["999.1.1.1"] and summary["skipped"][0]["reason"]

    session.expire_all()
    created = session.exec(select(Printer).where(Printer.ip_address == "10.50.0.1")).one()
    assert (created.serial_number, created.model, created.snmp_community) == ("LEG-SN-1", "Kyocera FS-1040", "public")
    updated = session.get(Printer, known.id)
    assert (updated.serial_number, updated.model, updated.snmp_community) == ("LEG-SN-2", "HP LaserJet 400", "private")
    assert (
        session.exec(
            select(EntityChangeLog).where(EntityChangeLog.object_id == known.id, EntityChangeLog.action == "update")
        ).first()
        is not None
    )

    tasks = session.exec(
        select(InventoryTask).where(InventoryTask.printer_id == created.id).order_by(InventoryTask.task_timestamp)
    ).all()
    assert [(t.task_timestamp, t.status) for t in tasks] == [
        (datetime(2023, 5, 1, 8, 0, tzinfo=UTC), "SUCCESS"),
        (datetime(2023, 5, 2, 8, 0, 0, 250000, tzinfo=UTC), "SUCCESS"),
        (datetime(2023, 5, 3, 5, 0, tzinfo=UTC), "FAILED"),  # +03:00 kept as the moment it was
    ]
    assert tasks[2].error_message == "timeout"
    counters = session.exec(
        select(PageCounter).where(PageCounter.printer_id == created.id).order_by(PageCounter.recorded_at)
    ).all()
    assert [(c.bw_a4, c.bw_a3, c.total_pages, c.toner_black, c.recorded_at) for c in counters] == [
        (1000, 10, 1010, "80", datetime(2023, 5, 1, 8, 0, tzinfo=UTC)),
        (1200, 12, 1212, "75", datetime(2023, 5, 2, 8, 0, 0, 250000, tzinfo=UTC)),
    ]
    # the summary columns follow the newest imported history
    assert (created.last_poll_status, created.last_error) == ("FAILED", "timeout")
    assert created.last_counter_id == counters[-1].id and created.last_success_at == counters[-1].recorded_at

    hostile = session.exec(select(PageCounter).where(PageCounter.printer_id == known.id)).one()
    assert (hostile.bw_a4, hostile.color_a4, hostile.bw_a3, hostile.color_a3) == (2500, None, None, None)
    odd = session.exec(
        select(InventoryTask).where(InventoryTask.printer_id == known.id, InventoryTask.status == "FAILED")
    ).one()
    assert "WEIRD" in odd.note


def test_a_second_run_stores_nothing_twice_and_a_dry_run_nothing_at_all(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    tmp_path: Path,
) -> None:
    path = _legacy(tmp_path / "legacy.sqlite", stamp="created_at")

    def counts() -> tuple[int, int, int]:
        session.expire_all()
        return tuple(
            session.exec(select(func.count()).select_from(m)).one() for m in (Printer, InventoryTask, PageCounter)
        )

    dry = json_out(app_cli("import-legacy", path, "--dry-run", "--json"))
    assert dry["dry_run"] is True and dry["tasks_imported"] == 5
    assert counts() == (0, 0, 0)

    first = app_cli("import-legacy", path)
    assert first.exit_code == 0 and "Polls imported" in first.stdout
    after_first = counts()
    assert after_first == (2, 5, 3)
    again = json_out(app_cli("import-legacy", path, "--json"))
    assert (again["tasks_imported"], again["tasks_already_present"], again["counters_imported"]) == (0, 5, 0)
    assert (again["printers_created"], again["printers_unchanged"]) == (0, 2)
    assert counts() == after_first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database at all" * 10, "not a SQLite database"),
        (None, "has no table printers"),
        ("CREATE TABLE printers (id INTEGER, ip_address TEXT);", "has no table inventory_tasks"),
        (
            "CREATE TABLE printers (id INTEGER, ip_address TEXT);"
            "CREATE TABLE inventory_tasks (id INTEGER, printer_id INTEGER, status TEXT, when_it_was TEXT);"
            "CREATE TABLE page_counters (task_id INTEGER);",
            "no time column",
        ),
    ],
)
def test_a_file_that_is_not_a_legacy_database_is_refused_with_the_reason(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    tmp_path: Path,
    content,
    message: str,
) -> None:
    path = tmp_path / "odd.sqlite"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        db = sqlite3.connect(path)
        if content:
            db.executescript(content)
        db.execute("CREATE TABLE IF NOT EXISTS other (x INTEGER)")
        db.commit()
        db.close()
    result = app_cli("import-legacy", path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert session.exec(select(func.count()).select_from(Printer)).one() == 0
    missing = app_cli("import-legacy", tmp_path / "absent.sqlite")
    assert missing.exit_code == 2 and "is not a file" in missing.stderr
