"""GLPI-agent / FusionInventory netinventory XML (docs/inventory-and-polling.md §4.1, §4.2, §8.2) turned into a device
reading.

The parser refuses DTDs and entity declarations (defusedxml), so a hostile file cannot expand or fetch anything.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.models import InventoryTask, Printer
from printer_app.models.choices import DataSource, TriggeredBy
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.polling.history import SupplyReading
from printer_app.services.polling.pipeline import run_inventory_for_printer
from printer_app.services.polling.reading import AcquisitionError, DeviceReading
from printer_app.services.snmp.decode import is_usable_mac, normalize_mac, pick_mac
from printer_app.services.validators import parse_ipv4
from printer_app.services.web.rules import supply_state_word

MAX_XML_BYTES = 5 * 1024 * 1024  # an agent's document for one printer is a few kB
MAX_XML_DEPTH = 32  # and about 8 levels deep (REQUEST/CONTENT/DEVICE/PORTS/PORT/...)
_IP_IN_NAME = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")
COLOURS = ("BLACK", "CYAN", "MAGENTA", "YELLOW")
_CARTRIDGE_KINDS = {"TONER": "toner", "DRUM": "drum", "DEVELOPER": "developer", "INK": "ink"}
_KITS = {"FUSERKIT": "fuser", "TRANSFERKIT": "transfer", "WASTETONER": "waste"}
# Agents print "OK" for a toner whose level is Printer-MIB -3 ("some remaining"); kits say OK / WARNING. Other words
# (a web poll's export: "low", "empty") are status words.
_STATE_WORDS = {"OK": "some_remaining", "WARNING": "other"}


def _to_dict(elem) -> Any:
    """Element -> dict; repeated tags become lists, attributes are ignored, leaves are stripped text."""
    children = list(elem)
    if not children:
        return (elem.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        value = _to_dict(child)
        if child.tag in out:
            if not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = value
    return out


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def _parse_capped(data: bytes):
    """The document's root, parsed as a stream that stops at the first element nested deeper than MAX_XML_DEPTH."""
    if len(data) > MAX_XML_BYTES:
        raise AcquisitionError(f"XML file too large: {len(data):,} bytes (at most {MAX_XML_BYTES:,})")
    depth, root = 0, None
    try:
        events = SafeET.iterparse(
            io.BytesIO(data), events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        for event, element in events:
            if event == "end":
                depth -= 1
                continue
            depth += 1
            root = element if root is None else root
            if depth > MAX_XML_DEPTH:
                raise AcquisitionError(f"XML parse error: elements nested deeper than {MAX_XML_DEPTH} levels")
    except DefusedXmlException as exc:
        raise AcquisitionError(f"XML parse error: forbidden construct ({type(exc).__name__})") from None
    except SafeET.ParseError as exc:
        raise AcquisitionError(f"XML parse error: {exc}") from None
    return root


def parse_glpi_xml(data: bytes) -> tuple[DeviceReading, dict[str, str]]:
    """The reading and a few identity extras (manufacturer, model, name, ip) of one netinventory document.

    At most MAX_XML_BYTES and MAX_XML_DEPTH levels: a hostile file is refused before it costs memory or recursion.
    """
    root = _parse_capped(data)
    tree = {root.tag: _to_dict(root)}
    device = (((tree.get("REQUEST") or {}).get("CONTENT") or {}) or {}).get("DEVICE")
    if isinstance(device, list):
        device = device[0]
    if not isinstance(device, dict):
        raise AcquisitionError("XML parse error: no REQUEST/CONTENT/DEVICE element")
    info = device.get("INFO") or {}
    info = info if isinstance(info, dict) else {}
    counters = device.get("PAGECOUNTERS") or {}
    raw = {k: _text(v) for k, v in (counters.items() if isinstance(counters, dict) else [])}
    raw_ints = {k: int(v) for k, v in raw.items() if v.lstrip("-").isdigit()}
    cartridges = device.get("CARTRIDGES") or {}
    cartridges = cartridges if isinstance(cartridges, dict) else {}

    def supply_value(tag: str) -> str:
        return _text(cartridges.get(tag)) or _text(device.get(tag))

    supplies: list[SupplyReading] = []
    for prefix, kind in _CARTRIDGE_KINDS.items():
        for colour in COLOURS:
            value = supply_value(prefix + colour)
            if value:
                supplies.append(_supply(f"{colour.title()} {prefix.title()}", kind, colour.lower(), value))
    for tag, kind in _KITS.items():
        value = supply_value(tag)
        if value:
            supplies.append(_supply(tag.title(), kind, None, value, kit=True))

    colour_supply = any(
        supply_value(p + c) for p in ("TONER", "DRUM", "DEVELOPER") for c in ("CYAN", "MAGENTA", "YELLOW")
    )
    is_color = colour_supply or any(raw_ints.get(k, 0) > 0 for k in ("COLOR_A3", "COLOR_A4", "COLOR"))
    ports = [
        {"ifDescr": _text(p.get("IFDESCR")), "ifName": _text(p.get("IFNAME")), "mac": _text(p.get("MAC"))}
        for p in _as_list((device.get("PORTS") or {}).get("PORT") if isinstance(device.get("PORTS"), dict) else None)
        if isinstance(p, dict)
    ]
    mac = _pick_mac_with_info(ports, _text(info.get("MAC")))
    reading = DeviceReading(
        serial=_text(info.get("SERIAL")),
        mac=mac,
        raw_counters=raw_ints if raw_ints or not raw else {k: 0 for k in raw},
        is_color=is_color,
        supplies=supplies,
        manufacturer=_text(info.get("MANUFACTURER")) or None,
        model=_text(info.get("MODEL")) or None,
        data_source=DataSource.XML_IMPORT,
    )
    # Presence (docs/inventory-and-polling.md §3.7) counts non-empty tags even when they are not numbers; keep them
    # visible as 0.
    for key, value in raw.items():
        if value and key not in reading.raw_counters:
            reading.raw_counters[key] = 0
    ips = info.get("IPS")
    extras = {"name": _text(info.get("NAME")), "ip": _text(ips.get("IP")) if isinstance(ips, dict) else ""}
    return reading, extras


def _pick_mac_with_info(ports: list[dict], info_mac: str) -> str | None:
    """docs/inventory-and-polling.md §4.2 order: a wired-looking port, then INFO/MAC, then any port with a MAC."""
    wired = pick_mac(
        [
            p
            for p in ports
            if any(k in f"{p['ifDescr']} {p['ifName']}".lower() for k in ("ethernet", "eth", "lan", "gigabit", "fast"))
        ]
    )
    if wired:
        return wired
    mac = normalize_mac(info_mac)
    if is_usable_mac(mac):
        return mac
    return pick_mac(ports)


def _supply(description: str, kind: str, colour: str | None, value: str, *, kit: bool = False) -> SupplyReading:
    if value.isdigit():
        percent = min(int(value), 100)
        return SupplyReading(
            description=description, kind=kind, color=colour, level=percent, max_capacity=100, percent=percent
        )
    state = "ok" if kit and value.upper() == "OK" else _STATE_WORDS.get(value.upper()) or supply_state_word(value)
    return SupplyReading(description=description, kind=kind, color=colour, state=state)


def import_glpi_xml(session: Session, *, data: bytes, filename: str = "", ip: str | None = None) -> InventoryTask:
    """docs/inventory-and-polling.md §8.2: find the printer (IP argument, IP in the file name, unique MAC) and run the
    standard pipeline."""
    reading, _extras = parse_glpi_xml(data)
    printer = _resolve_printer(session, reading, filename, ip)
    return run_inventory_for_printer(
        session, printer_id=printer.id, triggered_by=TriggeredBy.MANUAL, source=lambda _p: reading
    )


def _resolve_printer(session: Session, reading: DeviceReading, filename: str, ip: str | None) -> Printer:
    if not ip:
        found = _IP_IN_NAME.search(Path(filename).name) if filename else None
        ip = found.group(0) if found else None
    if ip:
        try:
            ip = str(parse_ipv4(ip))
        except ValueError as exc:
            raise DomainValidationError({"ip": str(exc)}) from None
        query = select(Printer).where(Printer.ip_address == ip, Printer.is_active).order_by(Printer.id)
        at_ip = session.exec(query).all()
        if not at_ip:
            raise NotFoundError(f"No active printer has IP {ip}")
        if len(at_ip) > 1 and reading.mac:  # a print server's devices: the one the file's MAC is
            at_ip = [p for p in at_ip if (p.mac_address or "").upper() == reading.mac.upper()] or at_ip
        if len(at_ip) > 1:
            ids = ", ".join(f"#{p.id} (SNMP port {p.snmp_port})" for p in at_ip)
            message = f"Several active printers use IP {ip}: {ids}; the file cannot say which"
            raise DomainValidationError({"ip": message})
        return at_ip[0]
    if not reading.mac:
        raise NotFoundError("The file names no IP and reports no MAC: pass --ip to say which printer it is")
    matches = session.exec(select(Printer).where(func.upper(Printer.mac_address) == reading.mac.upper())).all()
    if len(matches) > 1:
        ids = ", ".join(f"#{p.id} ({p.ip_address})" for p in matches)
        raise DomainValidationError({"ip": f"MAC {reading.mac} belongs to several printers: {ids}; pass --ip"})
    if not matches:
        raise NotFoundError(f"No printer has MAC {reading.mac}; pass --ip to say which printer it is")
    return matches[0]
