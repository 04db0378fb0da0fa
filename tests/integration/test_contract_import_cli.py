"""`python -m printer_app contracts import`: the same analysis and apply from the command line, --json, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from printer_app.models import EntityChangeLog
from printer_app.models.contracts import City, ContractDevice, ContractImportSession
from printer_app.services.access import auth
from tests.factories import make_contract_device
from tests.integration.cli_runner import RunCli, app_cli  # noqa: F401
from tests.integration.contract_import_fixtures import Reference, reference_fixture, row, xlsx  # noqa: F401

KEYS = {"rows", "classes", "errors", "warnings", "applied", "missing_devices"}


def _file(tmp_path: Path, name: str, rows: list) -> Path:
    path = tmp_path / name
    path.write_bytes(xlsx(rows))
    return path


def _count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_import_json_reports_and_applies(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    reference: Reference,
    tmp_path: Path,
) -> None:
    make_contract_device(session, organization=reference.alpha, serial_number="SN-OLD")
    make_contract_device(session, organization=reference.beta, serial_number="SN-MOVED")
    user = auth.create_local_user(session, username="importer", password="Import-password-2026")
    session.commit()
    first = _file(tmp_path, "a.xlsx", [row("SN-1"), row("SN-2", month="скоро"), row("SN-E", org="Gamma"), row("SN-D")])
    second = _file(tmp_path, "b.xlsx", [row("SN-MOVED"), row("sn-d")])
    result = app_cli(
        "contracts",
        "import",
        first,
        second,
        "--status",
        "на обслуживании",
        "--provider",
        "AMB",
        "--user",
        "Importer",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == KEYS
    assert report["rows"] == 6
    assert report["classes"] == {"ERROR": 1, "NEW": 2, "MATCH": 0, "MOVED": 1, "DUP_IN_FILE": 2}
    assert report["errors"] == [{"file": "a.xlsx", "row": 4, "codes": ["UNKNOWN_ORGANIZATION"]}]
    assert report["warnings"] == [{"file": "a.xlsx", "row": 3, "codes": ["BAD_SERVICE_MONTH"]}]
    assert report["applied"] == {"created": 2, "updated": 0, "failed": 0, "total": 2}
    assert report["missing_devices"] == 1  # SN-OLD of Alpha
    assert _count(session, ContractDevice) == 4
    logs = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "contractdevice")).all()
    assert {log.user_id for log in logs} == {user.id}

    again = app_cli(
        "contracts",
        "import",
        first,
        second,
        "--status",
        "На обслуживании",
        "--provider",
        "amb",
        "--apply-conflicts",
        "--json",
    )
    report = json.loads(again.stdout)
    assert again.exit_code == 0
    assert report["classes"]["MATCH"] == 2
    assert report["applied"] == {"created": 1, "updated": 1, "failed": 0, "total": 5}  # SN-D once, SN-MOVED moved
    assert _count(session, ContractDevice) == 5


def test_dry_run_stores_nothing(app_cli: RunCli, session: Session, reference: Reference, tmp_path: Path) -> None:  # noqa: F811
    path = _file(tmp_path, "a.xlsx", [row("SN-1", city="Ангарск")])
    result = app_cli("contracts", "import", path, "--status", "Снят", "--provider", "none", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["applied"] is None
    assert report["classes"]["NEW"] == 1
    assert report["warnings"] == [{"file": "a.xlsx", "row": 2, "codes": ["NEW_CITY"]}]
    assert "unknown cities: Ангарск" in result.stderr
    assert _count(session, ContractImportSession) == 0
    assert _count(session, ContractDevice) == 0


def test_summary_table(app_cli: RunCli, session: Session, reference: Reference, tmp_path: Path) -> None:  # noqa: F811
    path = _file(tmp_path, "a.xlsx", [row("SN-1"), row("", org="")])
    result = app_cli("contracts", "import", path, "--status", "Снят", "--provider", "amb")
    assert result.exit_code == 0, result.output
    assert "Rows read: 2" in result.stdout
    assert re.search(r"^ +NEW +1$", result.stdout, re.MULTILINE)
    assert "a.xlsx row 3: NO_SERIAL, NO_ORGANIZATION" in result.stdout
    assert "Applied: 1 created, 0 updated, 0 unchanged, 0 failed, 1 rows." in result.stdout


def test_unknown_cities_need_create_cities(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    reference: Reference,
    tmp_path: Path,
) -> None:
    path = _file(tmp_path, "a.xlsx", [row("SN-1", city="Ангарск")])
    refused = app_cli("contracts", "import", path, "--status", "Снят", "--provider", "amb", "--json")
    assert refused.exit_code == 2
    assert "unknown cities: Ангарск" in refused.stderr
    assert refused.stdout == ""
    assert _count(session, ContractImportSession) == 0 and _count(session, ContractDevice) == 0
    done = app_cli("contracts", "import", path, "--status", "Снят", "--provider", "amb", "--create-cities", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["applied"]["created"] == 1
    assert [c.name for c in session.exec(select(City).order_by(City.name)).all()] == ["Ангарск", "Иркутск"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "Нет такого", "--provider", "amb"], "unknown status"),
        (["--status", "Снят", "--provider", "nope"], "unknown provider"),
        (["--status", "Снят", "--provider", "amb", "--user", "ghost"], "unknown user"),
    ],
)
def test_unknown_status_provider_or_user_is_refused(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    reference: Reference,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    path = _file(tmp_path, "a.xlsx", [row("SN-1")])
    result = app_cli("contracts", "import", path, *args, "--json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert _count(session, ContractImportSession) == 0


def test_bad_files_are_refused_and_leave_nothing(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    reference: Reference,
    tmp_path: Path,
) -> None:
    good = _file(tmp_path, "good.xlsx", [row("SN-1")])
    text = tmp_path / "list.xlsx"
    text.write_text("Организация;Город\n")
    titled = tmp_path / "titled.xlsx"
    titled.write_bytes(xlsx([row("SN-2")], before=[["Список"]]))
    for bad, message in (
        (text, "not an Excel workbook"),
        (titled, "header must be the first row"),
        (tmp_path / "missing.xlsx", "missing.xlsx"),
    ):
        result = app_cli("contracts", "import", good, bad, "--status", "Снят", "--provider", "amb", "--json")
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert _count(session, ContractImportSession) == 0
    assert _count(session, ContractDevice) == 0


def test_a_file_of_errors_only_runs_and_leaves_no_open_session(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    reference: Reference,
    tmp_path: Path,
) -> None:
    path = _file(tmp_path, "a.xlsx", [row("SN-1", org="Gamma"), row("SN-2", maker="Canon")])
    result = app_cli("contracts", "import", path, "--status", "Снят", "--provider", "amb", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["classes"]["ERROR"] == 2
    assert report["applied"] == {"created": 0, "updated": 0, "failed": 0, "total": 0}
    assert _count(session, ContractImportSession) == 0


def test_a_file_over_the_size_limit_is_refused_before_reading(
    app_cli: RunCli,  # noqa: F811
    session: Session,
    reference: Reference,
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # a sparse file: 21 MB without writing them
    result = app_cli("contracts", "import", big, "--status", "Снят", "--provider", "amb")
    assert result.exit_code == 2
    assert "big.xlsx: larger than 20 MB" in result.stderr
