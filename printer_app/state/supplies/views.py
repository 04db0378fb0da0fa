"""The supplies page's rows as the browser shows them: texts in the user's language, the level bar, the forecast
with its band ("9 days (7–12)") and, where it is the truth, "not enough data"."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from printer_app import i18n
from printer_app.i18n import N_
from printer_app.models.choices import SupplyColor, SupplyKind
from printer_app.services.supplies.fleet import SupplyRow
from printer_app.services.supplies.ordering import OrderLine
from printer_app.state.view import SupplyView, number, stored_supply_view

URGENT_DAYS, SOON_DAYS = 7, 14
FORECAST_WORDS = {
    "not_enough_data": N_("Not enough data"),
    "empty": N_("Empty"),
    "no_level": N_("No level reported"),
    "due_now": N_("Due now"),  # the forecast reached 0 though the printer still reports some toner
}


@dataclass
class SupplyRowView:
    id: int = 0
    printer_id: int = 0
    printer: str = ""  # the IP address
    serial: str = ""
    model: str = ""
    organization: str = ""
    supply: str = ""  # "Toner · Black"
    description: str = ""
    bar: SupplyView = field(default_factory=SupplyView)
    days: str = ""  # "9 days (7–12)", "less than a day", "Empty" or "Not enough data"
    days_tone: str = "gray"  # red within a week, amber within two, gray otherwise or without a figure
    has_forecast: bool = False
    pages_to_empty: str = ""
    pages_last: str = ""
    pages_avg: str = ""
    replacements: int = 0
    part: str = ""
    cartridge: str = ""


@dataclass
class OrderLineView:
    key: str = ""
    organization: str = ""
    part: str = ""
    cartridge: str = ""
    model: str = ""
    supply: str = ""
    count: int = 0
    printers: str = ""
    soonest: str = ""
    tone: str = "gray"


def _label(choice, value: str) -> str:
    try:
        return i18n.gettext(choice(value).label) if value else ""
    except ValueError:
        return value


def supply_label(kind: str, color: str) -> str:
    return " · ".join(p for p in (_label(SupplyKind, kind), _label(SupplyColor, color)) if p)


def days_count(days: float) -> str:
    """ "9 days", "1 day", "less than a day"."""
    if days < 1:
        return i18n.gettext("less than a day")
    n = math.floor(days)
    return i18n.ngettext("{n} day", "{n} days", n)


def days_text(status: str, days: float | None, low: float | None, high: float | None, level: int | None = None) -> str:
    """The forecast as a person reads it: "9 days (7–12)"; a word when there is no figure ("Due now" rather than
    "Empty" beside a level bar that still shows some toner)."""
    if days is None:
        if status == "empty" and level:
            status = "due_now"
        return i18n.gettext(FORECAST_WORDS.get(status, FORECAST_WORDS["not_enough_data"]))
    text = days_count(days)
    if low is not None and high is not None and math.floor(high) > math.floor(low):
        text += f" ({number(math.floor(low))}–{number(math.floor(high))})"
    return text


def days_tone(status: str, days: float | None) -> str:
    if status == "empty" or (days is not None and days <= URGENT_DAYS):
        return "red"
    return "amber" if days is not None and days <= SOON_DAYS else "gray"


def supply_row_view(row: SupplyRow) -> SupplyRowView:
    name = row.description or supply_label(row.kind, row.color)
    return SupplyRowView(
        id=row.id,
        printer_id=row.printer_id,
        printer=row.ip_address,
        serial=row.serial_number,
        model=row.model,
        organization=row.organization or "—",
        supply=supply_label(row.kind, row.color),
        description=row.description,
        bar=stored_supply_view(name, row.color or "other", row.level_percent, row.state),
        days=days_text(row.forecast_status, row.days_to_empty, row.days_low, row.days_high, row.level_percent),
        days_tone=days_tone(row.forecast_status, row.days_to_empty),
        has_forecast=row.days_to_empty is not None,
        pages_to_empty="" if row.pages_to_empty is None else number(row.pages_to_empty),
        pages_last=number(row.last_pages),
        pages_avg=number(row.avg_pages),
        replacements=row.replacements,
        part=row.part_number,
        cartridge=row.cartridge,
    )


def order_line_view(line: OrderLine, index: int) -> OrderLineView:
    soonest = i18n.gettext("Empty") if line.soonest_days is None else days_count(line.soonest_days)
    return OrderLineView(
        key=str(index),
        organization=line.organization or "—",
        part=line.part_number or "—",
        cartridge=line.cartridge,
        model=line.model,
        supply=supply_label(line.kind, line.color),
        count=line.count,
        printers=number(line.printers),
        soonest=soonest,
        tone=days_tone("empty" if line.soonest_days is None else "ok", line.soonest_days),
    )
