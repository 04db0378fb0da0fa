"""The alerts' actor path in production mode: a `python -m workers` process on a private Redis and PostgreSQL
evaluates the rules (queue "low"), announces the alert to the app's live feed and e-mails it from the delivery
actor (queue "high") through a real SMTP server; evaluating again mails nothing new."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models.supplies import SupplyAlert
from tests.alert_data import add_forecast, add_rule
from tests.alert_servers import smtp_server
from tests.factories import make_org, make_printer
from tests.workers_harness import AppEventFeed, RedisServer, WorkerGroup, make_broker, message, wait_for, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def smtp() -> Iterator:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def alert_env(pg_url: str, redis_server: RedisServer, smtp) -> dict[str, str]:
    return worker_env(pg_url, redis_server.url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), SMTP_FROM="w@x.org")


@pytest.fixture(scope="module")
def workers(alert_env: dict[str, str], tmp_path_factory) -> Iterator[WorkerGroup]:
    args = ["--high-processes", "1", "--high-threads", "1", "--low-processes", "1", "--low-threads", "1"]
    group = WorkerGroup("alerts", args, alert_env, tmp_path_factory.mktemp("workers"))
    group.start()
    try:
        wait_for(lambda: group.log_path.read_bytes().count(b"ready for action") >= 2, timeout=90, what="the workers")
        yield group
    finally:
        group.stop()


def _printer_with_low_toner(db: Engine, org_name: str) -> int:
    with Session(db) as session:
        org = make_org(session, name=org_name)
        printer = make_printer(session, organization_id=org.id)
        add_forecast(session, printer.id, level=4)
        session.commit()
        return printer.id


def test_the_worker_raises_announces_and_mails_once(
    db: Engine, alert_env: dict[str, str], redis_server: RedisServer, smtp, workers: WorkerGroup
) -> None:
    with Session(db) as session:
        add_rule(session, name="Worker rule", emails="ops@example.com", language="en")
        session.commit()
    first = _printer_with_low_toner(db, "Worker Org A")
    broker = make_broker(redis_server.url)
    feed = AppEventFeed(alert_env).start()
    try:
        broker.enqueue(message("low", "evaluate_supply_alerts", [first]))
        wait_for(lambda: smtp.messages, timeout=60, what=f"the alert e-mail\n{workers.log_tail()}")
        announced = wait_for(lambda: feed.of_kind("supply_alerts"), timeout=30, what="the SUPPLY_ALERTS event")
    finally:
        feed.stop()
    with Session(db) as session:
        (alert,) = session.exec(select(SupplyAlert)).all()
    assert announced[0] == {"alert_ids": [alert.id], "printer_id": first}
    assert "Worker Org A" in smtp.messages[0]["Subject"] and alert.emailed_at is not None
    # The next polls evaluate the first printer again (nothing new), then a second printer runs low: one more mail.
    second = _printer_with_low_toner(db, "Worker Org B")
    broker.enqueue(message("low", "evaluate_supply_alerts", [first]))
    broker.enqueue(message("low", "evaluate_supply_alerts", [second]))
    wait_for(lambda: len(smtp.messages) >= 2, timeout=60, what=f"the second printer's e-mail\n{workers.log_tail()}")
    assert "Worker Org B" in smtp.messages[1]["Subject"]
    with Session(db) as session:
        assert len(session.exec(select(SupplyAlert)).all()) == 2
    assert len(smtp.messages) == 2
