"""Embedded mode: Dramatiq workers as threads and the schedule inside the app's backend process."""

from __future__ import annotations

import logging
import threading

from dramatiq import Worker

from workers.broker import HIGH, LOW, broker

log = logging.getLogger(__name__)
_started = threading.Event()
_workers: list[Worker] = []


def start() -> None:
    """Start the in-process workers (high priority has its own threads) and the scheduler, once per process."""
    if _started.is_set():
        return
    _started.set()
    import workers.actors  # noqa: F401  (registers the actors and declares their queues)
    from workers.scheduler import background_scheduler

    for queues, threads in (({HIGH}, 2), ({LOW}, 4)):
        worker = Worker(broker, queues=queues, worker_threads=threads, worker_timeout=200)
        worker.start()
        _workers.append(worker)
    background_scheduler().start()
    log.info("embedded workers and scheduler started")


def stop() -> None:
    for worker in _workers:
        worker.stop(timeout=5000)
    _workers.clear()
    _started.clear()
