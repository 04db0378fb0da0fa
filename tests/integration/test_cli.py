"""The management commands as an operator runs them: `python -m printer_app ...` in a subprocess, and in-process
where a test must hold a printer's lock or watch what is published."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from printer_app.config import PROJECT_ROOT, get_settings
from printer_app.db import make_engine
from printer_app.models import InventoryTask, WebParsingRule
from printer_app.models.choices import DataSource, TaskStatus
from printer_app.services import events
from tests.factories import make_printer
from tests.integration.cli_runner import RunCli, app_cli, json_out  # noqa: F401
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.snmpsim_server import TESTDATA_DIR, SnmpSimServer
from tests.web_server import PrinterWebServer
from workers import coordination

XML_DIR = TESTDATA_DIR / "fusioninventory"

UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:1/printer_inventory"


def run_cli(*args: str, tmp_path: Path, database_url: str, redis_url: str = "") -> subprocess.CompletedProcess:
    """Run one command with a clean environment: only what the test sets reaches the settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "printer_app", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_db_demo_data_and_check(empty_db_url: str, tmp_path: Path) -> None:
    init = run_cli("init-db", tmp_path=tmp_path, database_url=empty_db_url)
    assert init.returncode == 0, init.stderr
    assert "newest schema" in init.stdout

    demo = run_cli("demo-data", "--printers", "5", "--days", "2", tmp_path=tmp_path, database_url=empty_db_url)
    assert demo.returncode == 0, demo.stderr
    assert "6 organizations, 5 printers, 20 polls added" in demo.stdout
    assert "Supply forecasts: " in demo.stdout and " supplies of 5 printers refreshed" in demo.stdout

    check = run_cli("check", tmp_path=tmp_path, database_url=empty_db_url)
    assert check.returncode == 0, check.stderr
    assert "database: ok" in check.stdout
    assert "redis: not configured" in check.stdout


def test_demo_data_only_if_empty_leaves_a_filled_database_alone(db_url: str, tmp_path: Path) -> None:
    args = ("demo-data", "--printers", "3", "--days", "1")
    run_cli(*args, tmp_path=tmp_path, database_url=db_url)

    result = run_cli(*args, "--printers", "9", "--only-if-empty", tmp_path=tmp_path, database_url=db_url)

    assert result.returncode == 0, result.stderr
    assert "already has printers" in result.stdout


def test_check_fails_for_an_unreachable_database(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path=tmp_path, database_url=UNREACHABLE_PG)

    assert result.returncode != 0
    assert "database: FAILED" in result.stderr
    assert "127.0.0.1:1" in result.stderr


def test_check_reports_redis_ok(redis_url: str, tmp_path: Path) -> None:
    result = run_cli("check", tmp_path=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}", redis_url=redis_url)

    assert result.returncode == 0, result.stderr
    assert "redis: ok" in result.stdout


def test_check_fails_for_an_unreachable_redis(tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'c.db'}"
    result = run_cli("check", tmp_path=tmp_path, database_url=sqlite_url, redis_url="redis://127.0.0.1:1/0")

    assert result.returncode != 0
    assert "redis: FAILED" in result.stderr


def test_init_db_bootstraps_roles_and_first_admin_signs_in_once(empty_db_url: str, tmp_path: Path) -> None:
    init = run_cli("init-db", tmp_path=tmp_path, database_url=empty_db_url)
    assert init.returncode == 0, init.stderr
    assert "Role groups: 25 created" in init.stdout

    first = run_cli("users", "first-admin", tmp_path=tmp_path, database_url=empty_db_url)
    assert first.returncode == 0, first.stderr
    username, password = (tmp_path / "data" / "admin-password.txt").read_text().split()
    assert username == "admin" and password in first.stdout
    assert (tmp_path / "data" / "admin-password.txt").stat().st_mode & 0o077 == 0, "only the owner may read it"

    from sqlmodel import Session

    from printer_app.db import make_engine
    from printer_app.services.access.auth import authenticate_local

    engine = make_engine(empty_db_url)
    with Session(engine) as session:
        assert authenticate_local(session, username="admin", password=password).user is not None
    engine.dispose()

    again = run_cli("users", "first-admin", tmp_path=tmp_path, database_url=empty_db_url)
    assert again.returncode == 0 and "Accounts exist" in again.stdout


# ---- poll, poll-all and import-xml in-process: locks, publishing after the commit (issue #11) --------------------


@pytest.fixture
def committed_on_publish(db_url: str) -> Iterator[list[bool]]:
    """For every published poll result: was its task already committed (seen from another connection)?"""
    engine = make_engine(db_url)
    seen: list[bool] = []

    def check(kind: str, payload: dict) -> None:
        if kind == events.INVENTORY_UPDATE:
            with Session(engine) as other:
                seen.append(other.get(InventoryTask, payload["task_id"]) is not None)

    unsubscribe = events.subscribe(check)
    yield seen
    unsubscribe()
    engine.dispose()


def test_poll_printer_id_publishes_after_the_commit(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    snmpsim: SnmpSimServer,  # noqa: F811
    committed_on_publish: list[bool],
) -> None:
    printer = make_printer(session, ip_address=snmpsim.host, snmp_port=snmpsim.port, snmp_community="ricoh_mpc3002")
    session.commit()
    result = app_cli("poll", "--printer-id", printer.id)
    assert committed_on_publish == [True]
    assert result.exit_code == 0 and "SUCCESS" in result.stdout


def test_poll_printer_id_honours_the_printer_lock(app_cli: RunCli, session: Session) -> None:  # noqa: F811
    printer = make_printer(session)
    session.commit()
    with coordination.printer_lock(printer.id):  # a worker is polling it
        result = app_cli("poll", "--printer-id", printer.id, "--json")
    assert result.exit_code == 3 and "is being polled right now" in result.stderr
    assert session.exec(select(InventoryTask).where(InventoryTask.printer_id == printer.id)).first() is None


def test_import_xml_publishes_after_the_commit(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    committed_on_publish: list[bool],
) -> None:
    printer = make_printer(session, serial_number="W492KB03439")
    session.commit()
    result = app_cli("import-xml", XML_DIR / "ricoh_mpc3002.xml", "--ip", printer.ip_address)
    assert result.exit_code == 0, result.output
    assert committed_on_publish == [True]


def test_poll_all_covers_web_and_hybrid_printers_and_honours_the_lock(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    snmpsim: SnmpSimServer,  # noqa: F811
    committed_on_publish: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLOW_LOOPBACK_TARGETS", "true")  # the web printer lives on loopback
    monkeypatch.setenv("SNMP_TIMEOUT", "0.5")
    monkeypatch.setenv("SNMP_RETRIES", "0")
    get_settings.cache_clear()
    with PrinterWebServer(host="127.0.0.2") as web:
        snmp = make_printer(session, ip_address=snmpsim.host, snmp_port=snmpsim.port, snmp_community="ricoh_mpc3002")
        site = make_printer(session, ip_address=web.host, serial_number="ZHJ020393", polling_method="WEB")
        hybrid = make_printer(session, ip_address="127.0.0.3", polling_method="HYBRID")  # no SNMP agent there
        busy = make_printer(session, ip_address="127.0.0.4")
        row = "//tr[td/b/font[normalize-space(.)='{}']]/td[2]"
        rules = [
            ("/infomation.asp", "serial_number", "Printer Serial Number"),
            ("/prtmaint/prtvolume.asp", "counter", "Drucker-Seitenzähler"),
        ]
        for target in (site, hybrid):
            for path, field, label in rules:
                session.add(
                    WebParsingRule(
                        printer_id=target.id, url_path=web.path(path), field_name=field, xpath=row.format(label)
                    )
                )
        session.commit()
        with coordination.printer_lock(busy.id):
            result = app_cli("poll-all")
    assert result.exit_code == 0, result.output
    assert "ALREADY_RUNNING 1" in result.stdout
    session.expire_all()
    tasks = {t.printer_id: t for t in session.exec(select(InventoryTask)).all()}
    assert set(tasks) == {snmp.id, site.id, hybrid.id}  # the busy printer was left to the poll already running
    assert (tasks[snmp.id].status, tasks[snmp.id].data_source) == (TaskStatus.SUCCESS, DataSource.SNMP_LOCAL)
    assert (tasks[site.id].status, tasks[site.id].data_source) == (TaskStatus.SUCCESS, DataSource.WEB_SCRAPING)
    assert (tasks[hybrid.id].status, tasks[hybrid.id].data_source) == (TaskStatus.FAILED, DataSource.HYBRID)
    assert committed_on_publish == [True, True, True]


def test_import_xml_refuses_a_too_deep_or_too_big_file(app_cli: RunCli, session: Session, tmp_path: Path) -> None:  # noqa: F811
    printer = make_printer(session)
    session.commit()
    deep = tmp_path / "deep.xml"
    deep.write_bytes(b"<REQUEST>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</REQUEST>")
    big = tmp_path / "big.xml"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse): refused before it is read
    for path, message in ((deep, "nested deeper than"), (big, "XML file too large: 52,428,800 bytes")):
        result = app_cli("import-xml", path, "--ip", printer.ip_address)
        assert result.exit_code == 2 and message in result.stderr, result.output
    assert session.exec(select(InventoryTask)).first() is None
