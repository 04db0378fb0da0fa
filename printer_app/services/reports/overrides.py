"""SerialEditOverride management for `/reports/settings` (docs/reports.md "Overrides and model specs").

Contract: an override unlocks (or force-locks) the end counters of one serial number until an optional expiry
(rules.auto_lock decides with it). Serials are unique after trimming and case-folding; a force lock needs a reason;
an expiry, when set, lies in the future. `save_override` and `delete_override` work in the caller's transaction
(flush, never commit), write nothing when they refuse (DomainValidationError / NotFoundError), log the change in the
EntityChangeLog and announce REPORTS_CHANGED {"month", "all": True} after the commit to every open month with a row
of the serial (old and new serial on a rename), so those tables re-read their locks. Who may do it
(`override_auto_lock`) is the caller's check.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.i18n import N_, gettext
from printer_app.models import MonthlyReport, SerialEditOverride, User
from printer_app.models.base import utcnow
from printer_app.services import events
from printer_app.services.audit import Actor, audit, diff
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import clamp_page
from printer_app.services.reports.formulas import fold
from printer_app.services.reports.month_admin import LATEST_EDIT_UNTIL, open_months
from printer_app.services.reports.months import month_key
from printer_app.services.reports.rules import as_utc

MAX_SERIAL = 128
MAX_REASON = 2000
MODES = ("unlock", "lock")
STATUSES = ("all", "active", "expired", "unlock", "lock")
SORTS = {"serial": "serial", "mode": "allow_manual_edit", "expires": "expires_at", "created": "created_at"}
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local"> value
LABELS = {"serial": N_("Serial number"), "mode": N_("Mode"), "expires": N_("Expires"), "reason": N_("Reason")}


@dataclass
class OverrideRow:
    """One override as the settings table lists it (times aware UTC; the page formats them)."""

    id: int
    serial: str
    unlock: bool
    expires_at: datetime | None
    expired: bool
    reason: str
    created_by: str
    created_at: datetime


@dataclass
class OverridePage:
    rows: list[OverrideRow]
    total: int
    page: int


def parse_expiry(text: object, tz: ZoneInfo) -> datetime | None:
    """A datetime-local text typed in the time zone `tz` as aware UTC; "" is no expiry."""
    value = str(text if text is not None else "").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value[:20], LOCAL_INPUT).replace(tzinfo=tz)
    except ValueError:
        raise DomainValidationError({"expires": gettext("Choose a date and a time, or leave it empty.")}) from None


def _clean(session: Session, override_id: int, serial: object, mode: object, expires_at, reason: object, now):
    """The checked values (serial, unlock, expires_at, reason) or every refusal at once, by field."""
    errors: dict[str, str] = {}
    text = str(serial if serial is not None else "").strip()
    if not text:
        errors["serial"] = gettext("Type the serial number.")
    elif any(unicodedata.category(ch) == "Cc" for ch in text):
        errors["serial"] = gettext("A serial number cannot hold control characters.")
    elif len(text) > MAX_SERIAL:
        errors["serial"] = gettext("A serial number has at most {n} characters.", n=MAX_SERIAL)
    elif other := _same_serial(session, text, override_id):
        errors["serial"] = gettext("There is already an override for the serial number “{serial}”.", serial=other)
    if mode not in MODES:
        errors["mode"] = gettext("Choose unlock or force lock.")
    if expires_at is not None:
        if not isinstance(expires_at, datetime) or expires_at.tzinfo is None:
            errors["expires"] = gettext("A moment needs its time zone.")
        elif expires_at <= now:
            errors["expires"] = gettext("The expiry must be in the future.")
        elif expires_at > LATEST_EDIT_UNTIL:
            errors["expires"] = gettext("That date is too far in the future.")
    why = str(reason if reason is not None else "").strip()
    if len(why) > MAX_REASON:
        errors["reason"] = gettext("A reason has at most {n} characters.", n=MAX_REASON)
    elif mode == "lock" and not why:
        errors["reason"] = gettext("A force lock needs a reason.")
    if errors:
        raise DomainValidationError(errors)
    return text, mode == "unlock", expires_at, why


def _same_serial(session: Session, serial: str, override_id: int) -> str | None:
    """The stored serial of another override equal to `serial` after trimming and case-folding, if any."""
    key = fold(serial)
    for other_id, other in session.execute(sa.select(SerialEditOverride.id, SerialEditOverride.serial)):
        if other_id != override_id and fold(other) == key:
            return other
    return None


def _view(row: SerialEditOverride) -> dict[str, object]:
    """The audited face of an override (the expiry under a name the change log keeps; `*_at` it skips)."""
    return {
        "serial": row.serial,
        "mode": "unlock" if row.allow_manual_edit else "lock",
        "expires": as_utc(row.expires_at).isoformat() if row.expires_at else None,
        "reason": row.reason,
    }


def save_override(
    session: Session,
    *,
    override_id: int = 0,
    serial: object,
    mode: object,
    expires_at: datetime | None,
    reason: object,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> SerialEditOverride:
    """Create (`override_id` 0) or change an override; refused with nothing written when any value is bad."""
    now = now or utcnow()
    row = None
    if override_id:
        row = session.get(SerialEditOverride, override_id)
        if row is None:
            raise NotFoundError(gettext("This override no longer exists."))
    serial, unlock, expires_at, reason = _clean(session, override_id, serial, mode, expires_at, reason, now)
    before = _view(row) if row is not None else {}
    old_serial = row.serial if row is not None else serial
    if row is None:
        row = SerialEditOverride(serial=serial, created_by_id=actor.user_id if actor else None)
        session.add(row)
    row.serial, row.allow_manual_edit, row.reason = serial, unlock, reason
    row.expires_at = expires_at.astimezone(UTC) if expires_at else None
    session.flush()
    changes = diff(before, _view(row), labels=LABELS)
    if changes:
        entry = audit(session, row, "update" if before else "create", actor, changes)
        if entry is not None:
            entry.object_repr = f"SerialEditOverride {row.serial}"[:500]
        announce_serials(session, [old_serial, serial], now)
    return row


def delete_override(session: Session, *, override_id: int, actor: Actor | None = None) -> str:
    """Delete an override (logged, announced); returns its serial."""
    row = session.get(SerialEditOverride, override_id)
    if row is None:
        raise NotFoundError(gettext("This override no longer exists."))
    entry = audit(session, row, "delete", actor, diff(_view(row), {}, labels=LABELS))
    if entry is not None:
        entry.object_repr = f"SerialEditOverride {row.serial}"[:500]
    serial = row.serial
    session.delete(row)
    session.flush()
    announce_serials(session, [serial])
    return serial


def months_with_serials(session: Session, serials: list[str], now: datetime | None = None) -> list[date]:
    """The open months with a row of any of `serials` (compared trimmed and case-folded, in every alphabet)."""
    wanted = {fold(s) for s in serials if fold(s)}
    months = open_months(session, now)
    if not wanted or not months:
        return []
    query = sa.select(MonthlyReport.month, MonthlyReport.serial_number).where(MonthlyReport.month.in_(months))
    return sorted({month for month, serial in session.execute(query.distinct()) if fold(serial) in wanted})


def announce_serials(session: Session, serials: list[str], now: datetime | None = None) -> None:
    """REPORTS_CHANGED (the whole month) after the commit for each open month with a row of these serials."""
    for month in months_with_serials(session, serials, now):
        events.publish_after_commit(session, events.REPORTS_CHANGED, {"month": month_key(month), "all": True})


def list_overrides(
    session: Session,
    *,
    search: str = "",
    status: str = "all",
    sort: str = "serial",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
    now: datetime | None = None,
) -> OverridePage:
    """One page of overrides: `search` in the serial or the reason, `status` one of STATUSES, sorted in SQL."""
    now = now or utcnow()
    o = SerialEditOverride
    query = sa.select(o, User.username).outerjoin(User, User.id == o.created_by_id)
    if text := search.strip():
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                sa.func.lower(o.serial).like(pattern, escape="\\"),
                sa.func.lower(o.reason).like(pattern, escape="\\"),
            )
        )
    active = sa.or_(o.expires_at.is_(None), o.expires_at > now)
    where = {
        "active": active,
        "expired": sa.not_(active),
        "unlock": o.allow_manual_edit.is_(True),
        "lock": o.allow_manual_edit.is_(False),
    }
    if status in where:
        query = query.where(where[status])
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    column = getattr(o, SORTS.get(sort, "serial"))
    order = [column.desc() if descending else column.asc(), o.id]
    if sort == "expires":  # no expiry sorts as "never", after every date
        order.insert(0, column.is_(None).desc() if descending else column.is_(None).asc())
    found = session.execute(query.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    rows = [
        OverrideRow(
            id=r.id,
            serial=r.serial,
            unlock=r.allow_manual_edit,
            expires_at=as_utc(r.expires_at) if r.expires_at else None,
            expired=r.expires_at is not None and as_utc(r.expires_at) <= now,
            reason=r.reason or "",
            created_by=username or "",
            created_at=as_utc(r.created_at),
        )
        for r, username in found
    ]
    return OverridePage(rows, total, page)
