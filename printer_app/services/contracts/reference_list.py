"""The tables of the reference page: one page of a reference table, searched and sorted on the server, with the
number of rows that use each row (what a delete would be refused for)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, func
from sqlmodel import Session, select

from printer_app.models import (
    Cartridge,
    City,
    ContractDevice,
    ContractStatus,
    DeviceModel,
    DeviceModelCartridge,
    Manufacturer,
    Printer,
    ServiceProvider,
)
from printer_app.services.paging import clamp_page

MAX_SEARCH = 200


def folding(session: Session) -> Any:
    """lower() that folds every alphabet: SQLite's own folds ASCII only, so there a Python one is registered on the
    session's connection (a search for "ирк" then finds "Иркутск" in the embedded mode too)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return func.lower
    connection.connection.driver_connection.create_function("unicode_lower", 1, _lower, deterministic=True)
    return func.unicode_lower


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _is_text(expression: Any) -> bool:
    kind = getattr(expression, "type", None)
    return isinstance(getattr(kind, "impl", kind), String)  # SQLModel's AutoString wraps a String


def _count(column: Any, key: Any) -> Any:
    """How many rows of `column`'s table point at `key` (a correlated subquery)."""
    return select(func.count()).select_from(column.table).where(column == key).scalar_subquery()


@dataclass(frozen=True)
class Listing:
    """How one reference table is listed: its columns, which of them a search looks in and which sort it."""

    model: Any
    columns: dict[str, Any]  # name -> expression, every value shown in a row
    search: tuple[str, ...]
    sorts: dict[str, Any]  # sort key -> expression (a text column sorts ignoring case)
    join: tuple = ()


_DEVICES = {
    "city": _count(ContractDevice.city_id, City.id),
    "contractstatus": _count(ContractDevice.status_id, ContractStatus.id),
    "serviceprovider": _count(ContractDevice.service_provider_id, ServiceProvider.id),
    "devicemodel": _count(ContractDevice.device_model_id, DeviceModel.id),
}
_MODELS_OF_MAKER = _count(DeviceModel.manufacturer_id, Manufacturer.id)
_PRINTERS = _count(Printer.device_model_id, DeviceModel.id)
_CARTRIDGES = _count(DeviceModelCartridge.device_model_id, DeviceModel.id)
_MODELS_OF_CARTRIDGE = _count(DeviceModelCartridge.cartridge_id, Cartridge.id)

LISTINGS: dict[str, Listing] = {
    "city": Listing(
        City,
        {"id": City.id, "name": City.name, "devices": _DEVICES["city"]},
        ("name",),
        {"name": City.name, "devices": _DEVICES["city"]},
    ),
    "manufacturer": Listing(
        Manufacturer,
        {"id": Manufacturer.id, "name": Manufacturer.name, "models": _MODELS_OF_MAKER},
        ("name",),
        {"name": Manufacturer.name, "models": _MODELS_OF_MAKER},
    ),
    "devicemodel": Listing(
        DeviceModel,
        {
            "id": DeviceModel.id,
            "name": DeviceModel.name,
            "manufacturer": Manufacturer.name,
            "manufacturer_id": DeviceModel.manufacturer_id,
            "device_type": DeviceModel.device_type,
            "has_network_port": DeviceModel.has_network_port,
            "cartridges": _CARTRIDGES,
            "devices": _DEVICES["devicemodel"],
            "printers": _PRINTERS,
        },
        ("name", "manufacturer"),
        {
            "name": DeviceModel.name,
            "manufacturer": Manufacturer.name,
            "device_type": DeviceModel.device_type,
            "devices": _DEVICES["devicemodel"],
            "printers": _PRINTERS,
        },
        join=(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id),
    ),
    "cartridge": Listing(
        Cartridge,
        {
            "id": Cartridge.id,
            "name": Cartridge.name,
            "part_number": Cartridge.part_number,
            "color": Cartridge.color,
            "capacity": Cartridge.capacity,
            "is_active": Cartridge.is_active,
            "comment": Cartridge.comment,
            "models": _MODELS_OF_CARTRIDGE,
        },
        ("name", "part_number"),
        {
            "name": Cartridge.name,
            "part_number": Cartridge.part_number,
            "color": Cartridge.color,
            "models": _MODELS_OF_CARTRIDGE,
        },
    ),
    "contractstatus": Listing(
        ContractStatus,
        {
            "id": ContractStatus.id,
            "name": ContractStatus.name,
            "color": ContractStatus.color,
            "is_active": ContractStatus.is_active,
            "devices": _DEVICES["contractstatus"],
        },
        ("name",),
        {"name": ContractStatus.name, "devices": _DEVICES["contractstatus"]},
    ),
    "serviceprovider": Listing(
        ServiceProvider,
        {
            "id": ServiceProvider.id,
            "name": ServiceProvider.name,
            "code": ServiceProvider.code,
            "issue_tracker": ServiceProvider.issue_tracker,
            "support_email": ServiceProvider.support_email,
            "is_active": ServiceProvider.is_active,
            "devices": _DEVICES["serviceprovider"],
        },
        ("name", "code"),
        {
            "name": ServiceProvider.name,
            "code": ServiceProvider.code,
            "devices": _DEVICES["serviceprovider"],
        },
    ),
}


@dataclass
class ReferencePage:
    rows: list[dict[str, Any]]
    total: int
    page: int


def list_rows(
    session: Session,
    key: str,
    *,
    search: str = "",
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> ReferencePage:
    """One page of a reference table; rows whose searched columns contain `search` (ignoring case)."""
    listing = LISTINGS[key]
    query = select(*(expr.label(name) for name, expr in listing.columns.items())).select_from(listing.model)
    count = select(func.count()).select_from(listing.model)
    if listing.join:
        query, count = query.join(*listing.join), count.join(*listing.join)
    if needle := " ".join(search.split()).lower()[:MAX_SEARCH]:
        match, lower = None, folding(session)
        for name in listing.search:
            clause = lower(listing.columns[name]).contains(needle, autoescape=True)
            match = clause if match is None else match | clause
        query, count = query.where(match), count.where(match)
    total = session.exec(count).one()
    page = clamp_page(page, total, page_size)
    order = listing.sorts.get(sort, listing.sorts["name"])
    if _is_text(order):  # text sorts ignoring case, in every alphabet
        order = folding(session)(order)
    query = query.order_by(order.desc() if descending else order.asc(), listing.model.id)
    result = session.exec(query.offset((page - 1) * page_size).limit(page_size)).all()
    return ReferencePage(rows=[dict(r._mapping) for r in result], total=total, page=page)


def choices(session: Session, key: str) -> list[tuple[str, str]]:
    """(id, name) of every row of a table, by name: the options of a select."""
    model = LISTINGS[key].model
    query = select(model.id, model.name).order_by(folding(session)(model.name), model.id)
    return [(str(i), n) for i, n in session.exec(query)]
