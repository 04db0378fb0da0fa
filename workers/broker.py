"""The one place the Dramatiq broker is built.

Production (REDIS_URL set): a RedisBroker shared by any number of worker processes on any number of machines.
Embedded (no REDIS_URL): an in-memory broker whose workers run as threads inside the app's backend process.
The actors and the code path are the same in both.
"""

from __future__ import annotations

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
            namespace=settings.dramatiq_namespace,
            # How long a silent worker is presumed alive; the messages it took go back to their queue after it, at
            # the next maintenance of the queue (a chance in a million per broker command). See config.Settings.
            heartbeat_timeout=settings.dramatiq_heartbeat_timeout_ms,
            maintenance_chance=settings.dramatiq_maintenance_chance,
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
