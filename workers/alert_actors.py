"""Low-supply alert actors: raise alerts after a forecast refresh, deliver them, send the daily digest.

Thin like workers/actors.py (which imports this module so that the workers register these actors too). The
forecast refresh calls `raise_alerts(printer_ids)` after its commit (or sends `evaluate_supply_alerts`): delivery
is a message of its own, so a slow mail server or webhook never holds up a poll or a refresh.
"""

from __future__ import annotations

import logging

import dramatiq

from printer_app.db import session_scope
from printer_app.services.supplies.alert_delivery import deliver_alerts, send_digests
from printer_app.services.supplies.alerts import evaluate_printer
from workers.broker import HIGH, LOW, broker

log = logging.getLogger(__name__)
MINUTE_MS = 60_000
BACKGROUND = 10  # as the other queue "low" actors: user requests first


def raise_alerts(printer_ids: list[int]) -> list[int]:
    """Evaluate the printers' alert rules (each printer in its own transaction) and enqueue the delivery of the
    alerts raised; the new alert ids."""
    raised: list[int] = []
    for printer_id in printer_ids:
        with session_scope(write=True) as session:
            raised += [alert.id for alert in evaluate_printer(session, printer_id)]
    if raised:
        deliver_supply_alerts.send(raised)
    return raised


@dramatiq.actor(
    actor_name="evaluate_supply_alerts",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=1,
    time_limit=5 * MINUTE_MS,
    broker=broker,
)
def evaluate_supply_alerts(printer_ids: list[int]) -> None:
    """Apply the alert rules to these printers' current forecasts (idempotent: one alert per supply per lifetime)."""
    raised = raise_alerts(printer_ids)
    log.info("supply alerts: %s raised for %s printers", len(raised), len(printer_ids))


@dramatiq.actor(
    actor_name="deliver_supply_alerts", queue_name=HIGH, max_retries=0, time_limit=3 * MINUTE_MS, broker=broker
)
def deliver_supply_alerts(alert_ids: list[int]) -> None:
    """E-mail (immediate mode) and post (webhook) just-raised alerts; failures are recorded on them, not retried."""
    with session_scope(write=True) as session:
        sent = deliver_alerts(session, alert_ids)
    log.info("supply alerts %s delivered: %s", alert_ids[:20], sent)


@dramatiq.actor(
    actor_name="daily_supply_alert_digest",
    queue_name=LOW,
    priority=BACKGROUND,
    max_retries=0,
    time_limit=10 * MINUTE_MS,
    broker=broker,
)
def daily_supply_alert_digest() -> None:
    """One e-mail per digest-mode rule with its open alerts not e-mailed yet."""
    with session_scope(write=True) as session:
        mails = send_digests(session)
    log.info("supply alert digest: %s e-mails sent", mails)
