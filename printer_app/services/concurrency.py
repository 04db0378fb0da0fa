"""Optimistic saves: a form's save names the version it loaded; a later change by someone else refuses it.

Every edit form of printers, organizations, users, whitelist entries and web rules saves through `save_changes`:
values equal to the stored ones write nothing (no version bump, no change-log row); otherwise the row's version is
claimed atomically (`models.versioning`) and the change logged. The refusal names who changed the object last and
when, from the change log (for printers also the poller's own log).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, select

from printer_app import i18n
from printer_app.config import get_settings
from printer_app.i18n import N_, gettext
from printer_app.models import EntityChangeLog, PrinterChangeLog, User, claim_next_version
from printer_app.models.base import utcnow
from printer_app.models.choices import TriggeredBy
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.errors import ConflictError

# One sentence per kind of object (a translation agrees in gender with the noun); `{who}` is "anna at 14:05".
REFUSALS = {
    "printer": N_("This printer was changed by {who} since you opened it; your changes were not saved."),
    "organization": N_("This organization was changed by {who} since you opened it; your changes were not saved."),
    "user": N_("This user was changed by {who} since you opened it; your changes were not saved."),
    "alloweduser": N_("This whitelist entry was changed by {who} since you opened it; your changes were not saved."),
    "webparsingrule": N_("This web rule was changed by {who} since you opened it; your changes were not saved."),
}
_RECORD_REFUSAL = N_("This record was changed by {who} since you opened it; your changes were not saved.")
_STAMPS = ("updated_at", "last_updated")


def save_changes(
    session: Session,
    obj: SQLModel,
    values: Mapping[str, Any],
    *,
    version: int | None,
    actor: Actor | None,
    labels: Mapping[str, str] | None = None,
    flush: Callable[[Session], None] = Session.flush,
) -> dict[str, Any]:
    """Set the `values` that differ from the stored ones; returns those (empty: nothing was written at all).

    `version` is what the form loaded (None: the version read in this transaction, for the CLI and imports).
    """
    changed = {key: value for key, value in values.items() if getattr(obj, key) != value}
    if not changed:
        return {}
    claim_version(session, obj, version)
    before = snapshot(obj)
    for key, value in changed.items():
        setattr(obj, key, value)
    for stamp in _STAMPS:
        if stamp in type(obj).model_fields:
            setattr(obj, stamp, utcnow())
    session.add(obj)
    flush(session)
    audit(session, obj, "update", actor, diff(before, snapshot(obj), labels=labels))
    return changed


def claim_version(session: Session, obj: SQLModel, version: int | None) -> None:
    """Move `obj` to its next version if it is still at `version`; ConflictError (nothing written) otherwise."""
    expected = obj.version if version is None else version
    if not claim_next_version(session, obj, expected):
        raise conflict(session, obj)


def conflict(session: Session, obj: SQLModel) -> ConflictError:
    """The refusal of a stale save: "This printer was changed by anna at 14:05 since you opened it; ..."."""
    who, when = last_change(session, obj)
    by = gettext("{who} at {time}", who=who, time=_clock(when)) if when else who
    message = gettext(REFUSALS.get(obj.__tablename__, _RECORD_REFUSAL), who=by)
    return ConflictError(message, changed_by=who, changed_at=when)


def last_change(session: Session, obj: SQLModel) -> tuple[str, datetime | None]:
    """Who changed the object last and when: the newest change-log row (and, for a printer, the poller's log).

    Who is a person's name or, in the current language, what did it ("the automatic poll", "the system").
    """
    entry = session.exec(
        select(EntityChangeLog.timestamp, EntityChangeLog.user_id, User.username, User.full_name)
        .outerjoin(User, User.id == EntityChangeLog.user_id)
        .where(EntityChangeLog.object_type == obj.__tablename__, EntityChangeLog.object_id == obj.id)
        .order_by(EntityChangeLog.timestamp.desc(), EntityChangeLog.id.desc())
    ).first()
    found: tuple[str, datetime | None] = (gettext("someone else"), None)
    if entry is not None:
        at, user_id, username, full_name = entry
        name = full_name or username or gettext("user #{id}", id=user_id)
        found = (name if user_id else gettext("the system")), at
    if obj.__tablename__ == "printer":
        poll = session.exec(
            select(PrinterChangeLog.timestamp, PrinterChangeLog.triggered_by)
            .where(PrinterChangeLog.printer_id == obj.id)
            .order_by(PrinterChangeLog.timestamp.desc(), PrinterChangeLog.id.desc())
        ).first()
        if poll is not None and (found[1] is None or poll[0] > found[1]):
            poller = gettext("the automatic poll") if poll[1] == TriggeredBy.AUTO_POLL else gettext("a poll")
            found = poller, poll[0]
    return found


def _clock(when: datetime) -> str:
    """HH:MM in the configured time zone, with the date when that was not today."""
    tz = get_settings().tz
    local = when.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == datetime.now(tz).date() else i18n.format_datetime(when, tz)
