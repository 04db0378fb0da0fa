"""Contracts: reference tables (cities, manufacturers, models, cartridges, statuses, providers) and devices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from printer_app.models.base import choice_field, fk, ts_field
from printer_app.models.choices import (
    CartridgeColor,
    DeviceType,
    ImportDecision,
    ImportSessionStatus,
    IssueTracker,
)


def _ci_unique(name: str, *columns: str) -> sa.Index:
    """A unique index over lower-cased columns (case-insensitive uniqueness on SQLite and PostgreSQL)."""
    return sa.Index(name, *(sa.func.lower(sa.text(c)) for c in columns), unique=True)


class City(SQLModel, table=True):
    """A city where contracted devices stand."""

    __table_args__ = (_ci_unique("uq_city_name_ci", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)


class Manufacturer(SQLModel, table=True):
    """A device manufacturer (HP, Kyocera, ...)."""

    __table_args__ = (_ci_unique("uq_manufacturer_name_ci", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)


class DeviceModel(SQLModel, table=True):
    """A device model of one manufacturer; printers and contract devices point at it."""

    __table_args__ = (
        sa.Index("uq_devicemodel_name_ci", "manufacturer_id", sa.func.lower(sa.text("name")), unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    manufacturer_id: int = fk("manufacturer.id", nullable=False, ondelete="RESTRICT")
    name: str = Field(max_length=128)
    device_type: str = choice_field(DeviceType.PRINTER, length=16)
    has_network_port: bool = Field(default=True)


class Cartridge(SQLModel, table=True):
    """A consumable article that fits some device models."""

    __table_args__ = (_ci_unique("uq_cartridge_name_part_ci", "name", "part_number"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    part_number: str = Field(default="", max_length=100)
    color: str = choice_field(CartridgeColor.BLACK, length=16)
    capacity: str = Field(default="", max_length=100)
    is_active: bool = Field(default=True)
    comment: str = Field(default="", sa_type=sa.Text)


class DeviceModelCartridge(SQLModel, table=True):
    """Which cartridges a model takes; the primary ones come first in requests."""

    __table_args__ = (sa.UniqueConstraint("device_model_id", "cartridge_id", name="uq_model_cartridge"),)
    id: int | None = Field(default=None, primary_key=True)
    device_model_id: int = fk("devicemodel.id", nullable=False, ondelete="CASCADE")
    cartridge_id: int = fk("cartridge.id", nullable=False, ondelete="CASCADE")
    is_primary: bool = Field(default=False)
    comment: str = Field(default="", max_length=255)


class ContractStatus(SQLModel, table=True):
    """The contract state of a device, shown as a coloured badge."""

    __table_args__ = (
        _ci_unique("uq_contractstatus_name_ci", "name"),
        sa.CheckConstraint("length(color) = 7", name="ck_contractstatus_color"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    color: str = Field(default="#6c757d", max_length=7)
    is_active: bool = Field(default=True)


class ServiceProvider(SQLModel, table=True):
    """Who services a device; decides where cartridge requests go."""

    __table_args__ = (_ci_unique("uq_serviceprovider_name_ci", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    code: str = Field(max_length=50, unique=True)
    issue_tracker: str = choice_field(IssueTracker.NONE, length=16)
    support_email: str = Field(default="", max_length=254)
    is_active: bool = Field(default=True)


class ContractDevice(SQLModel, table=True):
    """A device under a service contract, linked to its polled printer by serial."""

    __table_args__ = (
        sa.Index(
            "uq_contractdevice_org_serial_ci",
            "organization_id",
            sa.func.lower(sa.text("serial_number")),
            unique=True,
            sqlite_where=sa.text("serial_number <> ''"),
            postgresql_where=sa.text("serial_number <> ''"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = fk("organization.id", nullable=False, ondelete="RESTRICT")
    city_id: int | None = fk("city.id", ondelete="RESTRICT")
    address: str = Field(default="", max_length=255)
    room_number: str = Field(default="", max_length=128)
    device_model_id: int | None = fk("devicemodel.id", ondelete="RESTRICT")
    serial_number: str = Field(default="", max_length=128)
    status_id: int | None = fk("contractstatus.id", ondelete="RESTRICT")
    service_provider_id: int | None = fk("serviceprovider.id")
    service_start_month: date | None = Field(default=None)
    comment: str = Field(default="", sa_type=sa.Text)
    printer_id: int | None = Field(
        default=None, foreign_key="printer.id", ondelete="SET NULL", unique=True, nullable=True
    )
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class ContractImportSession(SQLModel, table=True):
    """A two-phase import of contract devices (DOMAIN 8.3): files uploaded, rows analysed and decided, then applied.

    It lives in the database so it survives a page reload and a backend restart; `progress_*` is the apply's
    progress (the actor writes it, every tab reads it), `stats` its result (created/updated/failed/total and
    missing_devices).
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = fk("user.id")
    status: str = choice_field(ImportSessionStatus.OPEN, length=16, index=True)
    target_status_id: int | None = fk("contractstatus.id")
    service_provider_id: int | None = fk("serviceprovider.id")
    create_cities: bool = Field(default=False)
    progress_done: int = Field(default=0)
    progress_total: int = Field(default=0)
    stats: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    applied_at: datetime | None = ts_field(nullable=True, auto=False)


class ContractImportFile(SQLModel, table=True):
    """One uploaded workbook of an import session; uploading the same file name again replaces its rows."""

    __table_args__ = (sa.UniqueConstraint("session_id", "file_name", name="uq_contractimportfile_name"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = fk("contractimportsession.id", nullable=False, ondelete="CASCADE")
    file_name: str = Field(max_length=255)
    rows_read: int = Field(default=0)
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # key -> the header that matched it
    uploaded_at: datetime = ts_field()


class ContractImportRow(SQLModel, table=True):
    """One data row of an uploaded workbook: its normalised values, errors, warnings, class and the decision."""

    __table_args__ = (sa.Index("ix_contractimportrow_session_class", "session_id", "row_class"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = fk("contractimportsession.id", nullable=False, ondelete="CASCADE", index=False)
    file_id: int = fk("contractimportfile.id", nullable=False, ondelete="CASCADE")
    row_number: int  # the spreadsheet's row number (the header is row 1)
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # key -> normalised cell text
    errors: list[Any] = Field(default_factory=list, sa_type=JSON)  # codes of DOMAIN 8.3
    warnings: list[Any] = Field(default_factory=list, sa_type=JSON)
    row_class: str = Field(max_length=16)  # ImportRowClass
    decision: str = choice_field(ImportDecision.PENDING, length=16)
    device_id: int | None = fk("contractdevice.id")  # the stored device it matches (MATCH / MOVED)
    applied: bool = Field(default=False)
