"""Create, update and delete printers with the validation the form and imports share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.models import ContractDevice, DeviceModel, Organization, Printer
from printer_app.models.base import utcnow
from printer_app.models.choices import ConnectionType, PollingMethod
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import check_community, ip_to_int, normalize_mac, parse_ipv4


@dataclass
class PrinterInput:
    """What a user may set on a printer; everything else is learned by polling."""

    ip_address: str
    serial_number: str = ""
    mac_address: str = ""
    organization_id: int | None = None
    device_model_id: int | None = None
    model: str = ""
    snmp_community: str = "public"
    polling_method: str = PollingMethod.SNMP
    is_active: bool = True
    snmp_version: str = "2c"
    snmp_port: int = 161
    snmp_v3_user: str = ""
    snmp_v3_auth_protocol: str = ""
    snmp_v3_auth_key: str | None = None  # None (or "") on update: keep the stored secret
    snmp_v3_priv_protocol: str = ""
    snmp_v3_priv_key: str | None = None
    snmp_v3_context: str = ""


V3_AUTH_PROTOCOLS = ("MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512")
V3_PRIV_PROTOCOLS = ("DES", "3DES", "AES", "AES192", "AES256")


def _validate_snmp(data: PrinterInput, errors: dict[str, str], values: dict, stored: Printer | None) -> None:
    """SNMP version, port and v3 credentials; secrets are only replaced when a new value is given."""
    if data.snmp_version not in ("1", "2c", "3"):
        errors["snmp_version"] = "SNMP version must be 1, 2c or 3"
    values["snmp_version"] = data.snmp_version
    try:
        port = int(data.snmp_port)
        if not 1 <= port <= 65535:
            raise ValueError
        values["snmp_port"] = port
    except (TypeError, ValueError):
        errors["snmp_port"] = "Port must be a number between 1 and 65535"
    if data.snmp_version != "3":
        return
    user = (data.snmp_v3_user or "").strip()
    if not user or len(user) > 64:
        errors["snmp_v3_user"] = "SNMPv3 needs a user name (at most 64 characters)"
    values["snmp_v3_user"] = user
    auth, priv = data.snmp_v3_auth_protocol or "", data.snmp_v3_priv_protocol or ""
    if auth and auth not in V3_AUTH_PROTOCOLS:
        errors["snmp_v3_auth_protocol"] = f"Authentication protocol must be one of {', '.join(V3_AUTH_PROTOCOLS)}"
    if priv and priv not in V3_PRIV_PROTOCOLS:
        errors["snmp_v3_priv_protocol"] = f"Privacy protocol must be one of {', '.join(V3_PRIV_PROTOCOLS)}"
    if priv and not auth:
        errors["snmp_v3_priv_protocol"] = "Privacy (encryption) needs an authentication protocol too"
    values["snmp_v3_auth_protocol"], values["snmp_v3_priv_protocol"] = auth or None, priv or None
    for name, protocol in (("snmp_v3_auth_key", auth), ("snmp_v3_priv_key", priv)):
        secret = getattr(data, name)
        if secret:
            if not 8 <= len(secret) <= 128:
                errors[name] = "SNMPv3 keys are 8 to 128 characters"
            values[name] = secret
        elif protocol and not (stored is not None and getattr(stored, name)):
            errors[name] = "Enter the key for the chosen protocol"
        elif not protocol:
            values[name] = None
    values["snmp_v3_context"] = (data.snmp_v3_context or "").strip()[:64] or None


def _validate(session: Session, data: PrinterInput, *, printer_id: int | None) -> dict:
    """Check every field, collect all messages at once, and return the normalised column values."""
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["ip_address"] = str(parse_ipv4(data.ip_address))
        values["ip_numeric"] = ip_to_int(values["ip_address"])
    except ValueError as exc:
        errors["ip_address"] = str(exc)

    serial = (data.serial_number or "").strip()
    if len(serial) > 100:
        errors["serial_number"] = "Serial number is longer than 100 characters"
    values["serial_number"] = serial

    mac_text = (data.mac_address or "").strip()
    values["mac_address"] = normalize_mac(mac_text)
    if mac_text and values["mac_address"] is None:
        errors["mac_address"] = f"'{mac_text}' is not a MAC address (12 hex digits, e.g. AA:BB:CC:DD:EE:FF)"

    try:
        values["snmp_community"] = check_community(data.snmp_community)
    except ValueError as exc:
        errors["snmp_community"] = str(exc)

    if data.polling_method not in PollingMethod.__members__.values():
        errors["polling_method"] = f"Unknown polling method '{data.polling_method}'"
    values["polling_method"] = data.polling_method

    if data.organization_id is not None:
        org = session.get(Organization, data.organization_id)
        if org is None:
            errors["organization_id"] = "This organization no longer exists"
        elif not org.active:
            errors["organization_id"] = f"Organization '{org.name}' is inactive; activate it or choose another"
    values["organization_id"] = data.organization_id

    if data.device_model_id is not None and session.get(DeviceModel, data.device_model_id) is None:
        errors["device_model_id"] = "This device model no longer exists"
    values["device_model_id"] = data.device_model_id
    values["model"] = (data.model or "").strip()[:200]
    values["is_active"] = data.is_active
    _validate_snmp(data, errors, values, session.get(Printer, printer_id) if printer_id else None)

    if data.is_active and "ip_address" not in errors:
        clash = session.exec(
            select(Printer).where(
                Printer.ip_address == values["ip_address"],
                Printer.is_active,
                Printer.connection_type == ConnectionType.NETWORK,
                Printer.id != printer_id if printer_id else True,
            )
        ).first()
        if clash:
            errors["ip_address"] = f"IP {values['ip_address']} is already used by active printer #{clash.id}" + (
                f" (serial {clash.serial_number})" if clash.serial_number else ""
            )
    if data.is_active and values.get("mac_address") and "mac_address" not in errors:
        clash = session.exec(
            select(Printer).where(
                Printer.mac_address == values["mac_address"],
                Printer.is_active,
                Printer.id != printer_id if printer_id else True,
            )
        ).first()
        if clash:
            errors["mac_address"] = (
                f"MAC {values['mac_address']} belongs to active printer #{clash.id} ({clash.ip_address})"
            )
    if errors:
        raise DomainValidationError(errors)
    return values


def _flush_or_explain(session: Session) -> None:
    """Flush, turning a unique-index race into the same clear message the checks give."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise DomainValidationError(
            {"form": "Another active printer already uses this IP or MAC address (saved concurrently)"}
        ) from exc


def create_printer(session: Session, *, data: PrinterInput, actor: Actor | None = None) -> Printer:
    """Add a printer and link contract devices that carry its serial (DOMAIN 9); written to the change log."""
    values = _validate(session, data, printer_id=None)
    printer = Printer(**values)
    session.add(printer)
    _flush_or_explain(session)
    if printer.serial_number:
        link_contract_devices(session, printer=printer)
    audit(session, printer, "create", actor)
    return printer


def update_printer(session: Session, *, printer_id: int, data: PrinterInput, actor: Actor | None = None) -> Printer:
    """Change a printer's user-editable fields; a rejected change leaves the row untouched."""
    printer = get_printer(session, printer_id=printer_id)
    values = _validate(session, data, printer_id=printer_id)
    before = snapshot(printer)
    for key, value in values.items():
        setattr(printer, key, value)
    printer.last_updated = utcnow()
    session.add(printer)
    _flush_or_explain(session)
    if changes := diff(before, snapshot(printer)):
        audit(session, printer, "update", actor, changes)
    return printer


def delete_printer(session: Session, *, printer_id: int, actor: Actor | None = None) -> None:
    """Delete a printer with its poll history; contract devices keep their row, unlinked."""
    printer = get_printer(session, printer_id=printer_id)
    audit(session, printer, "delete", actor)
    session.delete(printer)
    session.flush()


def get_printer(session: Session, *, printer_id: int) -> Printer:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise NotFoundError(f"Printer #{printer_id} does not exist")
    return printer


def link_contract_devices(session: Session, *, printer: Printer) -> bool:
    """Link the first unlinked contract device with this printer's serial (case-insensitive, trimmed).

    A device links to one printer and a printer to one device, so at most one link is made.
    """
    if session.exec(select(ContractDevice.id).where(ContractDevice.printer_id == printer.id)).first():
        return False
    device = session.exec(
        select(ContractDevice)
        .where(
            func.lower(func.trim(ContractDevice.serial_number)) == printer.serial_number.strip().lower(),
            ContractDevice.printer_id.is_(None),
        )
        .order_by(ContractDevice.id)
    ).first()
    if device is None:
        return False
    device.printer_id = printer.id
    session.add(device)
    return True
