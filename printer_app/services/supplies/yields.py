"""Rated cartridge yields from the contracts reference data: the printer's model → its cartridges → their capacity.

The model is the linked contract device's (ContractDevice.printer_id), else the printer's own. Capacity is free text
("12 000 стр.", "7.2K pages", "3,000"); a cartridge fits a supply by colour, the primary one first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models import Cartridge, ContractDevice, DeviceModelCartridge, Printer

_NUMBER = re.compile(r"(\d[\d\s\u00a0\u202f.,']*)\s*(k|к|тыс)?", re.IGNORECASE)
MIN_YIELD = 50  # a smaller number is not a page count ("1 шт.", "2 pack")
KINDS_WITH_YIELD = {"toner", "ink"}


def parse_capacity(text: str | None) -> int | None:
    """Pages from a capacity text: "12 000 стр." → 12000, "7.2K" → 7200, "3,000 pages" → 3000; None otherwise."""
    for match in _NUMBER.finditer(text or ""):
        digits, thousands = match.group(1).strip(), match.group(2)
        if thousands:
            value = float(re.sub(r"[\s\u00a0\u202f']", "", digits).replace(",", ".").rstrip(".")) * 1000
        else:
            value = float(re.sub(r"[^\d]", "", digits))
        if value >= MIN_YIELD:
            return int(value)
    return None


def rated_yields(session: Session, printer_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """{(printer id, colour): rated pages} for the printers whose model lists a cartridge with a capacity."""
    ids = list(printer_ids)
    if not ids:
        return {}
    linked = (
        sa.select(ContractDevice.device_model_id)
        .where(ContractDevice.printer_id == Printer.id, ContractDevice.device_model_id.is_not(None))
        .limit(1)
        .scalar_subquery()
    )
    model_id = sa.func.coalesce(linked, Printer.device_model_id)
    query = (
        sa.select(Printer.id, Cartridge.color, Cartridge.capacity, DeviceModelCartridge.is_primary)
        .select_from(Printer)
        .join(DeviceModelCartridge, DeviceModelCartridge.device_model_id == model_id)
        .join(Cartridge, Cartridge.id == DeviceModelCartridge.cartridge_id)
        .where(Printer.id.in_(ids), Cartridge.is_active, Cartridge.capacity != "")
        .order_by(Printer.id, DeviceModelCartridge.is_primary.desc(), Cartridge.id)
    )
    out: dict[tuple[int, str], int] = {}
    for printer_id, color, capacity, _primary in session.execute(query):
        pages = parse_capacity(capacity)
        if pages is not None:
            out.setdefault((printer_id, color), pages)
    return out


def yield_for(yields: dict[tuple[int, str], int], printer_id: int, kind: str, color: str | None) -> int | None:
    """The rated yield of one supply, when it is a toner or ink whose colour a cartridge of the model has."""
    if kind not in KINDS_WITH_YIELD:
        return None
    return yields.get((printer_id, color or "black"))
