"""The checks of a reference row's form values (DOMAIN 9): required fields, lengths, choices, a status colour, a
provider code and e-mail, and names unique ignoring case. Each returns the clean values or raises one
DomainValidationError with a message per field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from printer_app.i18n import N_, gettext
from printer_app.models import Cartridge, City, ContractStatus, DeviceModel, Manufacturer, ServiceProvider
from printer_app.models.choices import CartridgeColor, DeviceType, IssueTracker
from printer_app.services.errors import DomainValidationError
from printer_app.services.validators import parse_id, too_long

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
COMMENT_LIMIT = 2000
DUPLICATES = {  # the message of a name that is taken, per table
    "city": N_("A city named “{name}” already exists"),
    "manufacturer": N_("A manufacturer named “{name}” already exists"),
    "devicemodel": N_("A model named “{name}” already exists"),
    "cartridge": N_("A cartridge named “{name}” already exists"),
    "contractstatus": N_("A status named “{name}” already exists"),
    "serviceprovider": N_("A service provider named “{name}” already exists"),
}


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


def check_city(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    return _named(session, values, row, model=City, limit=128, dup=DUPLICATES["city"])


def check_manufacturer(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    return _named(session, values, row, model=Manufacturer, limit=128, dup=DUPLICATES["manufacturer"])


def check_model(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
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


def check_cartridge(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
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


def check_status(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
    errors = _Errors()
    color = _text(values, "color") or "#6c757d"
    if not HEX_COLOUR.match(color):
        errors["color"] = gettext("A colour is # and six hex digits, e.g. #6c757d (not “{value}”)", value=color[:20])
    try:
        named = _named(session, values, row, model=ContractStatus, limit=100, dup=DUPLICATES["contractstatus"])
    except DomainValidationError as exc:
        errors.update(exc.errors)
    errors.raise_any()
    return {**named, "color": color.lower(), "is_active": _flag(values, "is_active", True)}


def check_provider(session: Session, values: Mapping[str, Any], row: SQLModel | None) -> dict[str, Any]:
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
        named = _named(session, values, row, model=ServiceProvider, limit=100, dup=DUPLICATES["serviceprovider"])
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
