"""The JSON shapes of the API (pydantic models): what the OpenAPI document describes and the routes answer.

Contract: input models refuse unknown fields (a typo is a 422, not silently ignored); output models never carry
secrets (SNMP community and v3 keys, web passwords).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PrinterListItem(BaseModel):
    """A row of the printers list, as the page shows it (counters and supplies of the last successful poll)."""

    id: int
    organization: str
    ip_address: str
    serial_number: str
    mac_address: str
    model: str
    location: str
    is_active: bool
    total: int | None
    bw_a4: int | None
    color_a4: int | None
    bw_a3: int | None
    color_a3: int | None
    toners: dict[str, str]
    last_poll_at: datetime | None
    last_success_at: datetime | None
    status: str
    last_error: str
    match_rule: str
    lowest_supply: int | None
    lowest_supply_name: str


class Printer(BaseModel):
    """A printer's stored settings and the summary of its latest poll."""

    id: int
    ip_address: str
    serial_number: str
    mac_address: str | None
    model: str
    location: str
    organization_id: int | None
    organization: str
    device_model_id: int | None
    device_model: str
    polling_method: str
    connection_type: str
    snmp_version: str
    snmp_port: int
    is_active: bool
    created_at: datetime
    last_updated: datetime
    last_poll_at: datetime | None
    last_poll_status: str | None
    last_error: str | None
    last_success_at: datetime | None
    version: int = Field(description="Send it back as `version` on update: a save over someone else's change is a 409")


class PrinterIn(BaseModel):
    """What a user may set on a printer (the page's form); everything else is learned by polling."""

    model_config = ConfigDict(extra="forbid")
    ip_address: str = Field(max_length=100)
    serial_number: str = Field(default="", max_length=100)
    mac_address: str = Field(default="", max_length=100)
    organization_id: int | None = None
    device_model_id: int | None = None
    location: str | None = Field(default=None, max_length=255)
    snmp_community: str = Field(default="public", max_length=64)
    polling_method: str = "SNMP"
    is_active: bool = True
    snmp_version: Literal["1", "2c", "3"] = "2c"
    snmp_port: int = 161
    snmp_v3_user: str = ""
    snmp_v3_auth_protocol: str = ""
    snmp_v3_auth_key: str | None = None
    snmp_v3_priv_protocol: str = ""
    snmp_v3_priv_key: str | None = None
    snmp_v3_context: str = ""


class PrinterUpdate(PrinterIn):
    version: int | None = Field(
        default=None, description="The `version` you read; omit to overwrite whatever is stored"
    )


class Poll(BaseModel):
    """One poll attempt of a printer, with the counters of a successful one."""

    id: int
    at: datetime
    status: str
    error: str
    match_rule: str
    source: str
    total: int | None
    bw_a4: int | None
    color_a4: int | None
    bw_a3: int | None
    color_a3: int | None
    note: str


class Supply(BaseModel):
    description: str
    kind: str
    color: str | None
    level: int | None
    max_capacity: int | None
    percent: int | None
    state: str = Field(description="ok, or a Printer-MIB special state (unknown, some_remaining, ...): never a 0 %")


class Latest(BaseModel):
    """The counters and supplies of the printer's last successful poll (null counters: never polled successfully)."""

    printer_id: int
    read_at: datetime | None
    total: int | None
    bw_a4: int | None
    color_a4: int | None
    bw_a3: int | None
    color_a3: int | None
    supplies: list[Supply]


class PollRequest(BaseModel):
    """A queued "Poll now": read its result at `status_url`."""

    task_id: str
    status_url: str
    state: Literal["queued", "done"]
    result: dict[str, Any] | None = None


class Organization(BaseModel):
    id: int
    name: str
    code: str
    active: bool
    printers: int
    active_printers: int


class ContractDevice(BaseModel):
    id: int
    organization_id: int
    organization: str
    city: str
    address: str
    room: str
    manufacturer: str
    model: str
    serial: str
    status: str
    provider: str
    service_month: date | None
    comment: str
    printer_id: int | None
    printer_ip: str
    total: int | None
    lowest_toner: int | None


class ReportRow(BaseModel):
    """A row of a monthly report: every stored column by name, with its marks."""

    id: int
    values: dict[str, Any]
    anomalies: list[str]
    group_size: int
    group_position: int


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: str
    redis: str
    workers: int = Field(description="Workers seen in the last minute")
    mode: Literal["embedded", "distributed"]
