"""The contracted devices list's rows as the table shows them: texts ready to display, the status badge's colours."""

from __future__ import annotations

from dataclasses import dataclass

from printer_app.i18n import format_number
from printer_app.services.contracts.device_list import NONE, DeviceRow
from printer_app.services.contracts.months import show_month
from printer_app.services.contracts.reference import text_colour_on
from printer_app.services.contracts.reference_checks import HEX_COLOUR


@dataclass
class DeviceView:
    """A row as the table shows it: texts ready to display."""

    id: int = 0
    organization: str = ""
    city: str = ""
    address: str = ""
    room: str = ""
    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    status_id: str = ""  # "" when none (the inline select's value then is NONE)
    status: str = ""
    status_color: str = ""
    status_text: str = "#000000"  # black or white, whichever reads better on the status colour
    provider: str = ""
    service_month: str = ""  # MM.YYYY
    comment: str = ""
    printer_id: int = 0
    printer_ip: str = ""
    total: str = ""
    lowest_toner: str = ""
    toner_tone: str = "gray"  # amber at 20 % and below, red at 5 %
    label: str = ""  # how a question names the device: "HP M404, SN123 (Alpha Clinic)"


def text_on(hex_colour: str) -> str:
    """Black or white text on a status badge (the reference page's rule); black beside no colour at all."""
    return text_colour_on(hex_colour) if HEX_COLOUR.match(hex_colour or "") else "#000000"


def device_view(row: DeviceRow) -> DeviceView:
    model = " ".join(p for p in (row.manufacturer, row.model) if p)
    tone = "gray"
    if row.lowest_toner is not None:
        tone = "red" if row.lowest_toner <= 5 else "amber" if row.lowest_toner <= 20 else "gray"
    return DeviceView(
        id=row.id,
        organization=row.organization,
        city=row.city,
        address=row.address,
        room=row.room,
        manufacturer=row.manufacturer,
        model=model,
        serial=row.serial,
        status_id=str(row.status_id) if row.status_id is not None else NONE,
        status=row.status,
        status_color=row.status_color or "#e0e1e6",
        status_text=text_on(row.status_color or "#e0e1e6"),
        provider=row.provider,
        service_month=show_month(row.service_month),
        comment=row.comment,
        printer_id=row.printer_id or 0,
        printer_ip=row.printer_ip,
        total=format_number(row.total) if row.total is not None else "",
        lowest_toner=f"{row.lowest_toner} %" if row.lowest_toner is not None else "",
        toner_tone=tone,
        label=", ".join(p for p in (model, row.serial) if p) + f" ({row.organization})",
    )
