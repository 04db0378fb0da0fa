"""Test data of the supply alerts: a printer with supply forecasts as the forecast refresh would leave them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from printer_app.models.supplies import SupplyAlertRule, SupplyForecast
from printer_app.services.supplies.keys import supply_key

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def add_forecast(
    session: Session,
    printer_id: int,
    *,
    kind: str = "toner",
    color: str | None = "black",
    index: int = 1,
    level: int | None = 50,
    days: float | None = 30.0,
    started: datetime = START,
    status: str = "ok",
    state: str = "ok",
) -> SupplyForecast:
    forecast = SupplyForecast(
        printer_id=printer_id,
        supply_key=supply_key(kind, color, index),
        kind=kind,
        color=color,
        description=f"{color or ''} {kind}".strip(),
        level_percent=level,
        state=state,
        lifetime_started_at=started,
        forecast_status=status,
        days_to_empty=days,
        last_seen_at=started + timedelta(days=10),
    )
    session.add(forecast)
    session.flush()
    return forecast


def add_rule(session: Session, **values) -> SupplyAlertRule:
    rule = SupplyAlertRule(**{"name": "Low toner", "below_percent": 20, **values})
    session.add(rule)
    session.flush()
    return rule
