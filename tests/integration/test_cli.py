"""The management commands as an operator runs them: `python -m printer_app ...` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from printer_app.config import PROJECT_ROOT

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
    from printer_app.services.auth import authenticate_local

    engine = make_engine(empty_db_url)
    with Session(engine) as session:
        assert authenticate_local(session, username="admin", password=password).user is not None
    engine.dispose()

    again = run_cli("users", "first-admin", tmp_path=tmp_path, database_url=empty_db_url)
    assert again.returncode == 0 and "Accounts exist" in again.stdout
