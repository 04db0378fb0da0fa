"""Low-supply alerts: the rules applied to a printer's supply forecasts, one alert per supply per cartridge lifetime.

`evaluate_printer` runs after the printer's forecasts were refreshed (in a worker, never inside a poll): each active
rule of the printer's organization and each global rule (organization None) whose kinds include the supply's kind
raises an alert when the supply's level is below the rule's percentage, or its forecast empties it within the rule's
days. The unique constraint (rule, printer, supply, lifetime) makes a second evaluation of the same lifetime insert
nothing, on PostgreSQL even when two workers evaluate the printer at once (`INSERT ... ON CONFLICT DO NOTHING`). A
replacement starts a new lifetime: the alerts of the old one are cleared (`cleared_at`) and the rules may raise
them again. New and cleared alerts are announced (SUPPLY_ALERTS) once the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, or_, select

from printer_app.models import Printer
from printer_app.models.choices import SupplyState
from printer_app.models.supplies import SupplyAlert, SupplyAlertRule, SupplyForecast
from printer_app.services import events

BELOW_PERCENT = "below_percent"
EMPTY_WITHIN_DAYS = "empty_within_days"


def rule_kinds(rule: SupplyAlertRule) -> set[str]:
    """The supply kinds a rule watches; empty: every kind."""
    return {k.strip() for k in (rule.kinds or "").split(",") if k.strip()}


def reason_of(rule: SupplyAlertRule, forecast: SupplyForecast) -> str | None:
    """Why the supply meets the rule (BELOW_PERCENT before EMPTY_WITHIN_DAYS), or None when it does not."""
    kinds = rule_kinds(rule)
    if kinds and forecast.kind not in kinds:
        return None
    empty = forecast.state == SupplyState.EMPTY or forecast.forecast_status == "empty"
    level = forecast.level_percent
    if rule.below_percent is not None and (empty or (level is not None and level < rule.below_percent)):
        return BELOW_PERCENT
    if rule.empty_within_days is not None:
        if empty:
            return EMPTY_WITHIN_DAYS
        days = forecast.days_to_empty
        if forecast.forecast_status == "ok" and days is not None and days <= rule.empty_within_days:
            return EMPTY_WITHIN_DAYS
    return None


def rules_for(session: Session, organization_id: int | None) -> Sequence[SupplyAlertRule]:
    """The active rules that apply to a printer of this organization: its own and the global ones."""
    scope = SupplyAlertRule.organization_id.is_(None)
    if organization_id is not None:
        scope = or_(scope, SupplyAlertRule.organization_id == organization_id)
    query = select(SupplyAlertRule).where(SupplyAlertRule.is_active, scope).order_by(SupplyAlertRule.id)
    return session.exec(query).all()


def _insert_ignoring_duplicates(session: Session, rows: list[dict]) -> list[int]:
    """Insert alerts; a row another evaluation already inserted (the unique constraint) is skipped. The new ids."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:  # another database: one savepoint per row
        return _insert_with_savepoints(session, rows)
    statement = insert(SupplyAlert).values(rows).on_conflict_do_nothing().returning(SupplyAlert.id)
    return [row[0] for row in session.execute(statement)]


def _insert_with_savepoints(session: Session, rows: list[dict]) -> list[int]:
    ids = []
    for row in rows:
        try:
            with session.begin_nested():
                alert = SupplyAlert(**row)
                session.add(alert)
            ids.append(alert.id)
        except sa.exc.IntegrityError:
            continue
    return ids


def clear_replaced(session: Session, printer_id: int, forecasts: Iterable[SupplyForecast], now: datetime) -> list[int]:
    """Clear the open alerts of supplies whose cartridge was replaced since (their lifetime is not the current one)."""
    current = {f.supply_key: f.lifetime_started_at for f in forecasts if f.lifetime_started_at is not None}
    open_alerts = session.exec(
        select(SupplyAlert).where(SupplyAlert.printer_id == printer_id, SupplyAlert.cleared_at.is_(None))
    ).all()
    cleared = []
    for alert in open_alerts:
        started = current.get(alert.supply_key)
        if started is not None and started != alert.lifetime_started_at:
            alert.cleared_at = now
            cleared.append(alert.id)
    return cleared


def evaluate_printer(session: Session, printer_id: int, now: datetime | None = None) -> list[SupplyAlert]:
    """Raise the alerts the printer's supplies meet now (each once per lifetime), clear those of replaced cartridges.

    Returns the alerts raised by this call (none raised before); the caller commits, then SUPPLY_ALERTS goes out.
    An inactive or deleted printer raises nothing.
    """
    now = now or datetime.now(UTC)
    printer = session.get(Printer, printer_id)
    if printer is None:
        return []
    forecasts = session.exec(select(SupplyForecast).where(SupplyForecast.printer_id == printer_id)).all()
    cleared = clear_replaced(session, printer_id, forecasts, now)
    rows = []
    if printer.is_active:
        for rule in rules_for(session, printer.organization_id):
            for forecast in forecasts:
                if forecast.lifetime_started_at is None or (reason := reason_of(rule, forecast)) is None:
                    continue
                rows.append(
                    {
                        "rule_id": rule.id,
                        "printer_id": printer_id,
                        "supply_key": forecast.supply_key,
                        "lifetime_started_at": forecast.lifetime_started_at,
                        "reason": reason,
                        "level_percent": forecast.level_percent,
                        "days_to_empty": forecast.days_to_empty,
                        "created_at": now,
                        "delivery_error": "",
                    }
                )
    session.flush()
    new_ids = _insert_ignoring_duplicates(session, rows)
    raised = list(session.exec(select(SupplyAlert).where(SupplyAlert.id.in_(new_ids)))) if new_ids else []
    if new_ids or cleared:
        payload = {"alert_ids": new_ids, "printer_id": printer_id}
        if cleared:
            payload["cleared"] = cleared
        events.publish_after_commit(session, events.SUPPLY_ALERTS, payload)
    return raised
