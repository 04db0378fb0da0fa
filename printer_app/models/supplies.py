"""Supplies: each consumable's cartridge lifetimes and forecast, low-supply alert rules and the alerts they raise.

A supply is identified per printer by `supply_key` (services/supplies/keys.py): kind, colour and the Printer-MIB
index or description, stable across polls. The forecast tables are derived data, refreshed after polls; deleting
them loses nothing that the polls do not hold.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from printer_app.models.base import choice_field, fk, ts_field, version_field


class SupplyForecast(SQLModel, table=True):
    """One supply of one printer as it stands now: the current cartridge lifetime and when it runs out."""

    __table_args__ = (
        sa.UniqueConstraint("printer_id", "supply_key", name="uq_supplyforecast_printer_supply"),
        sa.Index("ix_supplyforecast_days", "days_to_empty"),
    )

    id: int | None = Field(default=None, primary_key=True)
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE")
    supply_key: str = Field(max_length=120)
    kind: str = choice_field("other", length=16, index=True)
    color: str | None = choice_field(None, length=16, nullable=True)
    description: str = Field(default="", max_length=255)
    # The newest reading: a percentage, or None with a special state (SupplyState).
    level_percent: int | None = Field(default=None)
    state: str = choice_field("ok", length=16)
    last_seen_at: datetime | None = ts_field(nullable=True, auto=False)
    # Current lifetime: since the last replacement (or since the first reading).
    lifetime_started_at: datetime | None = ts_field(nullable=True, auto=False)
    pages_since_replacement: int | None = Field(default=None, sa_type=sa.BigInteger)
    # Forecast: "ok" (figures set), "not_enough_data", "empty", "no_level" (only special states).
    forecast_status: str = Field(default="not_enough_data", max_length=32)
    days_to_empty: float | None = Field(default=None)
    days_low: float | None = Field(default=None)
    days_high: float | None = Field(default=None)
    pages_to_empty: int | None = Field(default=None, sa_type=sa.BigInteger)
    pages_low: int | None = Field(default=None, sa_type=sa.BigInteger)
    pages_high: int | None = Field(default=None, sa_type=sa.BigInteger)
    # Finished lifetimes of this supply.
    replacements: int = Field(default=0)
    last_pages_per_cartridge: int | None = Field(default=None, sa_type=sa.BigInteger)
    avg_pages_per_cartridge: int | None = Field(default=None, sa_type=sa.BigInteger)
    updated_at: datetime = ts_field()


class SupplyLifetime(SQLModel, table=True):
    """One cartridge's life in one printer: from a replacement (or the first reading) to the next one."""

    __table_args__ = (sa.Index("ix_supplylifetime_printer_supply", "printer_id", "supply_key", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE", index=False)
    supply_key: str = Field(max_length=120)
    started_at: datetime = ts_field(auto=False)
    ended_at: datetime | None = ts_field(nullable=True, auto=False)  # None: the cartridge in the printer now
    start_percent: int | None = Field(default=None)
    end_percent: int | None = Field(default=None)
    start_pages: int | None = Field(default=None, sa_type=sa.BigInteger)
    end_pages: int | None = Field(default=None, sa_type=sa.BigInteger)
    pages: int | None = Field(default=None, sa_type=sa.BigInteger)  # printed during this lifetime
    rated_yield: int | None = Field(default=None, sa_type=sa.BigInteger)  # the cartridge's capacity, when known
    # The history began mid-lifetime: the first lifetime's start is not a replacement.
    started_by_replacement: bool = Field(default=True)


class SupplyAlertRule(SQLModel, table=True):
    """When to raise a low-supply alert, for one organization or (organization None) for the whole fleet."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    name: str = Field(max_length=120)
    kinds: str = Field(default="", max_length=200)  # comma-separated SupplyKind values; empty: every kind
    below_percent: int | None = Field(default=None)
    empty_within_days: int | None = Field(default=None)
    # Who gets them: e-mail addresses (comma-separated) and the in-app list of users who may see the printer.
    emails: str = Field(default="", sa_type=sa.Text)
    email_mode: str = Field(default="immediate", max_length=16)  # immediate / digest / off
    language: str = Field(default="ru", max_length=8)  # of the e-mails and the webhook's texts
    webhook_url: str = Field(default="", max_length=500)
    webhook_secret: str = Field(default="", max_length=200)
    in_app: bool = Field(default=True)
    is_active: bool = Field(default=True)
    version: int = version_field()
    created_by_id: int | None = fk("user.id", ondelete="SET NULL", index=False)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class SupplyAlert(SQLModel, table=True):
    """One alert: a supply met a rule during one cartridge lifetime. Cleared by the next replacement."""

    __table_args__ = (
        sa.UniqueConstraint("rule_id", "printer_id", "supply_key", "lifetime_started_at", name="uq_supplyalert_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = fk("supplyalertrule.id", nullable=False, ondelete="CASCADE")
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE")
    supply_key: str = Field(max_length=120)
    lifetime_started_at: datetime = ts_field(auto=False)
    reason: str = Field(default="", max_length=32)  # below_percent / empty_within_days
    level_percent: int | None = Field(default=None)
    days_to_empty: float | None = Field(default=None)
    created_at: datetime = ts_field(index=True)
    cleared_at: datetime | None = ts_field(nullable=True, auto=False)
    emailed_at: datetime | None = ts_field(nullable=True, auto=False)
    webhook_at: datetime | None = ts_field(nullable=True, auto=False)
    delivery_error: str = Field(default="", sa_type=sa.Text)


class SupplyAlertRead(SQLModel, table=True):
    """A user has read an alert (unread: no row)."""

    __table_args__ = (sa.UniqueConstraint("alert_id", "user_id", name="uq_supplyalertread"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = fk("supplyalert.id", nullable=False, ondelete="CASCADE")
    user_id: int = fk("user.id", nullable=False, ondelete="CASCADE")
    read_at: datetime = ts_field()
