""" "Test connection" of the printer form: read a device with the form's settings before anything is saved.

The form's address, SNMP settings and polling method are validated like a save (inventory.printers.connection_values),
then the device is read exactly as a poll would read it (sources.read_printer) from a Printer that is never added to
a session; nothing is stored. A printer being edited lends its stored web rules (WEB / HYBRID need them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from printer_app.i18n import gettext
from printer_app.models import Printer
from printer_app.models.choices import PollingMethod, SupplyState
from printer_app.services.errors import NotFoundError
from printer_app.services.inventory.printers import PrinterInput, connection_values
from printer_app.services.polling.reading import AcquisitionError
from printer_app.services.polling.sources import read_printer
from printer_app.services.web.rules import RuleSpec, load_web_rules


@dataclass
class ProbeTarget:
    """A device to read: a detached Printer carrying the form's settings, and the web rules it may use."""

    printer: Printer
    web_rules: list[RuleSpec] = field(default_factory=list)


@dataclass
class ProbeResult:
    """What the device answered (or why it did not): shown in the form, never stored."""

    error: str = ""
    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    mac: str = ""
    total_pages: int | None = None
    supplies: list[tuple[str, str]] = field(default_factory=list)  # (description, "58 %" or a state word)
    notes: list[str] = field(default_factory=list)


def probe_target(session: Session, *, data: PrinterInput, printer_id: int | None = None) -> ProbeTarget:
    """Validate the form's connection fields (DomainValidationError) and build the detached printer to read."""
    stored = session.get(Printer, printer_id) if printer_id else None
    if printer_id and stored is None:
        raise NotFoundError(gettext("The printer no longer exists"))
    values = connection_values(data, stored=stored)
    printer = Printer(**values)
    rules = load_web_rules(session, printer_id) if stored is not None else []
    if stored is not None:
        printer.web_username, printer.web_password = stored.web_username, stored.web_password
    return ProbeTarget(printer=printer, web_rules=rules)


def probe(target: ProbeTarget) -> ProbeResult:
    """Read the device once by its polling method (SNMP timeouts from the settings); blocking: run it in a thread."""
    method = target.printer.polling_method
    if method in (PollingMethod.WEB, PollingMethod.HYBRID) and not target.web_rules:
        return ProbeResult(
            error=gettext("The web polling methods need the printer's web rules: save it first, then write its rules")
        )
    reading = read_printer(target.printer, target.web_rules)
    if isinstance(reading, AcquisitionError):
        return ProbeResult(error=str(reading) or gettext("The device did not answer"))
    total = reading.raw_counters.get("TOTAL")
    return ProbeResult(
        manufacturer=reading.manufacturer or "",
        model=reading.model or "",
        serial=reading.serial or "",
        mac=reading.mac or "",
        total_pages=total,
        supplies=[(s.description or s.kind, _level(s.percent, s.state)) for s in reading.supplies],
        notes=[*reading.errors, *reading.notes],
    )


def _level(percent: int | None, state: str) -> str:
    if percent is not None and state in (SupplyState.OK, SupplyState.LOW, SupplyState.EMPTY):
        return f"{percent} %"
    try:
        return SupplyState(state).text
    except ValueError:
        return state
