"""The device model catalogue as seen from inventory: how a printer's model is named, and which catalogue entry a
model name a device reports means."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, literal
from sqlmodel import Session, select

from printer_app.models import DeviceModel, Manufacturer, Printer

CATALOGUE_LABEL = Manufacturer.name + literal(" ") + DeviceModel.name  # "Manufacturer Model", in a query joining both
# A printer's model in a query joining Printer, DeviceModel and Manufacturer: the catalogue's, else the legacy text.
MODEL_DISPLAY = case((DeviceModel.id.is_not(None), CATALOGUE_LABEL), else_=Printer.model)


@dataclass(frozen=True)
class ModelLabel:
    """How a printer's model is named: display text and manufacturer (the web export's INFO names both)."""

    model: str = ""
    manufacturer: str = ""


def model_label(session: Session, printer: Printer) -> ModelLabel:
    """The printer's model as "Manufacturer Model" (else its legacy model text) and its manufacturer."""
    model = session.get(DeviceModel, printer.device_model_id) if printer.device_model_id else None
    if model is None:
        return ModelLabel(model=printer.model or "")
    maker = session.get(Manufacturer, model.manufacturer_id)
    name = maker.name if maker else ""
    return ModelLabel(model=f"{name} {model.name}".strip(), manufacturer=name)


def model_choices(session: Session) -> list[tuple[str, str]]:
    """Every catalogue model as (id, "Manufacturer Model"), by manufacturer and name: for selects and filters."""
    rows = session.exec(
        select(DeviceModel.id, CATALOGUE_LABEL)
        .join(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .order_by(func.lower(Manufacturer.name), func.lower(DeviceModel.name))
    ).all()
    return [(str(i), label) for i, label in rows]


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
        query = query.where((func.lower(CATALOGUE_LABEL) == text) | (func.lower(DeviceModel.name) == text))
    matches = session.exec(query.limit(2)).all()
    return matches[0] if len(matches) == 1 else None
