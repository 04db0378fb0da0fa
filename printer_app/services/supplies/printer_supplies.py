"""One printer's supplies for its page: the forecasts, the cartridge lifetimes (newest first) and the level history
the chart draws them over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from printer_app.models import SupplyForecast, SupplyLifetime
from printer_app.services.polling.history import supply_series

MAX_LIFETIMES = 100


@dataclass
class PrinterSupplies:
    forecasts: list[SupplyForecast]
    lifetimes: list[SupplyLifetime]
    series: list[dict[str, Any]]  # supply_series: {"at": datetime, description: percent, ...} oldest first


def printer_supplies(session: Session, *, printer_id: int, days: int) -> PrinterSupplies:
    forecasts = session.exec(
        select(SupplyForecast).where(SupplyForecast.printer_id == printer_id).order_by(SupplyForecast.supply_key)
    ).all()
    lifetimes = session.exec(
        select(SupplyLifetime)
        .where(SupplyLifetime.printer_id == printer_id)
        .order_by(SupplyLifetime.started_at.desc(), SupplyLifetime.id.desc())
        .limit(MAX_LIFETIMES)
    ).all()
    return PrinterSupplies(
        forecasts=list(forecasts),
        lifetimes=list(lifetimes),
        series=supply_series(session, printer_id=printer_id, days=days),
    )
