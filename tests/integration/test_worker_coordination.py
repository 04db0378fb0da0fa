"""What the actors agree on, run in this process as the embedded mode runs them (and the poll-all run with Redis):
one poll per printer at a time, one Poll all run at a time, a result published only once it is committed.

The actors run their own code (`actor.fn`) against the test database and real SNMP agents (snmpsim); the broker is
the embedded one (workers.broker without REDIS_URL), whose queues keep what the actors send.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis
from dramatiq import Message
from sqlmodel import Session, func, select

from printer_app.config import get_settings
from printer_app.db import get_engine, session_scope
from printer_app.models import InventoryTask
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.inventory.printer_list import rows_by_ids
from tests.factories import make_printer
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.snmpsim_server import SnmpSimServer

WAIT_S = 60  # only reached when the behaviour under test is broken


@pytest.fixture
def app_db(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's settings and engine on the test database, embedded mode (no Redis)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ALLOW_LOOPBACK_TARGETS", "true")
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield db_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def published() -> Iterator[list[tuple[str, dict]]]:
    """Every event published in this process while the test runs."""
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    yield seen
    unsubscribe()


@pytest.fixture
def low_queue() -> Iterator[list]:
    """The embedded broker's queue "low", emptied before and after the test; yields a function listing its messages."""
    from workers.broker import LOW, broker

    broker.flush_all()

    def messages() -> list:
        queue = broker.queues[LOW]
        return [Message.decode(data) for data in list(queue.queue)]

    yield messages
    broker.flush_all()


def _printer(session: Session, sim: SnmpSimServer) -> int:
    printer = make_printer(session, ip_address=sim.host, snmp_community="ricoh_mpc3002", snmp_port=sim.port)
    session.commit()
    return printer.id


def _tasks(printer_id: int) -> list[InventoryTask]:
    with session_scope() as session:
        return list(session.exec(select(InventoryTask).where(InventoryTask.printer_id == printer_id)).all())


def test_a_second_poll_of_a_printer_being_polled_is_folded_into_it(
    app_db: str,
    session: Session,
    snmpsim: SnmpSimServer,  # noqa: F811
    published: list,
) -> None:
    """The first poll is held inside its lock (its start event blocks) while the second request comes."""
    from workers.actors import poll_printer_now

    printer_id = _printer(session, snmpsim)
    first_started, second_done = threading.Event(), threading.Event()

    def hold_the_first(kind: str, payload: dict) -> None:
        if kind == events.INVENTORY_START and not first_started.is_set():
            first_started.set()
            second_done.wait(WAIT_S)

    unsubscribe = events.subscribe(hold_the_first)
    try:
        first = threading.Thread(target=poll_printer_now.fn, args=(printer_id,))
        first.start()
        assert first_started.wait(WAIT_S), "the first poll did not start"
        poll_printer_now.fn(printer_id)
        second_done.set()
        first.join(WAIT_S)
    finally:
        second_done.set()
        unsubscribe()

    kinds = [kind for kind, payload in published if payload.get("printer_id") == printer_id]
    assert kinds == [events.INVENTORY_START, events.POLL_FOLDED, events.INVENTORY_UPDATE]
    assert [t.status for t in _tasks(printer_id)] == [TaskStatus.SUCCESS]
    poll_printer_now.fn(printer_id)  # the lock was released: the next request polls
    assert len(_tasks(printer_id)) == 2


def test_a_result_is_published_once_its_poll_is_committed(
    app_db: str,
    session: Session,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    """A tab that re-reads the printer's row the moment the result arrives must see the new poll."""
    from workers.actors import poll_printer_now

    printer_id = _printer(session, snmpsim)
    seen: list[tuple[str, list]] = []

    def read_at_once(kind: str, payload: dict) -> None:
        if kind == events.INVENTORY_UPDATE:
            with session_scope() as reader:
                row = rows_by_ids(reader, [printer_id])[0]
                tasks = reader.exec(select(func.count()).where(InventoryTask.printer_id == printer_id)).one()
            seen.append((payload["status"], [row.status, row.total, tasks]))

    unsubscribe = events.subscribe(read_at_once)
    try:
        poll_printer_now.fn(printer_id)
    finally:
        unsubscribe()

    assert seen == [(TaskStatus.SUCCESS, [TaskStatus.SUCCESS, 271871, 1])]


def _poll_all_twice(low_queue, published: list, session: Session) -> None:
    """Two Poll all requests while the first run goes: the second is folded into it; once over, a new run starts."""
    from workers import coordination, jobs
    from workers.actors import poll_all
    from workers.broker import HIGH, broker

    ids = sorted(make_printer(session).id for _ in range(3))
    session.commit()
    poll_all.fn()
    poll_all.fn()

    runs = [p for kind, p in published if kind == events.POLL_ALL_PROGRESS]
    assert [(p["total"], p["done"]) for p in runs] == [(3, 0)], "one run started"
    batch_id = runs[0]["batch_id"]
    sent = low_queue()
    assert sorted(m.args[0] for m in sent) == ids and {m.args[1] for m in sent} == {batch_id}
    assert coordination.running_batch() == (batch_id, {"total": 3, "done": 0, "failed": 0})
    assert jobs.poll_all() == jobs.current_run() == (batch_id, {"total": 3, "done": 0, "failed": 0})  # queues nothing
    assert len(low_queue()) == len(ids) and not broker.queues[HIGH].qsize()

    for _ in ids:  # the run's polls are counted as the workers finish them
        coordination.batch_step(batch_id, failed=False)
    assert coordination.running_batch() is None
    poll_all.fn()
    assert len(low_queue()) == 2 * len(ids)
    second = coordination.current_batch()[0]
    assert second != batch_id
    for _ in ids:  # end it too: the next test starts with no run going
        coordination.batch_step(second, failed=False)
    assert coordination.running_batch() is None


def test_a_second_poll_all_is_folded_into_the_running_one_embedded(
    app_db: str, session: Session, published: list, low_queue
) -> None:
    _poll_all_twice(low_queue, published, session)


def test_a_second_poll_all_is_folded_into_the_running_one_with_redis(
    app_db: str, session: Session, published: list, low_queue, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's mark and progress live in Redis (shared by every worker process)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    try:
        _poll_all_twice(low_queue, published, session)
        runs = [key for key in client.keys(f"{get_settings().namespace}:batch:*-*") if client.type(key) == b"hash"]
        assert len(runs) == 2, "two runs in all"
    finally:
        client.flushdb()


def test_a_poll_all_message_redelivered_mid_fan_out_resumes_its_run_and_doubles_do_nothing(
    app_db: str,
    session: Session,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    """Its worker died after sending part of the messages: the message, redelivered, sends the rest of the same run
    (not folded into it, which would leave the run waiting forever); a printer's second message does nothing once
    the run counted it."""
    from workers import coordination, polls

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    try:
        ids = [_printer(session, snmpsim)] + [make_printer(session).id for _ in range(2)]
        session.commit()
        batch_id, first = polls.start_run(ids, owner="message-1")
        assert first == ids
        coordination.batch_sent(batch_id, ids[:1])  # the worker died after the first chunk

        assert polls.start_run(ids, owner="message-1") == (batch_id, ids[1:])  # the redelivery
        assert polls.start_run(ids, owner="message-2") is None  # another request is folded into the run

        polls.poll_guarded(ids[0], triggered_by="auto_poll", message_id="poll-1", batch_id=batch_id)
        polls.poll_guarded(ids[0], triggered_by="auto_poll", message_id="poll-1b", batch_id=batch_id)  # sent twice
        assert [t.status for t in _tasks(ids[0])] == [TaskStatus.SUCCESS]
        assert coordination.current_batch() == (batch_id, {"total": 3, "done": 1, "failed": 0})
        for printer_id in ids[1:]:
            coordination.batch_step(batch_id, failed=False, printer_id=printer_id)
        assert coordination.running_batch() is None
        assert polls.start_run(ids, owner="message-1") != (batch_id, ids[1:])  # an ended run is not resumed
    finally:
        client.flushdb()
        get_settings.cache_clear()
