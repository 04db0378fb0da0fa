"""What the worker tests share: the two `python -m workers` groups of a test module, and small helpers to seed
printers, enqueue polls and read what the workers stored."""

from __future__ import annotations

from pathlib import Path

import dramatiq
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import InventoryTask
from tests.factories import make_printer
from tests.snmpsim_server import SnmpSimServer
from tests.workers_harness import WorkerGroup, message, wait_for

LOW_QUEUE, LOW_MSGS = "dramatiq:low", "dramatiq:low.msgs"


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
