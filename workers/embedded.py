"""Embedded mode: a Dramatiq worker as threads and the schedule inside the app's backend process."""

from __future__ import annotations

import logging
import threading

from dramatiq import Worker

from workers.broker import HIGH, LOW, broker

log = logging.getLogger(__name__)
THREADS = 6
_started = threading.Event()
_workers: list[Worker] = []


def start() -> None:
    """Start the in-process worker and the scheduler, once per process.

    One Worker serves both queues: Dramatiq gives every Worker a middleware of its own on the shared broker (a
    second Worker logs "adding a middleware of the same type twice"). User requests still come first: the actors
    of queue "low" have a lower priority, so a waiting "Poll now" is the next message a free thread takes.
    """
    if _started.is_set():
        return
    _started.set()
    import workers.actors  # noqa: F401  (registers the actors and declares their queues)
    from printer_app.config import get_settings
    from workers.scheduler import background_scheduler

    worker = Worker(broker, queues={HIGH, LOW}, worker_threads=THREADS, worker_timeout=200)
    worker.start()
    _workers.append(worker)
    if get_settings().embedded_scheduler:
        background_scheduler().start()
    log.info("embedded worker (%s threads) started, scheduler %s", THREADS, get_settings().embedded_scheduler)


def stop() -> None:
    for worker in _workers:
        worker.stop(timeout=5000)
    _workers.clear()
    _started.clear()
