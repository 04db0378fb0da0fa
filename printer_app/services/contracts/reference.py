"""Contracts reference data (DOMAIN 9): create, update and delete cities, manufacturers, device models, cartridges,
statuses and service providers, each validated, unique by name ignoring case, and written to the change log.

One `Kind` per table says what its fields are, how a duplicate and a row in use are named and what uses it; the
page, the CLI and the imports all save through `create_row` / `update_row` / `delete_row`.
"""

from __future__ import annotations

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
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.contracts.reference_checks import (
    DUPLICATES,
    HEX_COLOUR,
    check_cartridge,
    check_city,
    check_manufacturer,
    check_model,
    check_provider,
    check_status,
)
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import parse_id


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


KINDS: dict[str, Kind] = {
    "city": Kind(
        "city",
        City,
        DUPLICATES["city"],
        N_("City #{id} does not exist"),
        (Use(ContractDevice.city_id, _devices),),
        check_city,
    ),
    "manufacturer": Kind(
        "manufacturer",
        Manufacturer,
        DUPLICATES["manufacturer"],
        N_("Manufacturer #{id} does not exist"),
        (Use(DeviceModel.manufacturer_id, _models),),
        check_manufacturer,
    ),
    "devicemodel": Kind(
        "devicemodel",
        DeviceModel,
        DUPLICATES["devicemodel"],
        N_("Device model #{id} does not exist"),
        (
            Use(ContractDevice.device_model_id, _devices),
            Use(Printer.device_model_id, lambda n: ngettext("{n} printer", "{n} printers", n)),
            Use(
                WebParsingTemplate.device_model_id,
                lambda n: ngettext("{n} web rule template", "{n} web rule templates", n),
            ),
        ),
        check_model,
    ),
    "cartridge": Kind(
        "cartridge",
        Cartridge,
        DUPLICATES["cartridge"],
        N_("Cartridge #{id} does not exist"),
        (Use(DeviceModelCartridge.cartridge_id, _models),),
        check_cartridge,
    ),
    "contractstatus": Kind(
        "contractstatus",
        ContractStatus,
        DUPLICATES["contractstatus"],
        N_("Status #{id} does not exist"),
        (
            Use(ContractDevice.status_id, _devices),
            Use(ContractImportSession.target_status_id, _sessions),
        ),
        check_status,
    ),
    "serviceprovider": Kind(
        "serviceprovider",
        ServiceProvider,
        DUPLICATES["serviceprovider"],
        N_("Service provider #{id} does not exist"),
        (
            Use(ContractDevice.service_provider_id, _devices),
            Use(ContractImportSession.service_provider_id, _sessions),
        ),
        check_provider,
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
