"""The device model catalogue as seen from inventory: which catalogue entry a model name a device reports means."""

from __future__ import annotations

from sqlalchemy import func, literal
from sqlmodel import Session, select

from printer_app.models import DeviceModel, Manufacturer


def find_device_model(session: Session, *, manufacturer: str, model: str) -> DeviceModel | None:
    """The one catalogue model a device's manufacturer and model text name (ignoring case and spacing; the text
    may start with the manufacturer); None when there is none or more than one."""
    maker = " ".join((manufacturer or "").split()).lower()
    text = " ".join((model or "").split()).lower()
    if not text:
        return None
    query = select(DeviceModel).join(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
    if maker:
        bare = text.removeprefix(maker + " ")
        query = query.where(func.lower(Manufacturer.name) == maker, func.lower(DeviceModel.name) == bare)
    else:
        label = func.lower(Manufacturer.name + literal(" ") + DeviceModel.name)
        query = query.where((label == text) | (func.lower(DeviceModel.name) == text))
    matches = session.exec(query.limit(2)).all()
    return matches[0] if len(matches) == 1 else None
