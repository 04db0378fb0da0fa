"""Build a ``PollResult`` from what the poller read: the system group, scalars and walked table columns.

Pure interpretation (no requests): the OIDs read, the pysnmp value conversions, identity, counters, supplies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyasn1.type import univ

from printer_app.services.snmp import vendors
from printer_app.services.snmp.decode import (
    clean_model,
    clean_serial,
    decode_text,
    has_counters,
    is_color_device,
    map_counters,
    normalize_mac,
    parse_device_id,
    pick_mac,
    supply_color,
    supply_kind,
    supply_percent,
)
from printer_app.services.snmp.transport import NO_VALUE, Rows, oid_str

SYS_OIDS = {
    "sys_descr": "1.3.6.1.2.1.1.1.0",
    "sys_object_id": "1.3.6.1.2.1.1.2.0",
    "sys_uptime": "1.3.6.1.2.1.1.3.0",
    "sys_name": "1.3.6.1.2.1.1.5.0",
    "sys_location": "1.3.6.1.2.1.1.6.0",
}
PRT_GENERAL_SERIAL = "1.3.6.1.2.1.43.5.1.1.17.1"
PRT_GENERAL_PRINTER_NAME = "1.3.6.1.2.1.43.5.1.1.16.1"
PRT_MARKER_LIFE_COUNT = "1.3.6.1.2.1.43.10.2.1.4.1.1"
HR_DEVICE_PRINTER = "1.3.6.1.2.1.25.3.1.5"

# Columns walked together (one GETBULK carries every column of a group, like snmptable); groups run
# concurrently. Only the needed columns are walked, never whole tables or MIB branches.
WALK_GROUPS: dict[str, dict[str, str]] = {
    "ifTable": {
        "ifDescr": "1.3.6.1.2.1.2.2.1.2",
        "ifType": "1.3.6.1.2.1.2.2.1.3",
        "ifPhysAddress": "1.3.6.1.2.1.2.2.1.6",
    },
    "ifXTable": {"ifName": "1.3.6.1.2.1.31.1.1.1.1"},
    "hrDeviceTable": {
        "hrDeviceType": "1.3.6.1.2.1.25.3.2.1.2",
        "hrDeviceDescr": "1.3.6.1.2.1.25.3.2.1.3",
    },
    "entPhysicalTable": {"entPhysicalSerialNum": "1.3.6.1.2.1.47.1.1.1.1.11"},
    "prtMarkerSuppliesTable": {
        "prtMarkerSuppliesColorantIndex": "1.3.6.1.2.1.43.11.1.1.3",
        "prtMarkerSuppliesType": "1.3.6.1.2.1.43.11.1.1.5",
        "prtMarkerSuppliesDescription": "1.3.6.1.2.1.43.11.1.1.6",
        "prtMarkerSuppliesSupplyUnit": "1.3.6.1.2.1.43.11.1.1.7",
        "prtMarkerSuppliesMaxCapacity": "1.3.6.1.2.1.43.11.1.1.8",
        "prtMarkerSuppliesLevel": "1.3.6.1.2.1.43.11.1.1.9",
    },
    "prtMarkerColorantTable": {"prtMarkerColorantValue": "1.3.6.1.2.1.43.12.1.1.4"},
}
WALKS: dict[str, str] = {name: oid for group in WALK_GROUPS.values() for name, oid in group.items()}


@dataclass
class Supply:
    index: int | None  # row of prtMarkerSuppliesTable (None for a vendor-only supply)
    description: str
    kind: str  # toner|drum|developer|waste|fuser|transfer|ink|staples|other
    color: str | None  # black|cyan|magenta|yellow|other|None
    level: int | None
    max: int | None
    percent: int | None  # 0-100, None when unknown / special level
    state: str  # ok|unknown|some_remaining|other
    type_code: int | None = None  # prtMarkerSuppliesType (not in the JSON contract)
    unit: int | None = None  # prtMarkerSuppliesSupplyUnit (not in the JSON contract)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "description": self.description,
            "kind": self.kind,
            "color": self.color,
            "level": self.level,
            "max": self.max,
            "percent": self.percent,
            "state": self.state,
        }


@dataclass
class PollResult:
    host: str
    sys_descr: str | None = None
    sys_object_id: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    mac: str | None = None
    is_color: bool = False
    counters: dict[str, Any] = field(default_factory=dict)
    supplies: list[Supply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # extras (not in the JSON contract)
    port: int = 161
    sys_name: str | None = None
    sys_location: str | None = None
    sys_uptime: int | None = None  # hundredths of a second
    mac_candidates: list[dict[str, Any]] = field(default_factory=list)  # ifIndex, ifDescr, ifName, ifType, mac

    def to_json_dict(self) -> dict[str, Any]:
        counters = {key: self.counters.get(key) for key in ("total", "bw_a4", "bw_a3", "color_a4", "color_a3")}
        counters["raw"] = dict(self.counters.get("raw") or {})
        return {
            "host": self.host,
            "sys_descr": self.sys_descr,
            "sys_object_id": self.sys_object_id,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "serial": self.serial,
            "mac": self.mac,
            "is_color": self.is_color,
            "counters": counters,
            "supplies": [s.to_json_dict() for s in self.supplies],
            "errors": list(self.errors),
        }


def _as_bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, NO_VALUE):
        return None
    if hasattr(value, "asOctets"):
        try:
            return value.asOctets()
        except Exception:
            return None
    return str(value).encode()


def _as_int(value: Any) -> int | None:
    if value is None or isinstance(value, NO_VALUE):
        return None
    if isinstance(value, univ.OctetString):  # some agents send numbers as strings
        text = decode_text(value.asOctets())
        return int(text) if text.lstrip("-").isdigit() else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_text(value: Any, *, collapse_spaces: bool = True) -> str | None:
    raw = _as_bytes(value)
    return decode_text(raw, collapse_spaces=collapse_spaces) if raw is not None else None


def _as_oid(value: Any) -> str | None:
    if value is None or isinstance(value, NO_VALUE):
        return None
    try:
        return oid_str(tuple(value))
    except (TypeError, ValueError):
        return str(value)


def result_from_system(host: str, port: int, system: dict[str, Any]) -> PollResult:
    """A result holding the system group, the first thing read from every agent."""
    result = PollResult(host=host, port=port)
    result.sys_descr = _as_text(system.get(SYS_OIDS["sys_descr"]), collapse_spaces=False)
    result.sys_object_id = _as_oid(system.get(SYS_OIDS["sys_object_id"]))
    result.sys_name = _as_text(system.get(SYS_OIDS["sys_name"]))
    result.sys_location = _as_text(system.get(SYS_OIDS["sys_location"]))
    result.sys_uptime = _as_int(system.get(SYS_OIDS["sys_uptime"]))
    return result


def identify_vendor(result: PollResult) -> tuple[str | None, vendors.VendorOids]:
    """The manufacturer told by sysObjectID (else sysDescr) and its vendor OIDs (empty when unknown)."""
    manufacturer = vendors.manufacturer_from_sys_object_id(result.sys_object_id)
    manufacturer = manufacturer or vendors.manufacturer_from_text(result.sys_descr)
    return manufacturer, vendors.VENDORS.get(manufacturer or "", vendors.VendorOids())


def reads_for(manufacturer: str | None, vendor: vendors.VendorOids) -> tuple[list[str], dict[str, dict[str, str]]]:
    """What to read after the system group: (scalar OIDs for one GET, column groups to walk)."""
    scalar_oids = [PRT_GENERAL_SERIAL, PRT_GENERAL_PRINTER_NAME, PRT_MARKER_LIFE_COUNT, *vendors.DEVICE_ID_OIDS]
    scalar_oids += [*vendor.model, *vendor.serial, *vendor.counters.values()]
    groups = dict(WALK_GROUPS)
    if manufacturer == "Ricoh":
        groups["ricohEngCounterTable"] = {
            "ricohEngCounterType": vendors.RICOH_COUNTER_TYPE_OID,
            "ricohEngCounterValue": vendors.RICOH_COUNTER_VALUE_OID,
        }
    return list(dict.fromkeys(scalar_oids)), groups


def _column(rows: Rows) -> dict[tuple[int, ...], Any]:
    out: dict[tuple[int, ...], Any] = {}
    for index, value in rows:
        out.setdefault(index, value)  # first wins on duplicate rows
    return out


def assemble(
    result: PollResult,
    manufacturer: str | None,
    vendor: vendors.VendorOids,
    scalars: dict[str, Any],
    tables: dict[str, Rows],
) -> None:
    """Fill ``result`` (identity, MAC, counters, supplies) from the scalars and walked columns; gaps go to errors."""
    errors = result.errors
    col = {name: _column(rows) for name, rows in tables.items()}

    # Interfaces and MAC (docs/inventory-and-polling.md §4.2)
    if_indexes = sorted(set(col["ifDescr"]) | set(col["ifPhysAddress"]) | set(col["ifName"]))
    for idx in if_indexes:
        raw_mac = _as_bytes(col["ifPhysAddress"].get(idx))
        result.mac_candidates.append(
            {
                "ifIndex": idx[0] if len(idx) == 1 else oid_str(idx),
                "ifDescr": _as_text(col["ifDescr"].get(idx)),
                "ifName": _as_text(col["ifName"].get(idx)),
                "ifType": _as_int(col["ifType"].get(idx)),
                "mac": normalize_mac(raw_mac) if raw_mac else None,
            }
        )
    result.mac = pick_mac(result.mac_candidates)
    if not result.mac:
        errors.append("mac: no interface with a valid MAC address" + ("" if if_indexes else " (no ifTable)"))

    # Identity
    device_ids = [parse_device_id(_as_text(scalars.get(oid))) for oid in vendors.DEVICE_ID_OIDS]
    hr_types = {idx: _as_oid(v) for idx, v in col["hrDeviceType"].items()}
    hr_descrs = {idx: _as_text(v) for idx, v in col["hrDeviceDescr"].items()}
    printer_descrs = [d for idx, d in sorted(hr_descrs.items()) if d and hr_types.get(idx) == HR_DEVICE_PRINTER]
    sysdescr_fields: dict[str, str] = {}
    for pattern in vendor.sysdescr:
        m = pattern.search(result.sys_descr or "")
        if m:
            for key, value in m.groupdict().items():
                if value and value.strip():
                    sysdescr_fields.setdefault(key, value.strip())

    result.manufacturer = manufacturer or vendors.manufacturer_from_text(
        *(d.get("MFG") or d.get("MANUFACTURER") for d in device_ids), *hr_descrs.values()
    )

    model_candidates = [
        *printer_descrs,
        *(_as_text(scalars.get(oid)) for oid in vendor.model),
        *(d.get("MDL") or d.get("MODEL") for d in device_ids),
        _as_text(scalars.get(PRT_GENERAL_PRINTER_NAME)),
        sysdescr_fields.get("model"),
        *(d for _, d in sorted(hr_descrs.items()) if d),
    ]
    result.model = next((m for m in map(clean_model, model_candidates) if m), None)
    if not result.model:
        errors.append("model: not reported (no hrDevicePrinter description, vendor model OID or device ID)")

    serial_candidates = [
        _as_text(scalars.get(PRT_GENERAL_SERIAL)),
        *(_as_text(v) for _, v in sorted(col["entPhysicalSerialNum"].items())),
        *(_as_text(scalars.get(oid)) for oid in vendor.serial),
        sysdescr_fields.get("serial"),
    ]
    result.serial = next((s for s in map(clean_serial, serial_candidates) if s), None)
    if not result.serial:
        errors.append("serial: not reported (no prtGeneralSerialNumber, entPhysicalSerialNum or vendor serial)")

    # Page counters
    raw: dict[str, int] = {}
    life = _as_int(scalars.get(PRT_MARKER_LIFE_COUNT))
    if life is not None and life >= 0:
        raw["TOTAL"] = life
    for name, oid in vendor.counters.items():
        if oid not in scalars:
            continue
        value = _as_int(scalars[oid])
        if value is None or value < 0:
            errors.append(f"counter {name}: unreadable value {scalars[oid].prettyPrint()!r} at {oid}")
            continue
        raw.setdefault(name, value)
    if "ricohEngCounterType" in col:
        values = col.get("ricohEngCounterValue", {})
        for idx, type_value in sorted(col["ricohEngCounterType"].items()):
            name = vendors.RICOH_COUNTER_TYPES.get(_as_int(type_value) or -1)
            count = _as_int(values.get(idx))
            if not name or count is None or count < 0:
                continue
            if _as_int(type_value) in vendors.RICOH_SUMMED_TYPES and name in raw and name != "TOTAL":
                raw[name] += count
            else:
                raw.setdefault(name, count)
    if "COLOR" not in raw and ("PRINT_COLOR" in raw or "COPY_COLOR" in raw):
        raw["COLOR"] = raw.get("PRINT_COLOR", 0) + raw.get("COPY_COLOR", 0)
    if "TOTAL" not in raw:
        errors.append("total pages: prtMarkerLifeCount not available and no vendor total counter")

    # Supplies
    result.supplies = supplies_from_columns(col, errors)
    result.is_color = is_color_device((s.color for s in result.supplies), raw)
    if not result.is_color:  # a mono device's colourless marking supplies are black (as GLPI/FusionInventory)
        for supply in result.supplies:
            if supply.color is None and supply.kind in ("toner", "ink", "drum", "developer"):
                supply.color = "black"

    mapped = map_counters(raw, result.is_color) if has_counters(raw) else {}
    result.counters = {
        "total": raw.get("TOTAL"),
        "bw_a4": mapped.get("bw_a4"),
        "bw_a3": mapped.get("bw_a3"),
        "color_a4": mapped.get("color_a4"),
        "color_a3": mapped.get("color_a3"),
        "raw": raw,
    }


def supplies_from_columns(col: dict[str, dict[tuple[int, ...], Any]], errors: list[str]) -> list[Supply]:
    """One ``Supply`` per prtMarkerSuppliesTable row, its colour taken from prtMarkerColorantTable."""
    names = (
        "prtMarkerSuppliesDescription",
        "prtMarkerSuppliesType",
        "prtMarkerSuppliesLevel",
        "prtMarkerSuppliesMaxCapacity",
    )
    rows = sorted(set().union(*(col[n] for n in names)))
    colorants = {idx: _as_text(v) for idx, v in col["prtMarkerColorantValue"].items()}
    supplies = []
    for row in rows:
        description = _as_text(col["prtMarkerSuppliesDescription"].get(row)) or ""
        type_code = _as_int(col["prtMarkerSuppliesType"].get(row))
        level = _as_int(col["prtMarkerSuppliesLevel"].get(row))
        max_capacity = _as_int(col["prtMarkerSuppliesMaxCapacity"].get(row))
        unit = _as_int(col["prtMarkerSuppliesSupplyUnit"].get(row))
        colorant_index = _as_int(col["prtMarkerSuppliesColorantIndex"].get(row))
        colorant = None
        if colorant_index and len(row) == 2:  # rows are (hrDeviceIndex, prtMarkerSuppliesIndex)
            colorant = colorants.get((row[0], colorant_index))
        if row in col["prtMarkerSuppliesLevel"] and level is None:
            errors.append(f"supply {oid_str(row)}: unreadable level")
        percent, state = supply_percent(level, max_capacity, unit)
        supplies.append(
            Supply(
                index=row[-1],
                description=description,
                kind=supply_kind(type_code, description),
                color=supply_color(colorant, description),
                level=level,
                max=max_capacity,
                percent=percent,
                state=state,
                type_code=type_code,
                unit=unit,
            )
        )
    if not supplies:
        errors.append("supplies: prtMarkerSuppliesTable is empty or missing")
    return supplies
