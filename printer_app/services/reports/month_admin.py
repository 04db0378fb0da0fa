"""Managing a month from the month list (docs/reports.md §10.1, §10.5): publish or hide it, set how long it stays
editable (None closes it), switch auto-sync from inventory, delete it. A month without a control row gets one on
its first change. Each function works in the caller's transaction (flushes, never commits) and announces the
change (REPORTS_CHANGED, the whole month) once that transaction commits. Publish, auto-sync and edit-until changes
are audited in the EntityChangeLog (object "Month YYYY-MM", the actor given; a new control row is a "create").
`open_months` names the months that are editable now (the ones whose tables follow lock and spec changes)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.i18n import N_, gettext
from printer_app.models import BulkChangeLog, CounterChangeLog, MonthControl, MonthlyReport
from printer_app.models.base import utcnow
from printer_app.models.choices import BulkOperation
from printer_app.services import events
from printer_app.services.audit import Actor, audit, snapshot
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.reports.months import month_key
from printer_app.services.reports.visibility import month_control

LATEST_EDIT_UNTIL = datetime(2999, 12, 31, tzinfo=UTC)
LABELS = {"is_published": N_("Published"), "auto_sync_enabled": N_("Auto-sync"), "edit_until": N_("Editable until")}


def month_row_count(session: Session, month: date) -> int:
    return session.execute(sa.select(sa.func.count()).where(MonthlyReport.month == month)).scalar_one()


def _existing_control(session: Session, month: date) -> tuple[MonthControl, bool]:
    """The month's control row and whether it is new: created (unpublished, closed, auto-sync on) when the month has
    rows but none yet; NotFoundError when the month has neither."""
    control = month_control(session, month)
    if control is not None:
        return control, False
    if not month_row_count(session, month):
        raise NotFoundError(gettext("There is no report for {month}.", month=month_key(month)))
    control = MonthControl(month=month, edit_until=None, is_published=False, auto_sync_enabled=True)
    session.add(control)
    return control, True


def _changed(session: Session, month: date) -> None:
    session.flush()
    events.publish_after_commit(session, events.REPORTS_CHANGED, {"month": month_key(month), "all": True})


def _set(session: Session, month: date, field: str, value: object, actor: Actor | None) -> MonthControl:
    """Set one field of the month's control row, audit it (nothing is logged when the value stays) and announce it."""
    control, created = _existing_control(session, month)
    before = snapshot(control)
    setattr(control, field, value)
    session.flush()
    after = snapshot(control)
    changes = None if created else {field: {"old": before[field], "new": after[field], "label": LABELS[field]}}
    if created or before[field] != after[field]:
        entry = audit(session, control, "create" if created else "update", actor, changes)
        if entry is not None:
            entry.object_repr = f"Month {month_key(month)}"
    _changed(session, month)
    return control


def set_published(session: Session, *, month: date, published: bool, actor: Actor | None = None) -> MonthControl:
    """Publish the month (every user with report access sees it) or hide it (only visibility managers do)."""
    return _set(session, month, "is_published", bool(published), actor)


def set_auto_sync(session: Session, *, month: date, enabled: bool, actor: Actor | None = None) -> MonthControl:
    """Whether polls keep filling the month's end counters while it is editable (§10.6)."""
    return _set(session, month, "auto_sync_enabled", bool(enabled), actor)


def set_edit_until(
    session: Session, *, month: date, edit_until: datetime | None, actor: Actor | None = None
) -> MonthControl:
    """Keep the month editable until a moment (aware, any zone; stored in UTC), or close it (None)."""
    if edit_until is not None:
        if edit_until.tzinfo is None:
            raise DomainValidationError({"edit_until": gettext("A moment needs its time zone.")})
        if edit_until > LATEST_EDIT_UNTIL:
            raise DomainValidationError({"edit_until": gettext("That date is too far in the future.")})
        edit_until = edit_until.astimezone(UTC)
    return _set(session, month, "edit_until", edit_until, actor)


def open_months(session: Session, now: datetime | None = None) -> list[date]:
    """The months editable at `now` (their control row's edit_until is later), oldest first."""
    moment = now or utcnow()
    query = sa.select(MonthControl.month).where(MonthControl.edit_until.is_not(None), MonthControl.edit_until > moment)
    return sorted(session.execute(query).scalars())


def delete_month(session: Session, *, month: date, actor: Actor | None = None) -> int:
    """Delete the month's rows, their counter logs and its control row, logged as BulkChangeLog `month_delete`
    (in the caller's transaction: all or nothing). Returns how many rows were deleted."""
    control = month_control(session, month)
    rows = month_row_count(session, month)
    if control is None and not rows:
        raise NotFoundError(gettext("There is no report for {month}.", month=month_key(month)))
    started = utcnow()
    ids = sa.select(MonthlyReport.id).where(MonthlyReport.month == month).scalar_subquery()
    session.execute(sa.delete(CounterChangeLog).where(CounterChangeLog.report_id.in_(ids)))
    session.execute(sa.delete(MonthlyReport).where(MonthlyReport.month == month))
    if control is not None:
        session.delete(control)
    session.add(
        BulkChangeLog(
            user_id=actor.user_id if actor else None,
            operation_type=BulkOperation.MONTH_DELETE.value,
            month=month,
            records_affected=rows,
            params={"month": month_key(month), "had_control": control is not None},
            started_at=started,
            finished_at=utcnow(),
            success=True,
            ip_address=actor.ip if actor else None,
        )
    )
    _changed(session, month)
    return rows
