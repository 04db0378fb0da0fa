"""Production mode end to end: real Dramatiq worker processes on a real (private) Redis and PostgreSQL, polling
snmpsim printers. Faults are real too: kill -9 of a worker group mid-poll, a Redis restart mid-run.

Every process talks to 127.0.0.1 only. The workers are `python -m workers` process groups (one for queue "high",
one for "low"); the test process enqueues with a RedisBroker of its own and never imports `workers.broker`
(which builds its global broker from the environment at import time).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import PageCounter, WebParsingRule
from printer_app.models.choices import PollingMethod, TaskStatus, TriggeredBy
from tests.conftest import _empty_all_tables, unavailable
from tests.factories import make_printer
from tests.integration.worker_processes import (
    LOW_MSGS,
    LOW_QUEUE,
    Workers,
    acked,
    all_tasks,
    lock_key,
    poll_now,
    queued_messages,
    seed,
    tasks_of,
    wait_task,
)
from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimServer
from tests.web_server import PrinterWebServer
from tests.workers_harness import (
    PYTHON,
    AppEventFeed,
    RedisServer,
    make_broker,
    message,
    run_python,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

HOSTS = tuple(f"127.0.0.{n}" for n in range(1, 9))  # one printer per address: active IPs are unique
NO_AGENT = "no_agent_here"  # a community snmpsim has no recording for: it never answers (2 x SNMP_TIMEOUT)
# Recordings that report page counters (a poll of them is a SUCCESS); each has a MAC of its own.
GOOD = ["ricoh_mpc3002", "brother_hl5370dw", "jetdirect_m130nw", "samsungprinter_m4080fx"]


# --------------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sim() -> Iterator[SnmpSimServer]:
    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    with SnmpSimServer(hosts=HOSTS) as server:
        yield server


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer, pg_url: str, sim, tmp_path_factory) -> Iterator[Workers]:
    env = worker_env(pg_url, redis_server.url, MAX_QUEUE_SIZE="5", ALLOW_LOOPBACK_TARGETS="true")  # web printers
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


@pytest.fixture
def events(workers: Workers) -> Iterator[AppEventFeed]:
    """The app backend's live-update feed, subscribed to pi:events."""
    feed = AppEventFeed(workers.env).start()
    yield feed
    feed.stop()


@pytest.fixture(autouse=True)
def clean(workers: Workers, db: Engine, redis_server: RedisServer) -> Iterator[None]:
    """Both worker groups up, an empty database and an empty Redis before every test."""
    if redis_server.proc is None:
        redis_server.start()
    workers.ensure()
    _empty_all_tables(db)
    redis_server.client().flushall()
    yield
    print(workers.logs())  # captured: pytest shows it for a failing test only


# ------------------------------------------------------------------------------------------------------ tests


def test_polls_of_snmpsim_printers_are_stored_by_worker_processes(workers, db, sim, broker):
    ids = seed(db, sim, *zip(HOSTS, GOOD[:3], strict=False), (HOSTS[3], NO_AGENT))
    sent = {pid: poll_now(broker, pid) for pid in ids}

    for pid in ids:
        task = wait_task(db, pid, workers=workers)
        assert task.triggered_by == TriggeredBy.MANUAL
        assert task.message_id == sent[pid].message_id  # the broker message that produced it
    with Session(db) as session:
        for pid in ids[:3]:
            (task,) = tasks_of(db, pid)
            assert task.status == TaskStatus.SUCCESS, task.error_message
            counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
            assert counter.printer_id == pid and counter.total_pages and counter.total_pages > 0
        (unreachable,) = tasks_of(db, ids[3])
        assert unreachable.status == TaskStatus.FAILED and unreachable.error_message


def test_redelivered_message_does_not_create_a_second_poll(workers, db, sim, broker, r):
    (pid,) = seed(db, sim, (HOSTS[0], "ricoh_mpc3002"))
    first = poll_now(broker, pid)
    task = wait_task(db, pid, workers=workers)
    wait_for(lambda: acked(r, "high", first), timeout=10, what="the first delivery's ack")

    # The same message again (same message_id), as the broker delivers it when a worker died after storing the
    # poll but before acknowledging it.
    again = broker.enqueue(first)
    assert again.message_id == first.message_id
    wait_for(lambda: acked(r, "high", again), timeout=15, what="the redelivered message to be processed")
    assert [t.id for t in tasks_of(db, pid)] == [task.id]


def test_poll_all_fans_out_one_poll_per_pollable_printer_and_counts_progress(workers, db, sim, broker, r):
    ids = seed(db, sim, *zip(HOSTS, GOOD, strict=False), (HOSTS[4], NO_AGENT))
    (inactive,) = seed(db, sim, (HOSTS[5], "xerox"), is_active=False)

    broker.enqueue(message("high", "poll_all"))
    batch_id = wait_for(lambda: r.get("pi:batch:current"), timeout=15, what="the poll-all batch").decode()

    def finished() -> dict[str, int] | None:
        progress = {k.decode(): int(v) for k, v in r.hgetall(f"pi:batch:{batch_id}").items()}
        return progress if progress.get("done") == progress.get("total") else None

    progress = wait_for(finished, timeout=30, what=f"batch {batch_id} to finish")
    finished_at = progress.pop("finished_at")  # when the last printer was counted (the card says it)
    assert progress == {"total": len(ids), "done": len(ids), "failed": 1}
    assert abs(finished_at - time.time()) < 120
    for pid in ids:
        (task,) = tasks_of(db, pid)
        assert task.triggered_by == TriggeredBy.AUTO_POLL
        assert task.status == (TaskStatus.FAILED if pid == ids[-1] else TaskStatus.SUCCESS), task.error_message
    assert tasks_of(db, inactive) == []


def test_a_second_poll_all_while_one_runs_is_folded_into_it(workers, db, sim, broker, r):
    ids = seed(db, sim, (HOSTS[0], NO_AGENT), *zip(HOSTS[1:], GOOD, strict=False))  # the first takes 2 s

    broker.enqueue(message("high", "poll_all"))
    broker.enqueue(message("high", "poll_all"))  # e.g. two tabs clicked at once, both past the UI's check
    batch_id = wait_for(lambda: r.get("pi:batch:running"), timeout=15, what="the poll-all run").decode()
    wait_for(lambda: not r.exists("pi:batch:running"), timeout=30, what="the run to end (it releases its mark)")

    progress = r.hgetall(f"pi:batch:{batch_id}")
    assert progress.pop(b"finished_at").isdigit()
    assert progress == {b"total": b"5", b"done": b"5", b"failed": b"1"}
    assert sorted(t.printer_id for t in all_tasks(db)) == sorted(ids)  # one poll per printer: one run only
    # No poll left queued (the supplies refreshes the polls queued may still wait for the low worker).
    assert [m for m in queued_messages(r) if m.actor_name != "refresh_supplies"] == []

    broker.enqueue(message("high", "poll_all"))  # once it is over, the next request starts a new run
    wait_for(lambda: len(all_tasks(db)) == 2 * len(ids), timeout=30, what="a second run")
    assert r.get("pi:batch:current").decode() != batch_id


def test_second_request_while_a_poll_runs_is_folded_into_it(workers, db, sim, broker, r, events):
    (pid,) = seed(db, sim, (HOSTS[0], NO_AGENT))  # a poll that takes 2 x SNMP_TIMEOUT
    first = poll_now(broker, pid)
    wait_for(lambda: r.exists(lock_key(pid)), timeout=15, what="the first poll to take the printer's lock")
    second = poll_now(broker, pid)

    folded = wait_for(lambda: events.of_kind("poll_folded"), timeout=15, what="a poll_folded event")
    assert folded == [{"printer_id": pid, "batch_id": None}]
    for sent in (first, second):
        wait_for(lambda sent=sent: acked(r, "high", sent), timeout=15, what="both requests to be processed")
    (task,) = tasks_of(db, pid)
    assert task.message_id == first.message_id
    assert not r.exists(lock_key(pid))  # released by the poll that held it


def test_twenty_rapid_poll_now_requests_of_a_web_printer_are_folded(workers, db, broker, r, events):
    with PrinterWebServer(HOSTS[0]) as web, Session(db, expire_on_commit=False) as session:
        printer = make_printer(
            session, ip_address=web.host, serial_number="ZHJ020393", polling_method=PollingMethod.WEB
        )
        for field, path, xpath in (
            ("serial_number", "/infomation.asp", "//tr[td/b/font[normalize-space(.)='Printer Serial Number']]/td[2]"),
            ("counter", "/prtmaint/prtvolume.asp", "(//hr/following::table)[1]//tr[1]/td[2]"),
        ):
            session.add(WebParsingRule(printer_id=printer.id, field_name=field, url_path=web.path(path), xpath=xpath))
        session.commit()

        sent = []
        for _ in range(20):  # a user clicking "Poll now" over and over, each click once the last one was answered
            request = poll_now(broker, printer.id)
            wait_for(lambda request=request: acked(r, "high", request), timeout=30, what="the request processed")
            sent.append(request)

    tasks = tasks_of(db, printer.id)
    assert 1 <= len(tasks) <= 2, [t.task_timestamp for t in tasks]
    assert {(t.status, t.error_message) for t in tasks} == {(TaskStatus.SUCCESS, "")}

    def answers() -> list[str]:  # each request gets a result (a poll's, or the one it was folded into) or a fold
        kinds = ("inventory_update", "poll_folded")
        return [kind for _, kind, p in events.events if kind in kinds and p["printer_id"] == printer.id]

    wait_for(lambda: len(answers()) >= len(sent), timeout=10, what="an answer to every request")
    assert len(answers()) == len(sent)


def _kill_high_workers_mid_poll(workers: Workers, db: Engine, sim, broker, r) -> tuple[int, dramatiq.Message]:
    (pid,) = seed(db, sim, (HOSTS[0], NO_AGENT))  # a poll that takes 2 x SNMP_TIMEOUT
    sent = poll_now(broker, pid)
    wait_for(lambda: r.exists(lock_key(pid)), timeout=15, interval=0.02, what="the poll to start")
    workers.high.kill()
    assert tasks_of(db, pid) == [], "the poll finished before the worker was killed"
    return pid, sent


def test_message_of_a_worker_killed_mid_poll_is_redelivered_once_its_lock_is_gone(workers, db, sim, broker, r):
    pid, sent = _kill_high_workers_mid_poll(workers, db, sim, broker, r)
    r.delete(lock_key(pid))  # the dead worker's lock, as if it had expired (see the test below)
    workers.ensure(workers.high)

    task = wait_task(db, pid, timeout=30, workers=workers)
    assert task.message_id == sent.message_id
    wait_for(lambda: acked(r, "high", sent), timeout=10, what="the redelivered message's ack")
    assert len(tasks_of(db, pid)) == 1


def test_message_of_a_worker_killed_mid_poll_is_redelivered_and_polled_exactly_once(
    workers, db, sim, broker, r, events
):
    pid, sent = _kill_high_workers_mid_poll(workers, db, sim, broker, r)
    workers.ensure(workers.high)

    # Redelivered after the heartbeat timeout (3 s) and processed: either a poll is stored or the message is acked.
    wait_for(lambda: tasks_of(db, pid) or acked(r, "high", sent), timeout=30, what="the redelivered message")
    time.sleep(0.5)  # a poll stored just before its message was acked is committed by now
    tasks = tasks_of(db, pid)
    assert tasks, (
        f"the redelivered message {sent.message_id} was acked without a poll: "
        f"poll_folded events={events.of_kind('poll_folded')}, the dead worker's lock TTL={r.ttl(lock_key(pid))} s"
    )
    assert [t.message_id for t in tasks] == [sent.message_id]


def test_redis_restart_mid_run_workers_and_subscribers_reconnect(workers, db, sim, broker, r, redis_server, events):
    slow, before, after = seed(
        db, sim, (HOSTS[0], NO_AGENT), (HOSTS[1], "ricoh_mpc3002"), (HOSTS[2], "brother_hl5370dw")
    )
    poll_now(broker, before)
    wait_task(db, before, workers=workers)
    wait_for(
        lambda: [e for e in events.of_kind("inventory_update") if e["printer_id"] == before],
        timeout=10,
        what="the inventory_update of the first poll",
    )

    poll_now(broker, slow)
    wait_for(lambda: r.exists(lock_key(slow)), timeout=15, interval=0.02, what="the slow poll to start")
    redis_server.restart()  # mid-poll; no persistence, so every queue, lock and heartbeat is gone
    restarted = time.monotonic()

    # The poll that was running stores its result and publishes it through the new Redis.
    assert wait_task(db, slow, workers=workers).status == TaskStatus.FAILED
    wait_for(lambda: events.subscriptions >= 2, timeout=15, what=f"the app to resubscribe:\n{events.log()}")
    wait_for(lambda: r.pubsub_numsub("pi:events")[0][1] >= 1, timeout=15, what="a pi:events subscriber")

    poll_now(broker, after)  # the test's own broker reconnects too
    task = wait_task(db, after, timeout=40, workers=workers)
    assert task.status == TaskStatus.SUCCESS, task.error_message
    wait_for(
        lambda: [e for e in events.of_kind("inventory_update", since=restarted) if e["printer_id"] == after],
        timeout=10,
        what="an inventory_update after the restart",
    )
    assert workers.high.running and workers.low.running


def test_scheduled_dispatch_skips_when_the_low_backlog_exceeds_max_queue_size(workers, db, sim, broker, r, pg_url):
    workers.low.stop()  # nothing consumes "low": its backlog stays measurable
    ids = seed(db, sim, (HOSTS[0], "ricoh_mpc3002"), (HOSTS[1], "brother_hl5370dw"), (HOSTS[2], "jetdirect_m130nw"))
    env = worker_env(pg_url, workers.env["REDIS_URL"], MAX_QUEUE_SIZE="5")
    dispatch = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "from workers.actors import scheduled_dispatch\n"
        "scheduled_dispatch.fn()\n"
    )

    for _ in range(10):
        broker.enqueue(message("low", "poll_printer_scheduled", 999_999))
    done = run_python(dispatch, env)
    assert "scheduled dispatch skipped" in done.stderr
    assert r.llen(LOW_QUEUE) == 10

    r.delete(LOW_QUEUE, LOW_MSGS)
    for _ in range(2):
        broker.enqueue(message("low", "poll_printer_scheduled", 999_999))
    done = run_python(dispatch, env)
    assert "scheduled dispatch: 3 printers enqueued" in done.stderr
    queued = queued_messages(r)
    assert [m.actor_name for m in queued] == ["poll_printer_scheduled"] * 5
    assert sorted(m.args[0] for m in queued[2:]) == sorted(ids)

    workers.ensure(workers.low)  # the dispatched polls run
    for pid in ids:
        assert wait_task(db, pid, workers=workers).triggered_by == TriggeredBy.AUTO_POLL
    wait_for(lambda: r.llen(LOW_QUEUE) == 0, timeout=10, what="the low queue to drain")


SCHEDULER = """
import logging, sys
logging.basicConfig(level=logging.INFO, format="%(message)s")
from printer_app.config import get_settings
from workers.scheduler import _send_once, jobs
job = next(j for j in jobs(get_settings()) if j.name == "scheduled_dispatch")
print("ready", flush=True)
sys.stdin.readline()
_send_once(job)
"""


def test_two_schedulers_send_a_time_slot_only_once(workers, pg_url, r):
    workers.low.stop()  # keep the sent message in the queue
    env = worker_env(pg_url, workers.env["REDIS_URL"])
    procs = [
        subprocess.Popen(
            [PYTHON, "-c", SCHEDULER],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        # Both must run in the same slot: an hourly slot is the nearest full local hour, it changes at half past
        # (at UTC :00 or :30 for a zone whose offset is whole or half hours).
        if time.time() % 1800 > 1797:
            time.sleep(5)
        for proc in procs:  # released together: they race for the slot's key
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=30)[1] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert [m.actor_name for m in queued_messages(r)] == ["scheduled_dispatch"]
    assert sorted("already sent by another scheduler" in out for out in outputs) == [False, True], outputs
    assert len(r.keys("pi:sched:scheduled_dispatch:*")) == 1
