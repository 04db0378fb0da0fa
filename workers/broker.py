"""The one place the Dramatiq broker is built.

Production (REDIS_URL set): a RedisBroker shared by any number of worker processes on any number of machines.
Embedded (no REDIS_URL): an in-memory broker whose workers run as threads inside the app's backend process.
The actors and the code path are the same in both.
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from printer_app.config import get_settings
from workers.preload import Preload

HIGH = "high"  # user requests: poll now
LOW = "low"  # the schedule, poll-all fan-out, maintenance


def build_broker() -> dramatiq.Broker:
    settings = get_settings()
    if settings.redis_url:
        broker = RedisBroker(
            url=settings.redis_url,
            # How long a silent worker is presumed alive; its unacked messages are redelivered after it.
            heartbeat_timeout=int(os.environ.get("DRAMATIQ_HEARTBEAT_TIMEOUT_MS", "60000")),
            maintenance_chance=int(os.environ.get("DRAMATIQ_MAINTENANCE_CHANCE", "1000")),
            socket_keepalive=True,
            health_check_interval=30,
        )
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(Preload())
    return broker


broker = build_broker()
dramatiq.set_broker(broker)


def backlog(queue_name: str) -> int:
    """Messages waiting in a queue (not yet fetched by a worker)."""
    if isinstance(broker, RedisBroker):
        return int(broker.client.llen(f"{broker.namespace}:{queue_name}"))
    queue = broker.queues.get(queue_name)
    return queue.qsize() if queue is not None else 0
