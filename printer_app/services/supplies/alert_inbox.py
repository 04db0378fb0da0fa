"""The in-app alert list: which alerts a user sees, read / unread, filters, sort and paging.

Who sees an alert: every user who may see printers (`inventory.view_printer`; the app has no per-organization
scoping of printers, so that is everyone who may see the alert's printer), for rules delivered in the app
(`in_app`). The page checks the permission; this module filters by rule and keeps each user's reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, func, select

from printer_app.db import unicode_lower
from printer_app.models import DeviceModel, Organization, Printer
from printer_app.models.supplies import SupplyAlert, SupplyAlertRead, SupplyAlertRule, SupplyForecast
from printer_app.services.paging import allowed_page_size, clamp_page
from printer_app.services.supplies.keys import kind_and_color

VIEW = ("inventory.access_inventory_app", "inventory.view_printer")
ALERT_SORTS = {
    "created_at": SupplyAlert.created_at,
    "printer": Printer.ip_numeric,
    "organization": Organization.name,
    "level": SupplyAlert.level_percent,
    "days": SupplyAlert.days_to_empty,
    "rule": SupplyAlertRule.name,
}
STATUSES = ("active", "cleared", "all")
READS = ("all", "unread", "read")


@dataclass
class AlertFilters:
    status: str = "active"
    read: str = "all"
    organization_id: int | None = None
    reason: str = ""
    search: str = ""


@dataclass
class AlertRow:
    id: int
    created_at: datetime
    printer_id: int
    ip: str
    model: str
    organization: str
    supply_key: str
    kind: str
    color: str
    description: str
    reason: str
    level_percent: int | None
    days_to_empty: float | None
    rule: str
    cleared_at: datetime | None
    read: bool


@dataclass
class AlertPage:
    rows: list[AlertRow] = field(default_factory=list)
    total: int = 0
    page: int = 1


def _visible(user_id: int):
    """The alerts of in-app rules with the user's read row (or None) beside them."""
    read = sa.orm.aliased(SupplyAlertRead)
    query = (
        select(SupplyAlert, read.id)
        .join(SupplyAlertRule, SupplyAlertRule.id == SupplyAlert.rule_id)
        .outerjoin(read, (read.alert_id == SupplyAlert.id) & (read.user_id == user_id))
        .where(SupplyAlertRule.in_app)
    )
    return query, read


def unread_count(session: Session, *, user_id: int) -> int:
    """Open (not cleared) alerts the user has not read: the bell's number."""
    query, read = _visible(user_id)
    query = query.where(SupplyAlert.cleared_at.is_(None), read.id.is_(None))
    return session.exec(select(func.count()).select_from(query.subquery())).one()


def list_alerts(
    session: Session,
    *,
    user_id: int,
    filters: AlertFilters,
    sort: str = "created_at",
    descending: bool = True,
    page: int = 1,
    page_size: int = 25,
) -> AlertPage:
    query, read = _visible(user_id)
    query = (
        query.add_columns(
            Printer.ip_address,
            func.coalesce(DeviceModel.name, Printer.model),
            Organization.name,
            SupplyForecast.kind,
            SupplyForecast.color,
            SupplyForecast.description,
            SupplyAlertRule.name,
        )
        .join(Printer, Printer.id == SupplyAlert.printer_id)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(
            SupplyForecast,
            (SupplyForecast.printer_id == SupplyAlert.printer_id)
            & (SupplyForecast.supply_key == SupplyAlert.supply_key),
        )
    )
    if filters.status == "active":
        query = query.where(SupplyAlert.cleared_at.is_(None))
    elif filters.status == "cleared":
        query = query.where(SupplyAlert.cleared_at.is_not(None))
    if filters.read == "unread":
        query = query.where(read.id.is_(None))
    elif filters.read == "read":
        query = query.where(read.id.is_not(None))
    if filters.organization_id is not None:
        query = query.where(Printer.organization_id == filters.organization_id)
    if filters.reason:
        query = query.where(SupplyAlert.reason == filters.reason)
    if text := (filters.search or "").strip().lower():
        pattern = f"%{text}%"
        query = query.where(
            sa.or_(
                Printer.ip_address.like(pattern),
                unicode_lower(func.coalesce(DeviceModel.name, Printer.model)).like(pattern),
                unicode_lower(func.coalesce(Organization.name, "")).like(pattern),
                unicode_lower(SupplyAlertRule.name).like(pattern),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page_size = allowed_page_size(page_size, 25)
    page = clamp_page(page, total, page_size)
    column = ALERT_SORTS.get(sort, SupplyAlert.created_at)
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    query = query.order_by(order, SupplyAlert.id.desc()).offset((page - 1) * page_size).limit(page_size)
    rows = []
    for alert, read_id, ip, model, org, kind, color, description, rule in session.exec(query).all():
        key_kind, key_color = kind_and_color(alert.supply_key)
        rows.append(
            AlertRow(
                id=alert.id,
                created_at=alert.created_at,
                printer_id=alert.printer_id,
                ip=ip,
                model=model or "",
                organization=org or "",
                supply_key=alert.supply_key,
                kind=kind or key_kind,
                color=color or key_color,
                description=description or "",
                reason=alert.reason,
                level_percent=alert.level_percent,
                days_to_empty=alert.days_to_empty,
                rule=rule,
                cleared_at=alert.cleared_at,
                read=read_id is not None,
            )
        )
    return AlertPage(rows=rows, total=total, page=page)


def _insert_reads(session: Session, rows: list[dict]) -> int:
    if not rows:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(SupplyAlertRead).values(rows).on_conflict_do_nothing().returning(SupplyAlertRead.id)
    return len(session.execute(statement).all())


def mark_read(session: Session, *, user_id: int, alert_ids: list[int]) -> int:
    """Mark these alerts read for the user (those visible to them); already read ones stay as they were."""
    ids = [i for i in alert_ids if isinstance(i, int) and not isinstance(i, bool)][:1000]
    if not ids:
        return 0
    query, _read = _visible(user_id)
    visible = session.execute(query.where(SupplyAlert.id.in_(ids)).with_only_columns(SupplyAlert.id)).scalars().all()
    now = datetime.now(UTC)
    return _insert_reads(session, [{"alert_id": i, "user_id": user_id, "read_at": now} for i in visible])


def mark_unread(session: Session, *, user_id: int, alert_id: int) -> None:
    session.execute(
        sa.delete(SupplyAlertRead).where(SupplyAlertRead.alert_id == alert_id, SupplyAlertRead.user_id == user_id)
    )


def mark_all_read(session: Session, *, user_id: int) -> int:
    """Every unread alert the user sees, read now."""
    query, read = _visible(user_id)
    ids = session.execute(query.where(read.id.is_(None)).with_only_columns(SupplyAlert.id)).scalars().all()
    now = datetime.now(UTC)
    done = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        done += _insert_reads(session, [{"alert_id": i, "user_id": user_id, "read_at": now} for i in chunk])
    return done
