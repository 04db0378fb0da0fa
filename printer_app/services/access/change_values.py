"""Change-log entries as people read them: field labels in their language, names instead of ids, dotted IPs, choice
labels instead of codes, yes/no, and where each changed object is shown (no link to an object that is gone)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, SQLModel, select

from printer_app import i18n
from printer_app.config import get_settings
from printer_app.i18n import LANGUAGES, N_, gettext
from printer_app.models import (
    AllowedUser,
    Cartridge,
    City,
    ContractDevice,
    ContractImportSession,
    ContractStatus,
    DeviceModel,
    DeviceModelCartridge,
    Manufacturer,
    MonthControl,
    Organization,
    Printer,
    PrinterModelSpec,
    SerialEditOverride,
    ServiceProvider,
    User,
    WebParsingRule,
    WebParsingTemplate,
)
from printer_app.models.choices import (
    CartridgeColor,
    ChangeAction,
    Choice,
    ConnectionType,
    DeviceType,
    IssueTracker,
    MatchRule,
    PollingMethod,
    WebField,
    WebProtocol,
)
from printer_app.models.supplies import SupplyAlertRule

# Labels by column name: the stored label is derived from the column ("Ip address") and in English.
FIELD_LABELS = {
    "ip_address": N_("IP address"),
    "ip_numeric": N_("IP address"),
    "serial_number": N_("Serial number"),
    "mac_address": N_("MAC address"),
    "model": N_("Model (text)"),
    "device_model_id": N_("Model"),
    "organization_id": N_("Organization"),
    "location": N_("Location"),
    "printer_id": N_("Printer"),
    "replaced_by_id": N_("Replaced by"),
    "snmp_community": N_("SNMP community"),
    "snmp_version": N_("SNMP version"),
    "snmp_port": N_("SNMP port"),
    "polling_method": N_("Polling method"),
    "connection_type": N_("Connection"),
    "last_match_rule": N_("Match rule"),
    "is_active": N_("Active"),
    "active": N_("Active"),
    "name": N_("Name"),
    "code": N_("Code"),
    "language": N_("Language"),
    "field_name": N_("Field"),
    "protocol": N_("Protocol"),
    "counter_baseline": N_("Counter baseline"),
    # contracts
    "city_id": N_("City"),
    "address": N_("Address"),
    "room_number": N_("Room"),
    "status_id": N_("Status"),
    "service_provider_id": N_("Service provider"),
    "service_start_month": N_("Service month"),
    "comment": N_("Comment"),
    "manufacturer_id": N_("Manufacturer"),
    "device_type": N_("Device type"),
    "has_network_port": N_("Network port"),
    "cartridge_id": N_("Cartridge"),
    "part_number": N_("Part number"),
    "color": N_("Colour"),
    "capacity": N_("Capacity"),
    "is_primary": N_("Primary"),
    "issue_tracker": N_("Issue tracker"),
    "support_email": N_("Support e-mail"),
    # monthly report rows (services/reports/row_edit.py)
    "normative_availability": N_("A (normative availability)"),
    "actual_downtime": N_("D (actual downtime)"),
    "non_overdue_requests": N_("L (requests on time)"),
    "total_requests": N_("W (all requests)"),
    "k1": N_("K1"),
    "k2": N_("K2"),
}
CHOICES: dict[str, type[Choice]] = {
    "polling_method": PollingMethod,
    "connection_type": ConnectionType,
    "last_match_rule": MatchRule,
    "match_rule": MatchRule,
    "field_name": WebField,
    "protocol": WebProtocol,
    "device_type": DeviceType,
    "issue_tracker": IssueTracker,
    "color": CartridgeColor,  # a cartridge's; a status's HEX colour is no choice and shows as it is
}
_TIMES = ("counter_baseline",)
_MODELS: dict[str, type[SQLModel]] = {
    "printer": Printer,
    "organization": Organization,
    "user": User,
    "alloweduser": AllowedUser,
    "webparsingrule": WebParsingRule,
    "webparsingtemplate": WebParsingTemplate,
    "city": City,
    "manufacturer": Manufacturer,
    "cartridge": Cartridge,
    "contractstatus": ContractStatus,
    "serviceprovider": ServiceProvider,
    "supplyalertrule": SupplyAlertRule,
}
_BY_ID: dict[str, type[SQLModel]] = {
    "devicemodelcartridge": DeviceModelCartridge,
    "contractimportsession": ContractImportSession,
    "serialeditoverride": SerialEditOverride,
    "printermodelspec": PrinterModelSpec,
    "monthcontrol": MonthControl,
}
REFERENCE_TABLES = ("city", "manufacturer", "devicemodel", "cartridge", "contractstatus", "serviceprovider")
# Ids a stored value refers to, by field: shown as the name of what they point to.
_REFERENCES = {"organization_id": "organization", "device_model_id": "devicemodel", "printer_id": "printer"}
_REFERENCES |= {"replaced_by_id": "printer", "city_id": "city", "manufacturer_id": "manufacturer"}
_REFERENCES |= {"status_id": "contractstatus", "service_provider_id": "serviceprovider", "cartridge_id": "cartridge"}
ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Updated"),
    "delete": N_("Deleted"),
    **{a.value: a.label for a in ChangeAction},
}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


def format_value(value: Any) -> str:
    """A stored old/new value as text: lists joined, booleans as yes/no, nothing as an em dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def dotted_ip(value: Any) -> str:
    """The numeric IP column as an address (167838211 -> 10.1.2.3); anything else as text."""
    try:
        return str(ipaddress.ip_address(int(value)))
    except (TypeError, ValueError):
        return format_value(value)


class Names:
    """The names of the objects one page of entries refers to, read in a few queries, and which objects still exist."""

    def __init__(self, session: Session, changes: Iterable[dict[str, Any]], objects: Iterable[tuple[str, int]]):
        wanted: dict[str, set[int]] = {}
        for values in changes:
            for name, kind in _REFERENCES.items():
                if isinstance(values.get(name), int):
                    wanted.setdefault(kind, set()).add(values[name])
        for kind, object_id in objects:
            wanted.setdefault(kind, set()).add(object_id)
        self.names: dict[str, dict[int, str]] = {}
        self.rule_printers: dict[int, int] = {}
        for kind, ids in wanted.items():
            self.names[kind] = self._read(session, kind, ids)

    def _read(self, session: Session, kind: str, ids: set[int]) -> dict[int, str]:
        if kind == "devicemodel":
            rows = session.exec(
                select(DeviceModel.id, Manufacturer.name, DeviceModel.name)
                .join(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
                .where(DeviceModel.id.in_(ids))
            ).all()
            return {i: f"{maker} {name}".strip() for i, maker, name in rows}
        if kind == "printer":
            return {i: ip for i, ip in session.exec(select(Printer.id, Printer.ip_address).where(Printer.id.in_(ids)))}
        if kind == "webparsingrule":
            rows = session.exec(
                select(WebParsingRule.id, WebParsingRule.printer_id).where(WebParsingRule.id.in_(ids))
            ).all()
            self.rule_printers = dict(rows)
            return {i: str(i) for i, _ in rows}
        if kind in _BY_ID:  # no name of their own: shown by id
            model = _BY_ID[kind]
            return {i: f"#{i}" for i in session.exec(select(model.id).where(model.id.in_(ids)))}
        if kind == "contractdevice":
            rows = session.exec(
                select(ContractDevice.id, ContractDevice.serial_number).where(ContractDevice.id.in_(ids))
            )
            return {i: serial or f"#{i}" for i, serial in rows}
        model = _MODELS.get(kind)
        if model is None:
            return {}
        label = getattr(model, "username", None) or getattr(model, "name", None)
        return {i: name for i, name in session.exec(select(model.id, label).where(model.id.in_(ids)))}

    def exists(self, kind: str, object_id: int) -> bool:
        return object_id in self.names.get(kind, {})

    def printer(self, object_id: int) -> str:
        """'#12 (10.0.0.5)', or '#12 (deleted)'."""
        ip = self.names.get("printer", {}).get(object_id)
        return f"#{object_id} ({ip or gettext('deleted')})"

    def value(self, name: str, value: Any) -> str:
        """One stored value as text, by what its field holds."""
        if value is None or value == "":
            return "—"
        if name == "ip_numeric":
            return dotted_ip(value)
        if name in _REFERENCES and isinstance(value, int):
            kind = _REFERENCES[name]
            if kind == "printer":
                return self.printer(value)
            found = self.names.get(kind, {}).get(value)
            return found or gettext("#{id} (deleted)", id=value)
        if name in CHOICES:
            try:
                return CHOICES[name](value).text
            except ValueError:
                return format_value(value)
        if name == "language" and value in LANGUAGES:
            return LANGUAGES[value]
        if name in _TIMES and isinstance(value, str):
            try:
                return i18n.format_datetime(datetime.fromisoformat(value), get_settings().tz)
            except ValueError:
                return value
        return format_value(value)

    def changes(
        self, old: dict[str, Any], new: dict[str, Any], stored_labels: dict[str, str], *, skip_empty: bool = False
    ) -> list[FieldChange]:
        """Each field's change; the numeric IP is left out beside the address it repeats, and with `skip_empty` (a
        creation or deletion lists one side) the fields that were left empty."""
        names = [
            n
            for n in dict.fromkeys([*old, *new])
            if not (n == "ip_numeric" and ("ip_address" in old or "ip_address" in new))
            and not (skip_empty and _empty(old.get(n)) and _empty(new.get(n)))
        ]
        return [
            FieldChange(
                label=gettext(FIELD_LABELS.get(name) or stored_labels.get(name) or name.replace("_", " ").capitalize()),
                old=self.value(name, old.get(name)),
                new=self.value(name, new.get(name)),
            )
            for name in names
        ]

    def link(self, object_type: str, object_id: int) -> str:
        """Where the object is shown in the app; "" when it has no page or no longer exists."""
        if not self.exists(object_type, object_id):
            return ""
        if object_type == "printer":
            return f"/printers/{object_id}"
        if object_type == "organization":
            return "/organizations"
        if object_type in ("user", "alloweduser"):
            return "/users"
        if object_type == "webparsingrule" and object_id in self.rule_printers:
            return f"/printers/{self.rule_printers[object_id]}/web"
        if object_type == "contractdevice":
            serial = self.names["contractdevice"][object_id]
            return f"/contracts?q={quote(serial)}" if not serial.startswith("#") else "/contracts"
        if object_type == "supplyalertrule":
            return "/supplies/alerts?tab=rules"
        if object_type in REFERENCE_TABLES:
            return f"/contracts/reference?tab={object_type}"
        return ""
