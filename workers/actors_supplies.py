"""Supply actors: the forecasts of a printer refreshed after its polls, and the whole fleet's once a day.

Below workers/polls.py (which sends `refresh_supplies` after a successful poll) and registered by workers/actors.py.
"""

from __future__ import annotations

import logging

import dramatiq

from printer_app.db import session_scope
from printer_app.services.supplies.refresh import refresh_fleet, refresh_printer
from workers.broker import LOW, broker

log = logging.getLogger(__name__)
MINUTE_MS = 60_000
BACKGROUND = 10  # as workers/actors.py: a waiting "Poll now" goes first


@dramatiq.actor(
    actor_name="refresh_supplies",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=3,
    min_backoff=MINUTE_MS,
    time_limit=5 * MINUTE_MS,
    broker=broker,
)
def refresh_supplies(printer_ids: list[int]) -> None:
    """Recompute these printers' supply forecasts and cartridge lifetimes (idempotent: a redelivery rewrites the
    same rows), each printer in a transaction of its own; SUPPLIES_CHANGED follows each commit."""
    for printer_id in sorted({int(i) for i in printer_ids}):
        with session_scope(write=True) as session:
            refresh_printer(session, printer_id)
        # Low-supply alerts (issue #19) are evaluated here, on the committed forecast, in a session of their own:
        # with session_scope(write=True) as session: alerts.evaluate_printer(session, printer_id)


@dramatiq.actor(
    actor_name="daily_supplies_refresh",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=3,
    time_limit=30 * MINUTE_MS,
    broker=broker,
)
def daily_supplies_refresh() -> None:
    """The whole fleet's forecasts once a day: days to empty count down for printers that were not polled, and
    the history thinned by the daily cleanup is taken into account."""
    stats = refresh_fleet()
    log.info(
        "supplies refresh: %s printers, %s supplies, %s rows inserted, %s updated, %s deleted in %.1f s",
        stats.printers, stats.supplies, stats.inserted, stats.updated, stats.deleted, stats.seconds,
    )  # fmt: skip


def send_refresh(printer_id: int) -> None:
    """Queue the refresh of a printer just polled; never raises (a poll must not fail or wait for its supplies)."""
    try:
        refresh_supplies.send([int(printer_id)])
    except Exception:
        log.exception("could not queue the supplies refresh of printer %s; the daily refresh will catch up", printer_id)
