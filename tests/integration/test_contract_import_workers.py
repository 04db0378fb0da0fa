"""The contract import's apply in production mode: the page's command in a process of the app (REDIS_URL set) queues
the actor on a real (private) Redis, a `python -m workers` process applies the session on PostgreSQL, and the app's
live-update feed receives its progress per chunk and its outcome. A second apply of the session while one is queued
or running is refused; once done, the session may be applied again (which changes nothing).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from printer_app.models import ContractDevice
from printer_app.models.contracts import City, ContractImportSession, ContractStatus
from printer_app.services.contracts import importing
from tests.factories import make_model, make_org
from tests.workers_harness import AppEventFeed, RedisServer, WorkerGroup, run_python, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]
ROWS = 450  # three chunks of the apply (200 rows each)
EVENT = "contract_import_progress"


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["Организация", "Город", "Адрес", "Производитель", "Модель", "Серийный номер"])
    for n in range(ROWS):
        book.active.append(["Worker Org", "Omsk", f"Street {n}", "HP", "M404", f"W-{n:04d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(db: Engine) -> int:
    """An import session of ROWS new devices, its status chosen: ready to apply."""
    with Session(db) as session:
        make_org(session, name="Worker Org")
        make_model(session, "HP", "M404")
        status = ContractStatus(name="Worker status")
        session.add_all([City(name="Omsk"), status])
        session.flush()
        imp = importing.open_session(session, user_id=None)
        importing.add_workbook(session, imp.id, "many.xlsx", _workbook())
        importing.set_options(
            session, imp.id, target_status_id=status.id, service_provider_id=None, create_cities=False
        )
        session.commit()
        return imp.id


COMMAND = """
from workers import jobs
jobs.apply_contract_import({import_id}, None)
try:
    jobs.apply_contract_import({import_id}, None)
except jobs.ImportApplying:
    print("refused")
"""


def test_the_apply_runs_in_a_worker_process_and_every_backend_hears_its_progress(
    db: Engine, env: dict[str, str], redis_server: RedisServer, high_worker: WorkerGroup
) -> None:
    import_id = _import(db)
    feed = AppEventFeed(env).start()
    try:
        done = run_python(COMMAND.format(import_id=import_id), env)
        assert done.stdout.strip() == "refused"  # the second apply, sent while the first was queued or running

        def finished() -> list[dict]:
            mine = [p for p in feed.of_kind(EVENT) if p["import_id"] == import_id]
            return mine if mine and mine[-1]["status"] != "applying" else []

        progress = wait_for(finished, timeout=90, what=f"the apply's outcome\n{high_worker.log_tail()}")
    finally:
        feed.stop()
    assert [(p["done"], p["status"]) for p in progress] == [
        (0, "applying"),
        (200, "applying"),
        (400, "applying"),
        (ROWS, "applying"),
        (ROWS, "applied"),
    ]
    with Session(db) as session:
        stored = session.get(ContractImportSession, import_id)
        assert stored.status == "applied" and stored.stats["created"] == ROWS
        assert session.exec(select(func.count()).select_from(ContractDevice)).one() == ROWS
    assert not redis_server.client().exists(f"pi:import:{import_id}")  # the next apply may start
