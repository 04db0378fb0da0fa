"""Fleet-wide figures for the dashboard: counts, lowest supplies, poll outcomes per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.models import DeviceModel, InventoryTask, Manufacturer, Organization, PageCounter, Printer, SupplyLevel
from printer_app.models.base import utcnow
from printer_app.models.choices import TaskStatus
from printer_app.services.days import local_day
from printer_app.services.inventory.device_models import MODEL_DISPLAY
from printer_app.services.inventory.health import GROUPS, in_group
from printer_app.services.inventory.organizations import active_organizations
from printer_app.services.reports.charts import SlaFigure, lowest_sla
from printer_app.services.validators import row_id

NO_ORGANIZATION = "none"  # the organization filter's value for printers without one (as the printers list's `org`)
LOW_SUPPLY_PERCENT = 20  # "show all" of the lowest supplies lists the printers with a supply below this


@dataclass
class FleetCounts:
    """Printer counts; the groups (services/inventory/health.py) count active printers and add up to `active`."""

    total: int
    active: int
    ok_24h: int
    stale: int
    failing: int
    never_polled: int


def fleet_counts(session: Session, *, now: datetime | None = None) -> FleetCounts:
    """All printers, the active ones, and the active ones per group: ok in 24 h, stale, failing, never polled."""
    now = now or utcnow()
    active = Printer.is_active
    row = session.exec(
        select(
            func.count(Printer.id),
            func.count(Printer.id).filter(active),
            *(func.count(Printer.id).filter(active, in_group(group, now=now)) for group in GROUPS),
        )
    ).one()
    return FleetCounts(*row)


@dataclass
class LowSupply:
    printer_id: int
    ip_address: str
    organization: str
    model: str
    description: str
    color: str
    percent: int


def organization_filter(value: object) -> str:
    """A filter value as sent by a browser, made safe: an organization id, NO_ORGANIZATION, or "" (all)."""
    if value == NO_ORGANIZATION:
        return NO_ORGANIZATION
    org_id = row_id(value)
    return str(org_id) if org_id else ""  # ids start at 1


def lowest_supplies(session: Session, *, limit: int = 10, organization: str = "") -> list[LowSupply]:
    """The emptiest consumables of active printers, read from each printer's latest successful poll.

    `organization` (see `organization_filter`) keeps those of one organization's printers, or of printers without one.
    """
    query = (
        select(
            Printer.id,
            Printer.ip_address,
            Organization.name,
            MODEL_DISPLAY,
            SupplyLevel.description,
            SupplyLevel.color,
            SupplyLevel.percent,
        )
        .join(PageCounter, PageCounter.id == Printer.last_counter_id)
        .join(SupplyLevel, SupplyLevel.task_id == PageCounter.task_id)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .where(Printer.is_active, SupplyLevel.percent.is_not(None))
    )
    organization = organization_filter(organization)
    if organization == NO_ORGANIZATION:
        query = query.where(Printer.organization_id.is_(None))
    elif organization:
        query = query.where(Printer.organization_id == int(organization))
    rows = session.exec(query.order_by(SupplyLevel.percent.asc(), Printer.id).limit(limit)).all()
    return [LowSupply(pid, ip, org or "", m or "", d, c or "other", p) for pid, ip, org, m, d, c, p in rows]


def poll_outcomes_per_day(session: Session, *, tz: ZoneInfo, days: int = 30) -> list[dict]:
    """Poll attempts per local calendar day and status for the last `days` days, oldest first."""
    now_local = utcnow().astimezone(tz)
    start_local = (now_local - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    dialect = session.get_bind().dialect.name
    day = local_day(InventoryTask.task_timestamp, tz=tz, dialect=dialect, since=start_local, until=now_local)
    rows = session.exec(
        select(day.label("day"), InventoryTask.status, func.count())
        .where(InventoryTask.task_timestamp >= start_local)
        .group_by("day", InventoryTask.status)
    ).all()
    by_day = {
        (start_local + timedelta(days=i)).strftime("%Y-%m-%d"): {s.value: 0 for s in TaskStatus if s != "NEVER_RUN"}
        for i in range(days)
    }
    for d, status, n in rows:
        if d in by_day:
            by_day[d][status] = n
    return [{"day": d[5:], **counts} for d, counts in by_day.items()]


@dataclass
class Dashboard:
    """Everything the dashboard shows, read in one session."""

    counts: FleetCounts
    low_supplies: list[LowSupply]
    outcomes: list[dict]
    organizations: list[tuple[int, str]]  # the choices of the lowest supplies' organization filter
    sla: list[SlaFigure]  # last month's lowest K1 per organization (empty when not asked for)


def dashboard(
    session: Session,
    *,
    tz: ZoneInfo,
    supplies: int = 10,
    days: int = 30,
    organization: str = "",
    sla: bool | None = None,
) -> Dashboard:
    """The fleet counts, the `supplies` emptiest consumables (of `organization`, see `organization_filter`), the
    poll outcomes of the last `days` days and, unless `sla` is None, the SLA card's figures (`sla`: whether
    unpublished months count; one aggregate query)."""
    return Dashboard(
        counts=fleet_counts(session),
        low_supplies=lowest_supplies(session, limit=supplies, organization=organization),
        outcomes=poll_outcomes_per_day(session, tz=tz, days=days),
        organizations=active_organizations(session),
        sla=[] if sla is None else lowest_sla(session, can_manage=sla, limit=5),
    )
