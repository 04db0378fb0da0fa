"""A large month upload imported by a worker: the page's command queues the actor on a real (private) Redis, a
`python -m workers` process imports the upload on PostgreSQL, and the app's live-update feed receives its progress
per chunk and its outcome. A second request while it is queued or running is refused and queues nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from printer_app.models.reports import BulkChangeLog, MonthlyReport, ReportUpload
from printer_app.services.reports import importing, upload
from tests.factories import make_org
from tests.integration.report_upload_fixtures import MONTH
from tests.report_workbooks import SHORT_RU, row, xlsx
from tests.workers_harness import AppEventFeed, WorkerGroup, run_python, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]
ROWS = importing.WORKER_ROWS + 100
EVENT = "report_upload_progress"


def _upload(db: Engine) -> int:
    with Session(db) as session:
        make_org(session, name="Worker Org")
        data = xlsx([SHORT_RU, *(row("Worker Org", f"W-{n:05d}", counters=[n, n + 3]) for n in range(ROWS))])
        analysis = upload.analyse(session, data, file_name="big.xlsx")
        stored = upload.store(session, analysis, month=MONTH, user_id=None, options=importing.options_of(publish=True))
        session.commit()
        return stored.id


COMMAND = """
from workers import jobs
jobs.import_month_report({upload_id}, None)
try:
    jobs.import_month_report({upload_id}, None)
except jobs.UploadImporting:
    print("refused")
"""


def test_a_large_upload_is_imported_by_a_worker_and_every_backend_hears_its_progress(
    db: Engine, env: dict[str, str], high_worker: WorkerGroup
) -> None:
    upload_id = _upload(db)
    feed = AppEventFeed(env).start()
    try:
        done = run_python(COMMAND.format(upload_id=upload_id), env)
        assert done.stdout.strip() == "refused"

        def finished() -> list[dict]:
            mine = [p for p in feed.of_kind(EVENT) if p["upload_id"] == upload_id]
            return mine if mine and mine[-1]["status"] != "running" else []

        progress = wait_for(finished, timeout=150, what=f"the import's outcome\n{high_worker.log_tail()}")
    finally:
        feed.stop()
    steps = [*range(0, ROWS, importing.CHUNK_SIZE), ROWS]
    assert [(p["done"], p["status"]) for p in progress] == [(n, "running") for n in steps] + [(ROWS, "done")]
    assert {p["month"] for p in progress} == {"2026-03"}
    with Session(db) as session:
        stored = session.get(ReportUpload, upload_id)
        assert stored.status == "done" and stored.result["rows"] == ROWS and stored.progress_done == ROWS
        assert session.exec(select(func.count()).select_from(MonthlyReport)).one() == ROWS
        assert session.exec(select(BulkChangeLog.records_affected)).one() == ROWS
