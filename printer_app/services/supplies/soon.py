"""The dashboard's "Runs out this week": how many supplies of the active printers run out within a week (or have
run out), and the first few of them, soonest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from printer_app.models import SupplyForecast
from printer_app.services.supplies.fleet import ROW_COLUMNS, SupplyFilters, SupplyRow, apply_filters, base_select
from printer_app.services.supplies.fleet import supply_row as to_row

WEEK = 7


@dataclass
class RunsOut:
    count: int
    first: list[SupplyRow]


def runs_out_soon(session: Session, *, days: int = WEEK, limit: int = 5) -> RunsOut:
    filters = SupplyFilters(empty_within=days)
    counted = apply_filters(base_select(SupplyForecast.id, references=False), filters)
    count = session.exec(select(func.count()).select_from(counted.subquery())).one()
    query = apply_filters(base_select(*ROW_COLUMNS), filters).order_by(
        SupplyForecast.days_to_empty.asc().nulls_first(),
        SupplyForecast.level_percent.asc().nulls_last(),
        SupplyForecast.id,
    )
    rows = [to_row(*r) for r in session.execute(query.limit(max(1, min(limit, 50)))).all()]
    return RunsOut(count=count, first=rows)
