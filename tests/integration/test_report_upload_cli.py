"""`python -m printer_app reports import FILE --month YYYY-MM`: the page's analysis and import from the command
line; refusals exit 2 and store nothing."""

from __future__ import annotations

import json

from sqlmodel import Session, func, select

from printer_app.models.reports import MonthControl, MonthlyReport, ReportUpload
from tests.factories import make_org
from tests.integration.cli_runner import app_cli, json_out  # noqa: F401
from tests.report_workbooks import SHORT_RU, row, xlsx


def _count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_import_prints_the_issue_keys_and_stores_the_month(app_cli, session: Session, tmp_path) -> None:  # noqa: F811
    make_org(session, name="Альфа Банк")
    session.commit()
    path = tmp_path / "march.xlsx"
    path.write_bytes(
        xlsx([[*SHORT_RU, "Примечание"], row("альфа банк", "S1", counters=[1, 5]), row("Альфа Банк", "S2")])
    )
    out = json_out(app_cli("reports", "import", path, "--month", "2026-03", "--json", "--publish"))
    assert list(out) == ["month", "rows", "unknown_organizations", "columns", "ignored_columns"]
    assert out["month"] == "2026-03" and out["rows"] == 2 and out["unknown_organizations"] == []
    assert out["columns"]["a4_bw_end"] == "A4 ч/б конец" and out["ignored_columns"] == ["Примечание"]
    assert _count(session, MonthlyReport) == 2
    assert session.exec(select(MonthControl)).one().is_published

    again = app_cli("reports", "import", path, "--month", "2026-03", "--replace")
    assert again.exit_code == 0 and "2 rows imported into 2026-03 (2 rows replaced)" in again.stdout
    assert _count(session, MonthlyReport) == 2


def test_refusals_exit_2_and_store_nothing(app_cli, session: Session, tmp_path) -> None:  # noqa: F811
    make_org(session, name="ООО Ромашка")
    session.commit()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([SHORT_RU, row("ООО Ромашко", "S1"), row("Ромашка", "S2")]))
    result = app_cli("reports", "import", path, "--month", "2026-03", "--json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert out["rows"] == 2 and out["columns"]["organization"] == "Организация"
    assert out["unknown_organizations"] == [
        {"name": "ООО Ромашко", "hints": ["ООО Ромашка"]},
        {"name": "Ромашка", "hints": ["ООО Ромашка"]},
    ]
    assert "do not exist" in result.stderr and "did you mean: ООО Ромашка?" in result.stderr

    text = tmp_path / "notes.xlsx"
    text.write_bytes(b"not a workbook")
    plain = app_cli("reports", "import", text, "--month", "2026-03")
    assert plain.exit_code == 2 and "not an Excel workbook" in plain.stderr
    assert app_cli("reports", "import", path, "--month", "March").exit_code == 2
    assert app_cli("reports", "import", tmp_path / "missing.xlsx", "--month", "2026-03").exit_code == 2
    assert _count(session, MonthlyReport) == 0 and _count(session, ReportUpload) == 0
