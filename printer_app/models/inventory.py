"""Inventory: organizations, printers, poll attempts, counters, supplies, web rules and change history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from printer_app.models.base import choice_field, fk, ts_field, version_field
from printer_app.models.choices import (
    ConnectionType,
    DataSource,
    PollingMethod,
    TaskStatus,
    TriggeredBy,
    WebProtocol,
)


class Organization(SQLModel, table=True):
    """A client organization that owns printers; names are unique ignoring case."""

    __table_args__ = (sa.Index("uq_organization_name_ci", sa.func.lower(sa.text("name")), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    code: str | None = Field(default=None, max_length=50)
    active: bool = Field(default=True)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    version: int = version_field()


class Printer(SQLModel, table=True):
    """A physical printer at an address; inactive rows are replaced or removed hardware kept for history."""

    __table_args__ = (
        sa.Index(  # a print server can front several devices on one IP, each on a port of its own
            "uq_printer_active_network_address",
            "ip_address",
            "snmp_port",
            unique=True,
            sqlite_where=sa.text("is_active AND connection_type = 'NETWORK'"),
            postgresql_where=sa.text("is_active AND connection_type = 'NETWORK'"),
        ),
        sa.Index(
            "uq_printer_active_usb_serial",
            "serial_number",
            unique=True,
            sqlite_where=sa.text("is_active AND connection_type = 'USB'"),
            postgresql_where=sa.text("is_active AND connection_type = 'USB'"),
        ),
        sa.Index(
            "uq_printer_active_mac",
            "mac_address",
            unique=True,
            sqlite_where=sa.text("is_active AND mac_address IS NOT NULL"),
            postgresql_where=sa.text("is_active AND mac_address IS NOT NULL"),
        ),
        sa.Index("ix_printer_serial_ci", sa.func.lower(sa.text("serial_number"))),
        sa.Index("ix_printer_last_poll_at", "last_poll_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ip_address: str = Field(max_length=45, index=True)
    ip_numeric: int | None = Field(default=None, sa_type=sa.BigInteger, index=True, description="For sorting")
    serial_number: str = Field(default="", max_length=100)
    mac_address: str | None = Field(default=None, max_length=17)
    model: str = Field(default="", max_length=200, description="Legacy free-text model")
    location: str = Field(default="", max_length=255, description="Where the printer stands (room, floor, office)")
    device_model_id: int | None = fk("devicemodel.id")
    organization_id: int | None = fk("organization.id")
    snmp_community: str = Field(default="public", max_length=64)
    snmp_version: str = Field(default="2c", max_length=2)
    snmp_port: int = Field(default=161)
    snmp_v3_user: str | None = Field(default=None, max_length=64)
    snmp_v3_auth_protocol: str | None = Field(default=None, max_length=8)
    snmp_v3_auth_key: str | None = Field(default=None, max_length=128)
    snmp_v3_priv_protocol: str | None = Field(default=None, max_length=8)
    snmp_v3_priv_key: str | None = Field(default=None, max_length=128)
    snmp_v3_context: str | None = Field(default=None, max_length=64)
    last_match_rule: str | None = choice_field(None, length=16, nullable=True)
    polling_method: str = choice_field(PollingMethod.SNMP, length=16)
    connection_type: str = choice_field(ConnectionType.NETWORK, length=16)
    usb_identifier: str | None = Field(default=None, max_length=200)
    web_username: str | None = Field(default=None, max_length=100)
    web_password: str | None = Field(default=None, max_length=200)
    is_active: bool = Field(default=True, index=True)
    replaced_at: datetime | None = ts_field(nullable=True, auto=False)
    replaced_by_id: int | None = fk("printer.id")
    created_at: datetime = ts_field()
    last_updated: datetime = ts_field()
    # Denormalised summary of the latest poll so the list page never scans history.
    last_poll_at: datetime | None = ts_field(nullable=True, auto=False)
    last_poll_status: str | None = choice_field(None, length=32, nullable=True, index=True)
    last_error: str | None = Field(default=None, max_length=500)
    last_success_at: datetime | None = ts_field(nullable=True, auto=False)
    # Plain id, no FK (it would cycle with pagecounter.printer_id); retention keeps the latest counter.
    last_counter_id: int | None = Field(default=None)
    # History checks compare only counters recorded after this moment (a user accepted a counter reset).
    counter_baseline_at: datetime | None = ts_field(nullable=True, auto=False)
    version: int = version_field()


class InventoryTask(SQLModel, table=True):
    """One poll attempt of one printer, whatever its outcome."""

    __table_args__ = (
        sa.Index("ix_inventorytask_printer_time", "printer_id", "task_timestamp"),
        sa.Index("uq_inventorytask_message_id", "message_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE", index=False)
    task_timestamp: datetime = ts_field(index=True)
    status: str = choice_field(TaskStatus.SUCCESS, length=32, index=True)
    error_message: str = Field(default="", sa_type=sa.Text)
    match_rule: str | None = choice_field(None, length=16, nullable=True)
    data_source: str = choice_field(DataSource.SNMP_LOCAL, length=16)
    triggered_by: str = choice_field(TriggeredBy.AUTO_POLL, length=16)
    agent_id: str | None = Field(default=None, max_length=100)
    # Broker message that produced this poll: a redelivered message finds it and records nothing twice.
    message_id: str | None = Field(default=None, max_length=64)
    # What a poll did not get although it succeeded (no page counter, web side of a hybrid poll failed, ...).
    note: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    # The history check itself crashed and the poll was accepted unchecked: billing must be able to tell.
    history_check_failed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class PageCounter(SQLModel, table=True):
    """Counters and supply summary read by one successful poll."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = fk("inventorytask.id", nullable=False, ondelete="CASCADE", index=False)
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE", index=False)
    bw_a3: int | None = Field(default=None, sa_type=sa.BigInteger)
    bw_a4: int | None = Field(default=None, sa_type=sa.BigInteger)
    color_a3: int | None = Field(default=None, sa_type=sa.BigInteger)
    color_a4: int | None = Field(default=None, sa_type=sa.BigInteger)
    total_pages: int | None = Field(default=None, sa_type=sa.BigInteger)
    # Summary strings as in the GLPI XML: a percentage ("75") or a state word ("some_remaining", "OK").
    drum_black: str = Field(default="", max_length=20)
    drum_cyan: str = Field(default="", max_length=20)
    drum_magenta: str = Field(default="", max_length=20)
    drum_yellow: str = Field(default="", max_length=20)
    toner_black: str = Field(default="", max_length=20)
    toner_cyan: str = Field(default="", max_length=20)
    toner_magenta: str = Field(default="", max_length=20)
    toner_yellow: str = Field(default="", max_length=20)
    fuser_kit: str = Field(default="", max_length=20)
    transfer_kit: str = Field(default="", max_length=20)
    waste_toner: str = Field(default="", max_length=20)
    recorded_at: datetime = ts_field()

    __table_args__ = (
        sa.UniqueConstraint("task_id", name="uq_pagecounter_task"),
        sa.Index("ix_pagecounter_printer_time", "printer_id", "recorded_at"),
    )


class SupplyLevel(SQLModel, table=True):
    """One consumable as read by a poll: percent 0-100, or a Printer-MIB special state."""

    __table_args__ = (
        sa.CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="ck_supply_percent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = fk("inventorytask.id", nullable=False, ondelete="CASCADE")
    supply_index: int | None = Field(default=None)
    description: str = Field(default="", max_length=255)
    kind: str = choice_field("other", length=16)
    color: str | None = choice_field(None, length=16, nullable=True)
    level: int | None = Field(default=None)
    max_capacity: int | None = Field(default=None)
    percent: int | None = Field(default=None)
    state: str = choice_field("ok", length=16)


class WebParsingRule(SQLModel, table=True):
    """How to read one field of a printer from its built-in web page."""

    id: int | None = Field(default=None, primary_key=True)
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE")
    protocol: str = choice_field(WebProtocol.HTTP, length=8)
    url_path: str = Field(default="/", max_length=500)
    field_name: str = choice_field(length=32)
    xpath: str = Field(default="", max_length=500)
    regex_pattern: str = Field(default="", max_length=500)
    regex_replacement: str = Field(default="", max_length=500)
    is_calculated: bool = Field(default=False)
    source_rules: list[Any] = Field(default_factory=list, sa_type=JSON)
    calculation_formula: str = Field(default="", max_length=500)
    actions_chain: list[Any] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    version: int = version_field()


class WebParsingTemplate(SQLModel, table=True):
    """A reusable set of web rules for one device model; rules reference each other by field name."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    device_model_id: int = fk("devicemodel.id", nullable=False, ondelete="CASCADE")
    description: str = Field(default="", sa_type=sa.Text)
    rules_config: list[Any] = Field(default_factory=list, sa_type=JSON)
    created_by_id: int | None = fk("user.id")
    is_public: bool = Field(default=False)
    usage_count: int = Field(default=0)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class PrinterChangeLog(SQLModel, table=True):
    """What automatic or manual identity changes happened to a printer (IP moves, replacements, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    printer_id: int = fk("printer.id", nullable=False, ondelete="CASCADE")
    action: str = choice_field(length=16)
    timestamp: datetime = ts_field(index=True)
    old_values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    new_values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    related_printer_id: int | None = fk("printer.id")
    comment: str = Field(default="", sa_type=sa.Text)
    triggered_by: str = choice_field(TriggeredBy.AUTO_POLL, length=16)
