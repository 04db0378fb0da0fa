"""Supply forecast rows inserted directly (the forecast service fills them after polls), with printers, contract
devices and cartridges around them: the fleet of the supplies page's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from printer_app.models import Cartridge, DeviceModelCartridge, Organization, Printer, SupplyForecast
from printer_app.services.supplies.keys import supply_key
from tests.factories import make_contract_device, make_model, make_org, make_printer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def forecast(session: Session, printer: Printer, kind: str, color: str | None, **values) -> SupplyForecast:
    """One supply forecast row; `days` sets days to empty with a ±20 % band."""
    days = values.pop("days", None)
    if days is not None:
        values.setdefault("forecast_status", "ok")
        values |= {"days_to_empty": days, "days_low": days * 0.8, "days_high": days * 1.25}
    values.setdefault("description", f"{color or kind} {kind}".title())
    values.setdefault("level_percent", 50)
    values.setdefault("last_seen_at", NOW - timedelta(hours=1))
    row = SupplyForecast(
        printer_id=printer.id,
        supply_key=supply_key(kind, color, values.pop("index", None), values["description"]),
        kind=kind,
        color=color,
        **values,
    )
    session.add(row)
    session.flush()
    return row


def cartridge(session: Session, model_id: int, part: str, color: str, *, primary: bool = False, name: str = ""):
    c = Cartridge(name=name or f"Cartridge {part}", part_number=part, color=color)
    session.add(c)
    session.flush()
    session.add(DeviceModelCartridge(device_model_id=model_id, cartridge_id=c.id, is_primary=primary))
    session.flush()
    return c


@dataclass
class Fleet:
    alpha: Organization
    beta: Organization
    colour: Printer  # alpha, contract-linked HP colour: parts for black (primary of two) and cyan
    mono: Printer  # alpha, own catalogue model (no contract device): part for black
    other: Printer  # beta, unknown model: no part numbers
    retired: Printer  # inactive: never shown
    rows: dict[str, SupplyForecast]


def make_fleet(session: Session) -> Fleet:
    alpha, beta = make_org(session, name="Alpha Clinic"), make_org(session, name="Beta School")
    colour_model = make_model(session, "HP", "Color M479")
    mono_model = make_model(session, "Kyocera", "P2040")
    colour = make_printer(session, ip_address="10.1.0.5", serial_number="CLR-1", organization_id=alpha.id)
    mono = make_printer(
        session, ip_address="10.1.0.20", serial_number="MONO-1", organization_id=alpha.id, device_model_id=mono_model.id
    )
    other = make_printer(session, ip_address="10.2.0.7", serial_number="OTH-1", organization_id=beta.id)
    retired = make_printer(session, ip_address="10.2.0.9", serial_number="OLD-1", organization_id=beta.id)
    retired.is_active = False
    session.add(retired)
    make_contract_device(
        session, organization=alpha, serial_number="CLR-1", printer_id=colour.id, device_model_id=colour_model.id
    )
    cartridge(session, colour_model.id, "W2030X", "black", name="HP 415X")
    cartridge(session, colour_model.id, "W2030A", "black", primary=True, name="HP 415A")
    cartridge(session, colour_model.id, "W2031A", "cyan", primary=True, name="HP 415A C")
    cartridge(session, mono_model.id, "TK-1170", "black", primary=True, name="Kyocera TK-1170")
    rows = {
        "colour_k": forecast(
            session,
            colour,
            "toner",
            "black",
            days=9,
            level_percent=12,
            last_pages_per_cartridge=2400,
            avg_pages_per_cartridge=2300,
            replacements=3,
        ),
        "colour_c": forecast(session, colour, "toner", "cyan", days=40, level_percent=70),
        "colour_drum": forecast(session, colour, "drum", "black", days=5, level_percent=8),
        "mono_k": forecast(session, mono, "toner", "black", days=3, level_percent=4),
        "mono_waste": forecast(session, mono, "waste", None, level_percent=90),
        "other_k": forecast(session, other, "toner", "black", days=12, level_percent=20),
        "other_empty": forecast(session, other, "toner", "yellow", level_percent=0, forecast_status="empty"),
        "other_nodata": forecast(
            session, other, "toner", "cyan", level_percent=None, state="unknown", forecast_status="no_level"
        ),
        "retired_k": forecast(session, retired, "toner", "black", days=1, level_percent=1),
    }
    session.commit()
    return Fleet(alpha, beta, colour, mono, other, retired, rows)
