"""Warm a worker process up when it boots, so that its first poll is as quick as the ones after it.

A cold process pays, on its first poll, for the lazily imported pipeline modules, pysnmp's MIB view (~0.3 s of
CPU, built once per process; several threads polling at once would each build one) and the database connection.
"""

from __future__ import annotations

import logging
import time

import dramatiq
from dramatiq.middleware import Middleware

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Import and build now what the first poll would otherwise build while a user waits for it."""
    from sqlalchemy import text

    from printer_app.db import session_scope
    from printer_app.services.snmp.transport import prepare_engine

    started = time.perf_counter()
    prepare_engine(None).close_dispatcher()  # builds the process-wide MIB view every later engine shares
    with session_scope(write=True) as session:  # opens the pooled connection the first poll would open
        session.exec(text("SELECT 1"))
    log.info("worker warmed up in %.2f s", time.perf_counter() - started)


class Preload(Middleware):
    """Runs `warm_up` in every worker process (and the embedded worker) before it takes its first message."""

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        try:
            warm_up()
        except Exception:  # a database still starting must not keep the worker from booting
            log.exception("worker warm-up failed; the first poll will load what it needs")
