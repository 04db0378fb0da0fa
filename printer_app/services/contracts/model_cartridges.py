"""Which cartridges a device model takes (DeviceModelCartridge): list, add, mark primary, remove; each logged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import Cartridge, DeviceModel, DeviceModelCartridge
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import parse_id


@dataclass
class ModelCartridge:
    id: int
    cartridge_id: int
    name: str
    part_number: str
    color: str
    is_primary: bool


def model_cartridges(session: Session, model_id: int) -> list[ModelCartridge]:
    """The cartridges of a model, primary ones first, then by name."""
    rows = session.exec(
        select(DeviceModelCartridge, Cartridge)
        .join(Cartridge, Cartridge.id == DeviceModelCartridge.cartridge_id)
        .where(DeviceModelCartridge.device_model_id == model_id)
        .order_by(DeviceModelCartridge.is_primary.desc(), func.lower(Cartridge.name), Cartridge.id)
    ).all()
    return [
        ModelCartridge(link.id, cart.id, cart.name, cart.part_number, cart.color, link.is_primary)
        for link, cart in rows
    ]


def link_cartridge(
    session: Session, *, model_id: object, cartridge_id: object, is_primary: bool, actor: Actor | None = None
) -> DeviceModelCartridge:
    """Add a cartridge to a model (or set whether it is primary when it is there already)."""
    model_ident, cart_ident = parse_id(model_id), parse_id(cartridge_id)
    model = session.get(DeviceModel, model_ident) if model_ident else None
    if model is None:
        raise NotFoundError(gettext("Device model #{id} does not exist", id=str(model_id)[:20]))
    cartridge = session.get(Cartridge, cart_ident) if cart_ident else None
    if cartridge is None:
        raise DomainValidationError({"cartridge_id": gettext("Choose the cartridge")})
    link = session.exec(
        select(DeviceModelCartridge).where(
            DeviceModelCartridge.device_model_id == model.id, DeviceModelCartridge.cartridge_id == cartridge.id
        )
    ).first()
    if link is not None:
        set_primary(session, link_id=link.id, is_primary=is_primary, actor=actor)
        return link
    link = DeviceModelCartridge(device_model_id=model.id, cartridge_id=cartridge.id, is_primary=bool(is_primary))
    session.add(link)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise DomainValidationError({"cartridge_id": gettext("This model already has that cartridge")}) from exc
    audit(session, link, "create", actor)
    return link


def _link(session: Session, link_id: object) -> DeviceModelCartridge:
    ident = parse_id(link_id)
    link = session.get(DeviceModelCartridge, ident) if ident else None
    if link is None:
        raise NotFoundError(gettext("That cartridge is no longer linked to the model"))
    return link


def set_primary(session: Session, *, link_id: object, is_primary: bool, actor: Actor | None = None) -> None:
    link = _link(session, link_id)
    before = snapshot(link)
    link.is_primary = bool(is_primary)
    session.add(link)
    session.flush()
    audit(session, link, "update", actor, diff(before, snapshot(link)))


def unlink_cartridge(session: Session, *, link_id: object, actor: Actor | None = None) -> None:
    link = _link(session, link_id)
    audit(session, link, "delete", actor)
    session.delete(link)
    session.flush()
