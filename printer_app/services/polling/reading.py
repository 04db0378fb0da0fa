"""What a device reported, however it was read: the type the poll pipeline and its sources (SNMP, web pages,
imported XML) share, so that neither imports the other for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from printer_app.models import Printer
from printer_app.models.choices import DataSource
from printer_app.services.polling.history import SupplyReading

COUNTER_KEYS = ("TOTAL", "BW_A3", "BW_A4", "COLOR_A3", "COLOR_A4", "COLOR")  # the page counters a reading may hold


class AcquisitionError(Exception):
    """The device could not be read (unreachable, bad credentials, unparseable answer).

    `data_source` is what the failed poll records (a failed web read is a WEB_SCRAPING poll, not an SNMP one).
    """

    def __init__(self, message: str, *, data_source: str = DataSource.SNMP_LOCAL):
        super().__init__(message)
        self.data_source = data_source


@dataclass
class DeviceReading:
    """What a device reported, independent of how it was read."""

    serial: str = ""
    mac: str | None = None
    raw_counters: dict[str, int] = field(default_factory=dict)
    is_color: bool = False
    supplies: list[SupplyReading] = field(default_factory=list)
    manufacturer: str | None = None
    model: str | None = None
    location: str = ""  # SNMP sysLocation: fills a printer's empty location
    data_source: str = DataSource.SNMP_LOCAL
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a successful poll of it did not get (e.g. its web side)


ReadingSource = Callable[[Printer], DeviceReading]
