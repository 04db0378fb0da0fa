"""Production defaults under faults: worker processes with the broker settings a deployment gets when it sets none
(no DRAMATIQ_* variables: not the shortened ones of the other worker tests), on a private Redis and PostgreSQL.

- kill -9 of the workers mid Poll all: the run finishes soon after their restart, every printer polled once;
- the start of a poll reaches another backend's live feed while the device has not answered yet.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import dramatiq
import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.config import Settings
from printer_app.models import WebParsingRule
from printer_app.models.choices import PollingMethod, TaskStatus, TriggeredBy
from tests.conftest import _empty_all_tables, unavailable
from tests.factories import make_printer
from tests.integration.worker_processes import Workers, all_tasks, lock_key, poll_now, seed, tasks_of
from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimServer
from tests.web_server import SilentServer
from tests.workers_harness import AppEventFeed, RedisServer, make_broker, message, wait_for, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

HOSTS = tuple(f"127.0.0.{n}" for n in range(11, 17))
NO_AGENT = "no_agent_here"  # snmpsim never answers this community: a poll of it takes 2 x SNMP_TIMEOUT
GOOD = ["ricoh_mpc3002", "brother_hl5370dw", "jetdirect_m130nw"]
RECOVERY_BUDGET_S = 90  # issue #20: the run finishes within 90 s of the workers' restart


@pytest.fixture(scope="module")
def sim() -> Iterator[SnmpSimServer]:
    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    with SnmpSimServer(hosts=HOSTS) as server:
        yield server


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer, pg_url: str, sim, tmp_path_factory) -> Iterator[Workers]:
    env = worker_env(pg_url, redis_server.url, ALLOW_LOOPBACK_TARGETS="true", SNMP_TIMEOUT="2")
    for name in ("DRAMATIQ_HEARTBEAT_TIMEOUT_MS", "DRAMATIQ_MAINTENANCE_CHANCE"):
        env.pop(name)  # the production defaults of Settings
    group = Workers(env, tmp_path_factory.mktemp("workers"))
    try:
        group.ensure()
        yield group
    finally:
        group.stop()


@pytest.fixture
def r(redis_server: RedisServer) -> redis.Redis:
    return redis_server.client()


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[dramatiq.Broker]:
    b = make_broker(redis_server.url)
    yield b
    b.close()


@pytest.fixture(autouse=True)
def clean(workers: Workers, db: Engine, redis_server: RedisServer) -> Iterator[None]:
    workers.ensure()
    _empty_all_tables(db)
    redis_server.client().flushall()
    yield
    print(workers.logs())  # captured: pytest shows it for a failing test only


def _batch(r: redis.Redis) -> tuple[str, dict[str, int]] | None:
    current = r.get("pi:batch:current")
    if not current:
        return None
    raw = r.hgetall(f"pi:batch:{current.decode()}")
    return current.decode(), {k.decode(): int(v) for k, v in raw.items()}


def test_poll_all_finishes_within_90_s_of_restarting_workers_killed_mid_run(workers, db, sim, broker, r):
    defaults = Settings(_env_file=None)
    assert (defaults.dramatiq_heartbeat_timeout_ms, defaults.dramatiq_maintenance_chance) == (30_000, 200_000)
    # Slow (never answering) printers first: the low worker's two threads are inside their polls when it dies, and
    # the messages it prefetched (four) die with it.
    printers = [(host, NO_AGENT) for host in HOSTS[:3]] + list(zip(HOSTS[3:], GOOD, strict=True))
    ids = seed(db, sim, *printers)
    broker.enqueue(message("high", "poll_all"))
    wait_for(lambda: any(r.exists(lock_key(pid)) for pid in ids[:3]), timeout=30, interval=0.02, what="a poll")
    workers.high.kill()
    workers.low.kill()
    killed = time.monotonic()
    batch_id, progress = _batch(r)
    assert progress["done"] < len(ids), "the run ended before the workers were killed"

    workers.ensure()
    restarted = time.monotonic()

    def finished() -> dict[str, int] | None:
        found = _batch(r)
        return found[1] if found and found[1]["done"] >= found[1]["total"] else None

    totals = wait_for(finished, timeout=RECOVERY_BUDGET_S, interval=0.2, what=f"poll-all run {batch_id} to finish")
    done = time.monotonic()
    print(f"recovery: run finished {done - restarted:.1f} s after the restart ({done - killed:.1f} s after kill -9)")
    assert totals["total"] == len(ids) and totals["done"] == len(ids) and totals["failed"] == 3
    time.sleep(1)  # a duplicate poll would be stored by now
    by_printer = {pid: [t.status for t in tasks_of(db, pid)] for pid in ids}
    assert by_printer == {pid: [TaskStatus.FAILED if n < 3 else TaskStatus.SUCCESS] for n, pid in enumerate(ids)}, (
        "every printer polled exactly once"
    )
    assert len(all_tasks(db)) == len(ids)
    assert _batch(r)[1]["done"] == len(ids), "a redelivered poll was counted twice"


def test_another_backend_sees_a_poll_start_before_the_device_answers(workers, db, broker):
    feed = AppEventFeed(workers.env).start()  # the live feed of another backend (another user's tab)
    try:
        with SilentServer(HOSTS[0]) as silent, Session(db, expire_on_commit=False) as session:
            printer = make_printer(session, ip_address=HOSTS[0], serial_number="", polling_method=PollingMethod.WEB)
            session.add(
                WebParsingRule(
                    printer_id=printer.id, field_name="counter", url_path=f":{silent.port}/", xpath="//p[@id='x']"
                )
            )
            session.commit()

            since = time.monotonic()
            poll_now(broker, printer.id)
            assert silent.accepted.wait(60), "the worker never asked the device"
            started = wait_for(
                lambda: [p for p in feed.of_kind("inventory_start", since=since) if p["printer_id"] == printer.id],
                timeout=10,
                what="the poll's start on the other backend",
            )
            assert started[0]["triggered_by"] == TriggeredBy.MANUAL
            assert not feed.of_kind("inventory_update", since=since), "the result came before the device answered"
            assert tasks_of(db, printer.id) == []
            silent.release()  # the device answers now (by closing the connection: an error)
        results = wait_for(lambda: feed.of_kind("inventory_update", since=since), timeout=60, what="the poll's result")
        assert results[0]["printer_id"] == printer.id and results[0]["status"] == TaskStatus.FAILED
    finally:
        feed.stop()
