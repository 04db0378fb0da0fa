"""Contracts reference data (DOMAIN 9): create, update and delete cities, manufacturers, device models, cartridges,
statuses and service providers, each validated, unique by name ignoring case, and written to the change log.

One `Kind` per table says what its fields are, how a duplicate and a row in use are named and what uses it; the
page, the CLI and the imports all save through `create_row` / `update_row` / `delete_row`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from printer_app.i18n import N_, gettext, ngettext
from printer_app.models import (
    Cartridge,
    City,
    ContractDevice,
    ContractImportSession,
    ContractStatus,
    DeviceModel,
    DeviceModelCartridge,
    Manufacturer,
    Printer,
    ServiceProvider,
    WebParsingTemplate,
)
from printer_app.models.choices import CartridgeColor, DeviceType, IssueTracker
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import parse_id, too_long

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class Use:
    """One kind of row that points at a reference row: counted before a delete and named in the refusal."""

    column: Any  # the pointing column, e.g. ContractDevice.city_id
    words: Callable[[int], str]  # "12 contract devices", in the user's language


def _devices(n: int) -> str:
    return ngettext("{n} contract device", "{n} contract devices", n)


def _models(n: int) -> str:
    return ngettext("{n} device model", "{n} device models", n)


def _sessions(n: int) -> str:
    return ngettext("{n} import session", "{n} import sessions", n)


@dataclass(frozen=True)
class Kind:
    """A reference table as the services see it."""

    key: str  # the table name and the permission suffix: contracts.add_<key>
    model: type[SQLModel]
    duplicate: str  # the message of a name taken (with {name})
    missing: str  # the message of an id that names no row (with {id})
    uses: tuple[Use, ...]
    check: Callable[[Session, Mapping[str, Any], SQLModel | None], dict[str, Any]]


def _text(values: Mapping[str, Any], name: str) -> str:
    """A form's text: trimmed, inner whitespace collapsed (a forged non-text value counts as empty)."""
    value = values.get(name, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def _flag(values: Mapping[str, Any], name: str, default: bool) -> bool:
    value = values.get(name, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class _Errors(dict):
    """The field errors of one form, raised together."""

    def length(self, name: str, label: str, value: str, limit: int) -> None:
        if message := too_long(label, value, limit):
            self.setdefault(name, message)

    def required(self, name: str, label: str, value: str, limit: int) -> None:
        if not value:
            self.setdefault(name, gettext("{label} is required", label=gettext(label)))
        self.length(name, label, value, limit)

    def choice(self, name: str, value: str, choices: type) -> None:
        if value not in {c.value for c in choices}:
            self.setdefault(name, gettext("Not a choice: “{value}”", value=value[:20]))

    def raise_any(self) -> None:
        if self:
            raise DomainValidationError(dict(self))


def find_ci(session: Session, model: type[SQLModel], *conditions: Any, **where: str) -> list[Any]:
    """The rows of `model` whose text columns equal `where` ignoring case, under `conditions`.

    SQLite's lower() folds ASCII letters only ("Иркутск" and "иркутск" differ there), so the database narrows by
    length and Python compares the rest; PostgreSQL gives the same answer either way.
    """
    query = select(model).where(*conditions, *(func.length(getattr(model, k)) == len(v) for k, v in where.items()))
    return [
        row
        for row in session.exec(query.order_by(model.id)).all()
        if all(getattr(row, k).lower() == v.lower() for k, v in where.items())
    ]


def _taken(session: Session, model: type[SQLModel], row: SQLModel | None, **where: str) -> SQLModel | None:
    """The other row whose text columns equal `where` ignoring case (the unique indexes' rule), if any."""
    others = find_ci(session, model, model.id != (row.id if row else -1), **where)
    return others[0] if others else None


def _named(session: Session, values: Mapping[str, Any], row: SQLModel | None, *, model, limit: int, dup: str):
    errors = _Errors()
    name = _text(values, "name")
    errors.required("name", N_("Name"), name, limit)
    errors.raise_any()
    if clash := _taken(session, model, row, name=name):
        raise DomainValidationError({"name": gettext(dup, name=clash.name)})
    return {"name": name}


def _check_city(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    return _named(session, values, row, model=City, limit=128, dup=KINDS["city"].duplicate)


def _check_manufacturer(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    return _named(session, values, row, model=Manufacturer, limit=128, dup=KINDS["manufacturer"].duplicate)


def _check_model(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    errors = _Errors()
    name = _text(values, "name")
    errors.required("name", N_("Name"), name, 128)
    maker_id = parse_id(values.get("manufacturer_id"))
    maker = session.get(Manufacturer, maker_id) if maker_id else None
    if maker is None:
        errors["manufacturer_id"] = gettext("Choose the manufacturer")
    device_type = _text(values, "device_type") or DeviceType.PRINTER.value
    errors.choice("device_type", device_type, DeviceType)
    errors.raise_any()
    same_maker = (DeviceModel.manufacturer_id == maker.id, DeviceModel.id != (row.id if row else -1))
    if clash := find_ci(session, DeviceModel, *same_maker, name=name):
        message = gettext("A model named “{name}” of {maker} already exists", name=clash[0].name, maker=maker.name)
        raise DomainValidationError({"name": message})
    return {
        "manufacturer_id": maker.id,
        "name": name,
        "device_type": device_type,
        "has_network_port": _flag(values, "has_network_port", True),
    }


def _check_cartridge(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    errors = _Errors()
    name, part = _text(values, "name"), _text(values, "part_number")
    capacity, color = _text(values, "capacity"), _text(values, "color") or CartridgeColor.BLACK.value
    comment = values.get("comment", "") if isinstance(values.get("comment", ""), str) else ""
    errors.required("name", N_("Name"), name, 200)
    errors.length("part_number", N_("Part number"), part, 100)
    errors.length("capacity", N_("Capacity"), capacity, 100)
    errors.length("comment", N_("Comment"), comment.strip(), COMMENT_LIMIT)
    errors.choice("color", color, CartridgeColor)
    errors.raise_any()
    if clash := _taken(session, Cartridge, row, name=name, part_number=part):
        raise DomainValidationError({"name": cartridge_taken(clash)})
    return {
        "name": name,
        "part_number": part,
        "color": color,
        "capacity": capacity,
        "is_active": _flag(values, "is_active", True),
        "comment": comment.strip(),
    }


def cartridge_taken(clash: Cartridge) -> str:
    """The message of a cartridge name and part number that are taken."""
    if clash.part_number:
        return gettext(
            "A cartridge named “{name}” with part number {part} already exists", name=clash.name, part=clash.part_number
        )
    return gettext("A cartridge named “{name}” without a part number already exists", name=clash.name)


def _check_status(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    errors = _Errors()
    color = _text(values, "color") or "#6c757d"
    if not HEX_COLOUR.match(color):
        errors["color"] = gettext("A colour is # and six hex digits, e.g. #6c757d (not “{value}”)", value=color[:20])
    try:
        named = _named(session, values, row, model=ContractStatus, limit=100, dup=KINDS["contractstatus"].duplicate)
    except DomainValidationError as exc:
        errors.update(exc.errors)
    errors.raise_any()
    return {**named, "color": color.lower(), "is_active": _flag(values, "is_active", True)}


def _check_provider(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    errors = _Errors()
    code, email = _text(values, "code").lower(), _text(values, "support_email")
    tracker = _text(values, "issue_tracker") or IssueTracker.NONE.value
    errors.required("code", N_("Code"), code, 50)
    if code and not SLUG.match(code):
        errors.setdefault("code", gettext("A code holds only small Latin letters, digits, “-” and “_”, e.g. amb"))
    errors.choice("issue_tracker", tracker, IssueTracker)
    errors.length("support_email", N_("Support e-mail"), email, 254)
    if email and not EMAIL.match(email):
        errors.setdefault("support_email", gettext("“{value}” is not an e-mail address", value=email[:60]))
    try:
        named = _named(session, values, row, model=ServiceProvider, limit=100, dup=KINDS["serviceprovider"].duplicate)
    except DomainValidationError as exc:
        errors.update(exc.errors)
    if "code" not in errors and (clash := _taken(session, ServiceProvider, row, code=code)):
        errors["code"] = gettext("The code {code} is already used by {name}", code=code, name=clash.name)
    errors.raise_any()
    return {
        **named,
        "code": code,
        "issue_tracker": tracker,
        "support_email": email,
        "is_active": _flag(values, "is_active", True),
    }


KINDS: dict[str, Kind] = {
    "city": Kind(
        "city",
        City,
        N_("A city named “{name}” already exists"),
        N_("City #{id} does not exist"),
        (Use(ContractDevice.city_id, _devices),),
        _check_city,
    ),
    "manufacturer": Kind(
        "manufacturer",
        Manufacturer,
        N_("A manufacturer named “{name}” already exists"),
        N_("Manufacturer #{id} does not exist"),
        (Use(DeviceModel.manufacturer_id, _models),),
        _check_manufacturer,
    ),
    "devicemodel": Kind(
        "devicemodel",
        DeviceModel,
        N_("A model named “{name}” already exists"),
        N_("Device model #{id} does not exist"),
        (
            Use(ContractDevice.device_model_id, _devices),
            Use(Printer.device_model_id, lambda n: ngettext("{n} printer", "{n} printers", n)),
            Use(
                WebParsingTemplate.device_model_id,
                lambda n: ngettext("{n} web rule template", "{n} web rule templates", n),
            ),
        ),
        _check_model,
    ),
    "cartridge": Kind(
        "cartridge",
        Cartridge,
        N_("A cartridge named “{name}” already exists"),
        N_("Cartridge #{id} does not exist"),
        (Use(DeviceModelCartridge.cartridge_id, _models),),
        _check_cartridge,
    ),
    "contractstatus": Kind(
        "contractstatus",
        ContractStatus,
        N_("A status named “{name}” already exists"),
        N_("Status #{id} does not exist"),
        (
            Use(ContractDevice.status_id, _devices),
            Use(ContractImportSession.target_status_id, _sessions),
        ),
        _check_status,
    ),
    "serviceprovider": Kind(
        "serviceprovider",
        ServiceProvider,
        N_("A service provider named “{name}” already exists"),
        N_("Service provider #{id} does not exist"),
        (
            Use(ContractDevice.service_provider_id, _devices),
            Use(ContractImportSession.service_provider_id, _sessions),
        ),
        _check_provider,
    ),
}


def kind_of(key: str) -> Kind:
    if key not in KINDS:
        raise NotFoundError(gettext("There is no reference table “{key}”", key=str(key)[:40]))
    return KINDS[key]


def get_row(session: Session, key: str, row_id: object) -> SQLModel:
    kind = kind_of(key)
    ident = parse_id(row_id)
    row = session.get(kind.model, ident) if ident is not None else None
    if row is None:
        raise NotFoundError(gettext(kind.missing, id=str(row_id)[:20]))
    return row


def _flush(session: Session, kind: Kind, values: Mapping[str, Any]) -> None:
    """Write; a unique index that a concurrent save won in the meantime is the same clear error as the check's."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise DomainValidationError({"name": gettext(kind.duplicate, name=values.get("name", ""))}) from exc


def create_row(session: Session, key: str, values: Mapping[str, Any], *, actor: Actor | None = None) -> SQLModel:
    """A new reference row from a form's values; refused with field messages, nothing stored."""
    kind = kind_of(key)
    clean = kind.check(session, values, None)
    row = kind.model(**clean)
    session.add(row)
    _flush(session, kind, clean)
    audit(session, row, "create", actor)
    return row


def update_row(
    session: Session, key: str, row_id: object, values: Mapping[str, Any], *, actor: Actor | None = None
) -> SQLModel:
    """Save a form's values over a stored row; only what differs is written and logged."""
    kind = kind_of(key)
    row = get_row(session, key, row_id)
    clean = kind.check(session, values, row)
    before = snapshot(row)
    for name, value in clean.items():
        setattr(row, name, value)
    session.add(row)
    _flush(session, kind, clean)
    audit(session, row, "update", actor, diff(before, snapshot(row)))
    return row


def usage(session: Session, key: str, row_id: int) -> str:
    """What uses a row, in words ("12 contract devices and 3 printers"); "" when nothing does."""
    parts = []
    for use in kind_of(key).uses:
        n = session.exec(select(func.count()).select_from(use.column.table).where(use.column == row_id)).one()
        if n:
            parts.append(use.words(n))
    if len(parts) > 1:
        return gettext("{first} and {last}", first=", ".join(parts[:-1]), last=parts[-1])
    return parts[0] if parts else ""


def delete_row(session: Session, key: str, row_id: object, *, actor: Actor | None = None) -> str:
    """Delete a row nothing uses; a row in use is refused naming what uses it. Returns the deleted row's name."""
    row = get_row(session, key, row_id)
    name = getattr(row, "name", "")
    if used := usage(session, key, row.id):
        raise DomainValidationError(
            {"form": gettext("“{name}” cannot be deleted: it is used by {uses}.", name=name, uses=used)}
        )
    audit(session, row, "delete", actor)
    session.delete(row)
    try:
        session.flush()
    except IntegrityError as exc:  # something started using it since the count
        session.rollback()
        raise DomainValidationError({"form": gettext("“{name}” cannot be deleted: it is in use.", name=name)}) from exc
    return name


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on a `#rrggbb` badge (WCAG relative luminance)."""
    if not HEX_COLOUR.match(background or ""):
        return "#ffffff"
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.179 else "#ffffff"
