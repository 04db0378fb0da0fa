"""Create, update and delete printers with the validation the form and imports share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.i18n import N_, gettext
from printer_app.models import DeviceModel, Organization, Printer, User, WebParsingRule
from printer_app.models.choices import ConnectionType, PollingMethod
from printer_app.services.access.roles import PERMISSIONS, user_permissions
from printer_app.services.audit import Actor, audit
from printer_app.services.concurrency import save_changes
from printer_app.services.contracts.devices import link_new_printer
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.device_models import model_choices
from printer_app.services.inventory.organizations import active_organizations
from printer_app.services.validators import check_community, ip_to_int, parse_device_ip, parse_id, parse_mac, too_long

MANAGE_WEB = "inventory.manage_web_parsing"
LOCATION_MAX = 255


@dataclass
class PrinterInput:
    """What a user may set on a printer; everything else is learned by polling."""

    ip_address: str
    serial_number: str = ""
    mac_address: str = ""
    organization_id: int | str | None = None  # a form may send text: checked, never trusted
    device_model_id: int | str | None = None
    model: str | None = None  # None: keep the stored text (the poller learns it; the edit form never sends it)
    location: str | None = None  # room, floor, office; None: keep the stored one (an import that has none)
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
        errors["snmp_version"] = gettext("SNMP version must be 1, 2c or 3")
    values["snmp_version"] = data.snmp_version
    try:
        port = int(data.snmp_port)
        if not 1 <= port <= 65535:
            raise ValueError
        values["snmp_port"] = port
    except (TypeError, ValueError):
        errors["snmp_port"] = gettext("Port must be a number between 1 and 65535")
    if data.snmp_version != "3":
        return
    user = (data.snmp_v3_user or "").strip()
    if not user or len(user) > 64:
        errors["snmp_v3_user"] = gettext("SNMPv3 needs a user name (at most 64 characters)")
    values["snmp_v3_user"] = user
    auth, priv = data.snmp_v3_auth_protocol or "", data.snmp_v3_priv_protocol or ""
    if auth and auth not in V3_AUTH_PROTOCOLS:
        errors["snmp_v3_auth_protocol"] = gettext(
            "Authentication protocol must be one of {protocols}", protocols=", ".join(V3_AUTH_PROTOCOLS)
        )
    if priv and priv not in V3_PRIV_PROTOCOLS:
        errors["snmp_v3_priv_protocol"] = gettext(
            "Privacy protocol must be one of {protocols}", protocols=", ".join(V3_PRIV_PROTOCOLS)
        )
    if priv and not auth:
        errors["snmp_v3_priv_protocol"] = gettext("Privacy (encryption) needs an authentication protocol too")
    values["snmp_v3_auth_protocol"], values["snmp_v3_priv_protocol"] = auth or None, priv or None
    for name, protocol in (("snmp_v3_auth_key", auth), ("snmp_v3_priv_key", priv)):
        secret = getattr(data, name)
        if secret:
            if not 8 <= len(secret) <= 128:
                errors[name] = gettext("SNMPv3 keys are 8 to 128 characters")
            values[name] = secret
        elif protocol and not (stored is not None and getattr(stored, name)):
            errors[name] = gettext("Enter the key for the chosen protocol")
        elif not protocol:
            values[name] = None
    context = (data.snmp_v3_context or "").strip()
    if problem := too_long("Context name", context, 64):
        errors["snmp_v3_context"] = problem
    values["snmp_v3_context"] = context or None


def _validate(session: Session, data: PrinterInput, *, stored: Printer | None, actor: Actor | None) -> dict:
    """Check every field, collect all messages at once, and return the normalised column values."""
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["ip_address"] = str(parse_device_ip(data.ip_address))
        values["ip_numeric"] = ip_to_int(values["ip_address"])
    except ValueError as exc:
        errors["ip_address"] = str(exc)

    values["serial_number"] = (data.serial_number or "").strip()
    if problem := too_long("Serial number", values["serial_number"], 100):
        errors["serial_number"] = problem
    try:
        values["mac_address"] = parse_mac(data.mac_address)
    except ValueError as exc:
        errors["mac_address"] = str(exc)
    try:
        values["snmp_community"] = check_community(data.snmp_community)
    except ValueError as exc:
        errors["snmp_community"] = str(exc)
    _validate_method(session, data.polling_method, errors, values, stored=stored, actor=actor)
    _validate_links(session, data, errors, values, stored=stored)
    if data.model is not None:
        values["model"] = data.model.strip()
        if problem := too_long("Model", values["model"], 200):
            errors["model"] = problem
    if data.location is not None:
        values["location"] = data.location.strip()
        if problem := too_long("Location", values["location"], LOCATION_MAX):
            errors["location"] = problem
    values["is_active"] = data.is_active
    _validate_snmp(data, errors, values, stored)
    if data.is_active:
        _check_unique(session, errors, values, printer_id=stored.id if stored else None)
    if errors:
        raise DomainValidationError(errors)
    return values


def connection_values(data: PrinterInput, *, stored: Printer | None = None) -> dict:
    """The fields a device is reached with (address, SNMP settings, polling method), validated like a save; raises
    DomainValidationError with every problem. Nothing is stored: "Test connection" reads the device with these."""
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["ip_address"] = str(parse_device_ip(data.ip_address))
    except ValueError as exc:
        errors["ip_address"] = str(exc)
    try:
        values["snmp_community"] = check_community(data.snmp_community)
    except ValueError as exc:
        errors["snmp_community"] = str(exc)
    if data.polling_method not in {m.value for m in PollingMethod}:
        errors["polling_method"] = gettext("Unknown polling method")
    values["polling_method"] = data.polling_method
    _validate_snmp(data, errors, values, stored)
    if stored is not None:  # a secret left empty keeps the stored one
        for name in ("snmp_v3_auth_key", "snmp_v3_priv_key"):
            values.setdefault(name, getattr(stored, name))
    if errors:
        raise DomainValidationError(errors)
    return values


def _validate_method(
    session: Session, method: str, errors: dict, values: dict, *, stored: Printer | None, actor: Actor | None
) -> None:
    """A known method; changing it needs manage_web_parsing; HYBRID needs web rules or every poll fails."""
    values["polling_method"] = method
    if method not in PollingMethod.__members__.values():
        errors["polling_method"] = gettext("Unknown polling method “{method}”", method=method)
        return
    current = stored.polling_method if stored else PollingMethod.SNMP
    if method == current:
        return
    if not _may(session, actor, MANAGE_WEB):
        errors["polling_method"] = gettext(
            "Changing the polling method needs the permission “{perm}”", perm=gettext(PERMISSIONS[MANAGE_WEB])
        )
    elif method == PollingMethod.HYBRID and (
        stored is None
        or session.exec(select(WebParsingRule.id).where(WebParsingRule.printer_id == stored.id)).first() is None
    ):
        errors["polling_method"] = gettext(
            "HYBRID polling needs web rules, or every poll fails: add them on the printer's web rules page "
            "first (a new printer is saved with SNMP)"
        )


def _may(session: Session, actor: Actor | None, perm: str) -> bool:
    """Whether the acting user holds `perm` right now (no user: the system itself, e.g. the CLI)."""
    if actor is None or actor.user_id is None:
        return True
    user = session.get(User, actor.user_id)
    return user is not None and perm in user_permissions(session, user)


_LINKS = (
    (
        "organization_id",
        Organization,
        N_("Choose an organization from the list"),
        N_("This organization no longer exists"),
    ),
    (
        "device_model_id",
        DeviceModel,
        N_("Choose a device model from the list"),
        N_("This device model no longer exists"),
    ),
)


def _validate_links(
    session: Session, data: PrinterInput, errors: dict, values: dict, *, stored: Printer | None
) -> None:
    """The organization (active, unless the printer already belongs to it) and the catalogue model exist."""
    for name, model, unknown, gone in _LINKS:
        raw = getattr(data, name)
        ident = values[name] = None if raw is None else parse_id(raw)
        row = session.get(model, ident) if ident is not None else None
        if raw is not None and ident is None:
            errors[name] = gettext(unknown)
        elif ident is not None and row is None:
            errors[name] = gettext(gone)
        elif isinstance(row, Organization) and not row.active and ident != getattr(stored, name, None):
            errors[name] = gettext("Organization “{name}” is inactive; activate it or choose another", name=row.name)


def _check_unique(session: Session, errors: dict, values: dict, *, printer_id: int | None) -> None:
    """An active network printer's address (IP and SNMP port: a print server may front several devices on one IP,
    each on a port of its own) and an active printer's MAC are not another active printer's."""
    others = (Printer.is_active, Printer.id != printer_id if printer_id else True)
    if "ip_address" not in errors and "snmp_port" not in errors:
        ip, port = values["ip_address"], values["snmp_port"]
        clash = session.exec(
            select(Printer).where(
                Printer.ip_address == ip,
                Printer.snmp_port == port,
                Printer.connection_type == ConnectionType.NETWORK,
                *others,
            )
        ).first()
        if clash:
            errors["ip_address"] = (
                gettext(
                    "IP {ip} with SNMP port {port} is already used by active printer #{id} (serial {serial}); "
                    "another device behind this address needs a port of its own",
                    ip=ip,
                    port=port,
                    id=clash.id,
                    serial=clash.serial_number,
                )
                if clash.serial_number
                else gettext(
                    "IP {ip} with SNMP port {port} is already used by active printer #{id}; another device behind "
                    "this address needs a port of its own",
                    ip=ip,
                    port=port,
                    id=clash.id,
                )
            )
    if values.get("mac_address") and "mac_address" not in errors:
        clash = session.exec(select(Printer).where(Printer.mac_address == values["mac_address"], *others)).first()
        if clash:
            errors["mac_address"] = gettext(
                "MAC {mac} belongs to active printer #{id} ({ip})",
                mac=values["mac_address"],
                id=clash.id,
                ip=clash.ip_address,
            )


def _flush_or_explain(session: Session) -> None:
    """Flush, turning a unique-index race into the same clear message the checks give."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise DomainValidationError(
            {
                "form": gettext(
                    "Another active printer already uses this IP and SNMP port or this MAC address (saved concurrently)"
                )
            }
        ) from exc


def create_printer(session: Session, *, data: PrinterInput, actor: Actor | None = None) -> Printer:
    """Add a printer and link contract devices that carry its serial (docs/contracts.md §9.3); written to the change
    log."""
    values = _validate(session, data, stored=None, actor=actor)
    printer = Printer(**values)
    session.add(printer)
    _flush_or_explain(session)
    audit(session, printer, "create", actor)
    link_new_printer(session, printer=printer, actor=actor)
    return printer


def update_printer(
    session: Session, *, printer_id: int, data: PrinterInput, version: int | None = None, actor: Actor | None = None
) -> Printer:
    """Change a printer's user-editable fields; a rejected change leaves the row untouched.

    `version`: what the form loaded; a save after someone else's change raises ConflictError. Values equal to the
    stored ones write nothing (no version, no change-log row).
    """
    printer = get_printer(session, printer_id=printer_id)
    values = _validate(session, data, stored=printer, actor=actor)
    save_changes(session, printer, values, version=version, actor=actor, flush=_flush_or_explain)
    return printer


def delete_printer(session: Session, *, printer_id: int, actor: Actor | None = None) -> None:
    """Delete a printer with its poll history; contract devices keep their row, unlinked."""
    printer = get_printer(session, printer_id=printer_id)
    audit(session, printer, "delete", actor)
    session.delete(printer)
    session.flush()


def get_printer(session: Session, *, printer_id: int) -> Printer:
    ident = parse_id(printer_id)
    printer = session.get(Printer, ident) if ident is not None else None
    if printer is None:
        raise NotFoundError(gettext("Printer #{id} does not exist", id=printer_id))
    return printer


@dataclass
class PrinterChoices:
    """What a printer's form offers, as (id, label): the organizations a printer may be given (and the printer's
    own when it is inactive) and the catalogue models."""

    organizations: list[tuple[str, str]]
    models: list[tuple[str, str]]


def printer_choices(session: Session, *, printer: Printer | None = None) -> PrinterChoices:
    """The choices of a new printer's form, or of this printer's."""
    organizations = [(str(i), name) for i, name in active_organizations(session)]
    own = session.get(Organization, printer.organization_id) if printer and printer.organization_id else None
    if own is not None and not own.active:
        organizations = [(str(own.id), gettext("{name} (inactive)", name=own.name)), *organizations]
    return PrinterChoices(organizations=organizations, models=model_choices(session))


def printer_to_edit(session: Session, *, printer_id: int) -> tuple[Printer, PrinterChoices]:
    """The stored printer (NotFoundError when there is none) and its form's choices."""
    printer = get_printer(session, printer_id=printer_id)
    return printer, printer_choices(session, printer=printer)
