"""Where readings come from: the SNMP poller for one printer, or for many at once (shared engine)."""

from __future__ import annotations

from printer_app.config import get_settings
from printer_app.models import Printer
from printer_app.services.history import SupplyReading
from printer_app.services.polling import AcquisitionError, DeviceReading
from printer_app.services.snmp import PollResult, SnmpTarget, SnmpUnreachable, poll_printer_sync
from printer_app.services.validators import normalize_mac


def snmp_target_for(printer: Printer) -> SnmpTarget:
    """The SNMP address and credentials of a stored printer, with timeouts from the settings."""
    settings = get_settings()
    return SnmpTarget(
        host=printer.ip_address,
        port=printer.snmp_port,
        community=printer.snmp_community,
        version=printer.snmp_version,
        timeout=settings.snmp_timeout,
        retries=settings.snmp_retries,
        v3_user=printer.snmp_v3_user,
        v3_auth_protocol=printer.snmp_v3_auth_protocol,
        v3_auth_key=printer.snmp_v3_auth_key,
        v3_priv_protocol=printer.snmp_v3_priv_protocol,
        v3_priv_key=printer.snmp_v3_priv_key,
        v3_context=printer.snmp_v3_context,
    )


def reading_from_snmp(result: PollResult) -> DeviceReading:
    """Turn the poller's result into the pipeline's source-independent reading."""
    return DeviceReading(
        serial=(result.serial or "").strip(),
        mac=normalize_mac(result.mac),
        raw_counters={k: int(v) for k, v in (result.counters.get("raw") or {}).items() if v is not None},
        is_color=result.is_color,
        supplies=[
            SupplyReading(
                description=(s.description or "")[:255],
                kind=s.kind,
                color=s.color,
                level=s.level,
                max_capacity=s.max,
                percent=s.percent,
                state=s.state,
                supply_index=s.index,
            )
            for s in result.supplies
        ],
        manufacturer=result.manufacturer,
        model=result.model,
        errors=list(result.errors),
    )


def snmp_source(printer: Printer) -> DeviceReading:
    """Read one printer with the native SNMP poller."""
    try:
        return reading_from_snmp(poll_printer_sync(snmp_target_for(printer)))
    except SnmpUnreachable as exc:
        raise AcquisitionError(str(exc)) from None


def read_printer(printer: Printer) -> DeviceReading | AcquisitionError:
    """Read a printer by its polling method; a failure is returned, not raised, so it can be recorded."""
    try:
        return snmp_source(printer)
    except AcquisitionError as exc:
        return exc
