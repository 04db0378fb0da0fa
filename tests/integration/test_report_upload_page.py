"""The upload page's state called as a browser tab would: the month from the address, the analysis, the preview
found again by `?upload=ID` (only by its uploader), Import, and a refused file that Import cannot bypass."""

from __future__ import annotations

from sqlmodel import Session, func, select

from printer_app.models.reports import MonthlyReport
from printer_app.state.reports.upload import ReportUploadState as S
from tests.factories import make_org
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, tab  # noqa: F401
from tests.report_workbooks import SHORT_RU, row, xlsx

ROLE = ("Monthly reports — Upload",)


class _File:
    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    async def read(self) -> bytes:
        return self._data


def _rows(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(MonthlyReport)).one()


def test_preview_reload_owner_only_and_import(app_db: str, session: Session) -> None:  # noqa: F811
    make_org(session, name="Page Org")
    owner = session_cookie(session, username="uploader", groups=ROLE)
    other = session_cookie(session, username="someone", groups=ROLE)
    session.commit()

    first = tab(S, owner, "/reports/upload?month=2026-05")
    run_handler(S.load, first)
    assert first.month == "2026-05" and first.edit_until == "2026-05-31T23:59"
    data = xlsx([[*SHORT_RU, "Примечание"], row("page org", "P-1", counters=[1, 4]), row("Page Org", "P-2")])
    run_handler(S.upload, first, [_File("may.xlsx", data)])
    assert first.upload_id > 0 and first.rows_read == 2 and first.can_import
    assert first.ignored == ["Примечание"]
    assert {c.field: c.header for c in first.columns}["a4_bw_end"] == "A4 ч/б конец"
    assert _rows(session) == 0

    again = tab(S, owner, f"/reports/upload?upload={first.upload_id}")
    run_handler(S.load, again)
    assert again.upload_id == first.upload_id and again.file_name == "may.xlsx" and again.month == "2026-05"
    stranger = tab(S, other, f"/reports/upload?upload={first.upload_id}")
    run_handler(S.load, stranger)
    assert stranger.upload_id == 0 and stranger.file_name == ""

    again.publish = True
    run_handler(S.import_month, again)
    assert again.status == "done" and "2 rows imported into 2026-05" in again.result_text
    assert again.month_link == "/reports/2026-05" and not again.can_import
    assert _rows(session) == 2
    answers = run_handler(S.import_month, again)  # a second Import of the same upload
    assert "imported already" in repr(answers) and _rows(session) == 2


def test_a_refused_file_cannot_be_imported(app_db: str, session: Session) -> None:  # noqa: F811
    make_org(session, name="Page Org")
    owner = session_cookie(session, username="uploader", groups=ROLE)
    session.commit()
    state = tab(S, owner, "/reports/upload")
    run_handler(S.load, state)
    run_handler(S.upload, state, [_File("bad.xlsx", xlsx([SHORT_RU, row("Page Orgg", "X-1")]))])
    assert state.refusal and not state.can_import
    assert [(u.name, u.hints) for u in state.unknown] == [("Page Orgg", "Page Org")]
    answers = run_handler(S.import_month, state)
    assert "do not exist" in repr(answers) and _rows(session) == 0

    run_handler(S.upload, state, [_File("notes.xlsx", b"plain text")])
    assert state.upload_id == 0 and "not an Excel workbook" in state.refusal
