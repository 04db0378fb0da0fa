"""What to order: per cartridge part number (or model, kind and colour when the reference data names none) and
organization, how many supplies of the fleet run out within N days. One GROUP BY over the supplies list's joins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, func
from sqlmodel import Session

from printer_app.models import Organization, Printer, SupplyForecast
from printer_app.services.supplies.fleet import (
    MAX_DAYS,
    MODEL_LABEL,
    PART_NUMBER,
    SupplyFilters,
    _part,
    apply_filters,
    base_select,
    runs_out_within,
)

DEFAULT_DAYS = 14


@dataclass
class OrderLine:
    """How many cartridges of one part number one organization needs within the horizon."""

    organization: str
    part_number: str  # "" when the reference data names no cartridge for the model and colour
    cartridge: str
    model: str  # only when there is no part number: the model the line is for
    kind: str
    color: str
    count: int  # supplies that run out within the horizon
    printers: int
    soonest_days: float | None  # the earliest of them (None: one has run out already without a figure)


def parse_days(value: object, default: int = DEFAULT_DAYS) -> int:
    """The horizon a user chose: a whole number of days 1..MAX_DAYS; anything else is the default."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if text.isascii() and text.isdigit() and len(text) < 6 and 1 <= int(text) <= MAX_DAYS:
        return int(text)
    return default


def what_to_order(session: Session, *, filters: SupplyFilters, days: int = DEFAULT_DAYS) -> list[OrderLine]:
    """The lines of the "What to order" tab: the supplies the filters show that run out within `days` days, grouped;
    by organization, then the largest count first."""
    model = func.coalesce(MODEL_LABEL, "").cast(String)
    cartridge = func.coalesce(_part.c.cartridge, "")
    # without a part number a line is one model's supply of one kind and colour
    model_key = func.coalesce(func.nullif(PART_NUMBER, ""), model)
    kind_key = func.coalesce(func.nullif(PART_NUMBER, ""), SupplyForecast.kind)
    colour_key = func.coalesce(func.nullif(PART_NUMBER, ""), func.coalesce(SupplyForecast.color, ""))
    query = (
        base_select(
            func.coalesce(Organization.name, "").label("organization"),
            PART_NUMBER.label("part_number"),
            func.max(cartridge).label("cartridge"),
            func.max(model).label("model"),
            func.max(SupplyForecast.kind).label("kind"),
            func.max(func.coalesce(SupplyForecast.color, "")).label("color"),
            func.count(SupplyForecast.id).label("count"),
            func.count(func.distinct(Printer.id)).label("printers"),
            func.min(SupplyForecast.days_to_empty).label("soonest"),
        )
        .where(runs_out_within(days))
        .group_by(Organization.name, PART_NUMBER, model_key, kind_key, colour_key)
    )
    query = apply_filters(query, filters)
    lines = []
    for row in session.execute(query).all():
        lines.append(
            OrderLine(
                organization=row.organization,
                part_number=row.part_number,
                cartridge=row.cartridge,
                model="" if row.part_number else row.model,
                kind=row.kind,
                color=row.color,
                count=row.count,
                printers=row.printers,
                soonest_days=row.soonest,
            )
        )
    lines.sort(key=lambda line: (line.organization.lower(), -line.count, line.part_number or line.model))
    return lines
