"""Monthly report: the billing sheet rows, month controls, model specs, overrides and audit logs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from printer_app.models.base import choice_field, fk, ts_field
from printer_app.models.choices import ChangeSource, PaperFormat, ReportUploadStatus

_NON_NEGATIVE = (
    "a4_bw_start",
    "a4_bw_end",
    "a4_color_start",
    "a4_color_end",
    "a3_bw_start",
    "a3_bw_end",
    "a3_color_start",
    "a3_color_end",
)


def _counter() -> Any:
    return Field(default=0, sa_type=sa.BigInteger)


class MonthlyReport(SQLModel, table=True):
    """One row of a month's billing sheet (counters start/end, SLA inputs A, D, L, W and K1/K2)."""

    __table_args__ = (
        sa.Index("ix_monthlyreport_month_serial_ci", "month", sa.func.lower(sa.text("serial_number"))),
        *(sa.CheckConstraint(f"{c} >= 0", name=f"ck_monthlyreport_{c}") for c in _NON_NEGATIVE),
    )

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    order_number: int = Field(default=1)
    organization: str = Field(default="", max_length=200)
    branch: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=128)
    address: str = Field(default="", max_length=255)
    equipment_model: str = Field(default="", max_length=200)
    serial_number: str = Field(default="", max_length=128)
    inventory_number: str = Field(default="", max_length=128)
    a4_bw_start: int = _counter()
    a4_bw_end: int = _counter()
    a4_color_start: int = _counter()
    a4_color_end: int = _counter()
    a3_bw_start: int = _counter()
    a3_bw_end: int = _counter()
    a3_color_start: int = _counter()
    a3_color_end: int = _counter()
    total_prints: int = Field(default=0, sa_type=sa.BigInteger)
    normative_availability: float = Field(default=0.0)
    actual_downtime: float = Field(default=0.0)
    k1: float = Field(default=0.0)
    non_overdue_requests: int = Field(default=0)
    total_requests: int = Field(default=0)
    k2: float = Field(default=0.0)
    device_ip: str | None = Field(default=None, max_length=45)
    inventory_last_ok: datetime | None = ts_field(nullable=True, auto=False)
    inventory_autosync_at: datetime | None = ts_field(nullable=True, auto=False)
    a4_bw_end_auto: int | None = Field(default=None, sa_type=sa.BigInteger)
    a4_color_end_auto: int | None = Field(default=None, sa_type=sa.BigInteger)
    a3_bw_end_auto: int | None = Field(default=None, sa_type=sa.BigInteger)
    a3_color_end_auto: int | None = Field(default=None, sa_type=sa.BigInteger)
    a4_bw_end_manual: bool = Field(default=False)
    a4_color_end_manual: bool = Field(default=False)
    a3_bw_end_manual: bool = Field(default=False)
    a3_color_end_manual: bool = Field(default=False)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class MonthControl(SQLModel, table=True):
    """Whether a month is editable, published and auto-synced from inventory."""

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(unique=True)
    edit_until: datetime | None = ts_field(nullable=True, auto=False)
    is_published: bool = Field(default=False)
    auto_sync_enabled: bool = Field(default=True)


class PrinterModelSpec(SQLModel, table=True):
    """Which counters a model may have (colour, paper format); decides editable and zeroed fields."""

    __table_args__ = (sa.Index("uq_printermodelspec_name_ci", sa.func.lower(sa.text("model_name")), unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    model_name: str = Field(max_length=200)
    is_color: bool = Field(default=False)
    paper_format: str = choice_field(PaperFormat.A4A3, length=8)
    enforce: bool = Field(default=True)
    allow_manual_edit: bool = Field(default=False)


class SerialEditOverride(SQLModel, table=True):
    """Unlock (or force-lock) manual editing of end counters for one serial until a date."""

    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=128, unique=True)
    allow_manual_edit: bool = Field(default=True)
    expires_at: datetime | None = ts_field(nullable=True, auto=False)
    reason: str = Field(default="", sa_type=sa.Text)
    created_by_id: int | None = fk("user.id")
    created_at: datetime = ts_field()


class CounterChangeLog(SQLModel, table=True):
    """Audit of one counter field change on a report row."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = fk("monthlyreport.id", nullable=False, ondelete="CASCADE")
    user_id: int | None = fk("user.id")
    field_name: str = Field(max_length=32)
    old_value: int | None = Field(default=None, sa_type=sa.BigInteger)
    new_value: int | None = Field(default=None, sa_type=sa.BigInteger)
    timestamp: datetime = ts_field(index=True)
    ip_address: str | None = Field(default=None, max_length=45)
    user_agent: str = Field(default="", max_length=500)
    change_source: str = choice_field(ChangeSource.MANUAL, length=16)
    comment: str = Field(default="", sa_type=sa.Text)


class BulkChangeLog(SQLModel, table=True):
    """Audit of a bulk operation over a month (upload, sync, bulk edit, delete)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = fk("user.id")
    operation_type: str = choice_field(length=16)
    month: date | None = Field(default=None, index=True)
    records_affected: int = Field(default=0)
    fields_changed: list[Any] = Field(default_factory=list, sa_type=JSON)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    started_at: datetime = ts_field()
    finished_at: datetime | None = ts_field(nullable=True, auto=False)
    success: bool = Field(default=True)
    error_message: str = Field(default="", sa_type=sa.Text)
    ip_address: str | None = Field(default=None, max_length=45)


class ReportUpload(SQLModel, table=True):
    """An uploaded month workbook between its analysis and its import (DOMAIN 10.3).

    The analysis stores the normalised rows here, so the preview survives a reload and a worker on another machine
    can import a large file. `options`: replace_month, allow_edit, edit_until (ISO or null), publish. `analysis`:
    rows_read, columns {field: header matched}, ignored_columns, problems [{row, message}], unknown_organizations
    [{name, hints}]. `result`: what the import did (rows, fields). `progress_*` is written by the importer.
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = fk("user.id")
    month: date = Field(index=True)
    file_name: str = Field(default="", max_length=255)
    status: str = choice_field(ReportUploadStatus.ANALYSED, length=16, index=True)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    analysis: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    rows: list[Any] = Field(default_factory=list, sa_type=JSON)
    progress_done: int = Field(default=0)
    progress_total: int = Field(default=0)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    error: str = Field(default="", sa_type=sa.Text)
    ip_address: str | None = Field(default=None, max_length=45)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    finished_at: datetime | None = ts_field(nullable=True, auto=False)
