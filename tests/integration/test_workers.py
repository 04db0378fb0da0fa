"""Production mode end to end: real Dramatiq worker processes on a real (private) Redis and PostgreSQL, polling
snmpsim printers. Faults are real too: kill -9 of a worker group mid-poll, a Redis restart mid-run.

Every process talks to 127.0.0.1 only. The workers are `python -m workers` process groups (one for queue "high",
one for "low"); the test process enqueues with a RedisBroker of its own and never imports `workers.broker`
(which builds its global broker from the environment at import time).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.db import make_engine
from printer_app.models import InventoryTask, PageCounter
from printer_app.models.choices import TaskStatus, TriggeredBy
from tests.conftest import _empty_all_tables, unavailable
from tests.factories import make_printer
from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimServer
from tests.workers_harness import (
    PYTHON,
    AppEventFeed,
    RedisServer,
    WorkerGroup,
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
LOW_QUEUE, LOW_MSGS = "dramatiq:low", "dramatiq:low.msgs"


# --------------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def pg_url(databases) -> str:
    return databases.create("postgresql")


@pytest.fixture(scope="module")
def db(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sim() -> Iterator[SnmpSimServer]:
    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    with SnmpSimServer(hosts=HOSTS) as server:
        yield server


class Workers:
    """The two worker groups of this module; a test may kill or stop one, the next test gets both back."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.high = WorkerGroup(
            "high", ["--high-processes", "1", "--high-threads", "2", "--low-processes", "0"], env, log_dir
        )
        self.low = WorkerGroup(
            "low", ["--high-processes", "0", "--low-processes", "1", "--low-threads", "2"], env, log_dir
        )

    def ensure(self, *groups: WorkerGroup) -> None:
        """Start the groups that are not running and wait until each worker process is ready."""
        started = []
        for group in groups or (self.high, self.low):
            if not group.running:
                offset = group.log_path.stat().st_size if group.log_path.exists() else 0
                group.start()
                started.append((group, offset))
        for group, offset in started:

            def ready(group=group, offset=offset) -> bool:
                if not group.running:
                    raise AssertionError(f"worker group {group.name} exited:\n{group.log_tail()}")
                with open(group.log_path, "rb") as log:
                    log.seek(offset)
                    return b"ready for action" in log.read()

            wait_for(ready, timeout=30, interval=0.1, what=f"worker group {group.name}")

    def logs(self) -> str:
        return f"--- high ---\n{self.high.log_tail()}\n--- low ---\n{self.low.log_tail()}"

    def stop(self) -> None:
        self.high.stop()
        self.low.stop()


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer, pg_url: str, sim, tmp_path_factory) -> Iterator[Workers]:
    group = Workers(worker_env(pg_url, redis_server.url, MAX_QUEUE_SIZE="5"), tmp_path_factory.mktemp("workers"))
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


# ---------------------------------------------------------------------------------------------------- helpers


def seed(db: Engine, sim: SnmpSimServer, *printers: tuple[str, str], **overrides) -> list[int]:
    """Printers at (address, community) on the simulator's port; committed so the workers see them."""
    with Session(db, expire_on_commit=False) as session:
        ids = [
            make_printer(
                session, ip_address=ip, serial_number="", snmp_port=sim.port, snmp_community=community, **overrides
            ).id
            for ip, community in printers
        ]
        session.commit()
    return ids


def tasks_of(db: Engine, printer_id: int) -> list[InventoryTask]:
    with Session(db) as session:
        return list(session.exec(select(InventoryTask).where(InventoryTask.printer_id == printer_id)).all())


def all_tasks(db: Engine) -> list[InventoryTask]:
    with Session(db) as session:
        return list(session.exec(select(InventoryTask)).all())


def wait_task(db: Engine, printer_id: int, *, timeout: float = 30, workers: Workers | None = None) -> InventoryTask:
    try:
        return wait_for(lambda: tasks_of(db, printer_id), timeout=timeout, what=f"a poll of printer {printer_id}")[0]
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{workers.logs() if workers else ''}") from None


def lock_key(printer_id: int) -> str:
    return f"pi:lock:printer:{printer_id}"


def poll_now(broker: dramatiq.Broker, printer_id: int) -> dramatiq.Message:
    return broker.enqueue(message("high", "poll_printer_now", printer_id))


def acked(r: redis.Redis, queue: str, sent: dramatiq.Message) -> bool:
    """The broker's copy of the message is gone: a worker processed and acknowledged it."""
    return not r.hexists(f"dramatiq:{queue}.msgs", sent.options["redis_message_id"])


def queued_messages(r: redis.Redis) -> list[dramatiq.Message]:
    ids = r.lrange(LOW_QUEUE, 0, -1)
    return [dramatiq.Message.decode(data) for data in r.hmget(LOW_MSGS, ids)] if ids else []


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
    assert progress == {"total": len(ids), "done": len(ids), "failed": 1}
    for pid in ids:
        (task,) = tasks_of(db, pid)
        assert task.triggered_by == TriggeredBy.AUTO_POLL
        assert task.status == (TaskStatus.FAILED if pid == ids[-1] else TaskStatus.SUCCESS), task.error_message
    assert tasks_of(db, inactive) == []


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


def test_hourly_dispatch_skips_when_the_low_backlog_exceeds_max_queue_size(workers, db, sim, broker, r, pg_url):
    workers.low.stop()  # nothing consumes "low": its backlog stays measurable
    ids = seed(db, sim, (HOSTS[0], "ricoh_mpc3002"), (HOSTS[1], "brother_hl5370dw"), (HOSTS[2], "jetdirect_m130nw"))
    env = worker_env(pg_url, workers.env["REDIS_URL"], MAX_QUEUE_SIZE="5")
    dispatch = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "from workers.actors import hourly_dispatch\n"
        "hourly_dispatch.fn()\n"
    )

    for _ in range(10):
        broker.enqueue(message("low", "poll_printer_scheduled", 999_999))
    done = run_python(dispatch, env)
    assert "hourly dispatch skipped" in done.stderr
    assert r.llen(LOW_QUEUE) == 10

    r.delete(LOW_QUEUE, LOW_MSGS)
    for _ in range(2):
        broker.enqueue(message("low", "poll_printer_scheduled", 999_999))
    done = run_python(dispatch, env)
    assert "hourly dispatch: 3 printers enqueued" in done.stderr
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
from workers.actors import hourly_dispatch
from workers.scheduler import _send_once
print("ready", flush=True)
sys.stdin.readline()
_send_once("hourly_dispatch", hourly_dispatch)
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
        if time.gmtime().tm_sec >= 57:  # both must run in the same minute (the scheduler's time slot)
            time.sleep(61 - time.gmtime().tm_sec)
        for proc in procs:  # released together: they race for the slot's key
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=30)[1] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert [m.actor_name for m in queued_messages(r)] == ["hourly_dispatch"]
    assert sorted("already sent by another scheduler" in out for out in outputs) == [False, True], outputs
    assert len(r.keys("pi:sched:hourly_dispatch:*")) == 1
