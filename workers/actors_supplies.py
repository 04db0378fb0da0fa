"""Supply actors: the forecasts of a printer refreshed after its polls, and the whole fleet's once a day.

Below workers/polls.py (which sends `refresh_supplies` after a successful poll) and registered by workers/actors.py.
"""

from __future__ import annotations

import logging

import dramatiq
from sqlmodel import select

from printer_app.db import session_scope
from printer_app.models import SupplyForecast
from printer_app.services.supplies.refresh import refresh_fleet, refresh_printer
from workers.alert_actors import evaluate_supply_alerts, raise_alerts
from workers.broker import LOW, broker

log = logging.getLogger(__name__)
MINUTE_MS = 60_000
BACKGROUND = 10  # as workers/actors.py: a waiting "Poll now" goes first
ALERT_BATCH = 500  # printers per alert evaluation message after the daily refresh


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
    ids = sorted({int(i) for i in printer_ids})
    for printer_id in ids:
        with session_scope(write=True) as session:
            refresh_printer(session, printer_id)
    # Low-supply alerts on the committed forecasts, each printer in a transaction of its own; their delivery is a
    # message of its own. A failure here is logged: the forecasts stand, the daily run evaluates again.
    try:
        raise_alerts(ids)
    except Exception:
        log.exception("supply alerts of printers %s could not be evaluated", ids[:20])


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
    # "Runs out within N days" comes true as the days count down, without a poll: every printer with a forecast is
    # evaluated again (one alert per supply per lifetime, so nothing is raised twice).
    with session_scope() as session:
        ids = list(session.exec(select(SupplyForecast.printer_id).distinct()))
    for start in range(0, len(ids), ALERT_BATCH):
        evaluate_supply_alerts.send(ids[start : start + ALERT_BATCH])
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
