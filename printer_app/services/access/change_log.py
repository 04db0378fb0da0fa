"""The change log as people read it: filtered, newest first, each field's change shown old → new."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.i18n import N_, gettext
from printer_app.models import EntityChangeLog, User
from printer_app.services.audit import ACTIONS
from printer_app.services.paging import allowed_page_size, clamp_page
from printer_app.services.validators import row_id

SYSTEM = "system"
OBJECT_LABELS = {
    "printer": N_("Printer"),
    "organization": N_("Organization"),
    "user": N_("User"),
    "alloweduser": N_("Whitelist entry"),
    "webparsingrule": N_("Web parsing rule"),
    "webparsingtemplate": N_("Web parsing template"),
}
# Field labels the change log holds that no form shows (audit.flag_change derives them from the column name).
STORED_LABELS = (
    N_("Is active"),
    N_("Is staff"),
    N_("Is superuser"),
    N_("Language"),
    N_("Groups"),
    N_("Initial groups"),
    N_("Notes"),
    N_("Email"),
    N_("Full name"),
)


@dataclass
class ChangeFilters:
    """Filters of the change log; empty values mean "any"."""

    object_type: str = ""
    action: str = ""
    user: str = ""  # a user id, or "system" for changes nobody signed in made (CLI, polls)
    date_from: date | None = None  # inclusive, in the display time zone
    date_to: date | None = None  # inclusive
    search: str = ""  # object_repr contains


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeRow:
    """One change-log entry, ready to show."""

    id: int
    timestamp: datetime
    action: str
    object_type: str
    object_label: str
    object_id: int
    object_repr: str
    user: str
    ip_address: str
    link: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ChangePage:
    rows: list[ChangeRow]
    total: int
    page: int
    page_size: int


def format_value(value: Any) -> str:
    """A stored old/new value as text: lists joined, booleans as yes/no, nothing as an em dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def object_link(object_type: str, object_id: int) -> str:
    """Where the changed object is shown in the app ("" when it has no page)."""
    if object_type == "printer":
        return f"/printers/{object_id}"
    if object_type == "organization":
        return "/organizations"
    return ""


def _bounds(filters: ChangeFilters, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The date range as UTC instants: from the start of `date_from` to the end of `date_to`, local time."""
    start = datetime.combine(filters.date_from, time(), tz) if filters.date_from else None
    end = datetime.combine(filters.date_to + timedelta(days=1), time(), tz) if filters.date_to else None
    return start, end


def _filtered(filters: ChangeFilters, tz: ZoneInfo):
    query = select(EntityChangeLog.id)
    if filters.object_type:
        query = query.where(EntityChangeLog.object_type == filters.object_type)
    if filters.action in ACTIONS:
        query = query.where(EntityChangeLog.action == filters.action)
    if filters.user == SYSTEM:
        query = query.where(EntityChangeLog.user_id.is_(None))
    elif (user_id := row_id(filters.user)) is not None:
        query = query.where(EntityChangeLog.user_id == user_id)
    start, end = _bounds(filters, tz)
    if start is not None:
        query = query.where(EntityChangeLog.timestamp >= start)
    if end is not None:
        query = query.where(EntityChangeLog.timestamp < end)
    if filters.search.strip():
        needle = filters.search.strip().lower()
        query = query.where(func.lower(EntityChangeLog.object_repr).contains(needle, autoescape=True))
    return query


def list_changes(
    session: Session,
    *,
    filters: ChangeFilters | None = None,
    page: int = 1,
    page_size: int = 50,
    tz: ZoneInfo | None = None,
) -> ChangePage:
    """One page of change-log entries, newest first; the page number is clamped to the pages there are."""
    base = _filtered(filters or ChangeFilters(), tz or get_settings().tz)
    page_size = allowed_page_size(page_size, 50)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page = clamp_page(page, total, page_size)
    ids = base.order_by(EntityChangeLog.timestamp.desc(), EntityChangeLog.id.desc())
    ids = ids.offset((page - 1) * page_size).limit(page_size)
    query = (
        select(EntityChangeLog, User.username)
        .outerjoin(User, User.id == EntityChangeLog.user_id)
        .where(EntityChangeLog.id.in_(ids.scalar_subquery()))
        .order_by(EntityChangeLog.timestamp.desc(), EntityChangeLog.id.desc())
    )
    rows = [_row(entry, username) for entry, username in session.exec(query).all()]
    return ChangePage(rows=rows, total=total, page=page, page_size=page_size)


def _row(entry: EntityChangeLog, username: str | None) -> ChangeRow:
    changes = [
        FieldChange(
            label=gettext((change or {}).get("label") or name.replace("_", " ").capitalize()),
            old=format_value((change or {}).get("old")),
            new=format_value((change or {}).get("new")),
        )
        for name, change in (entry.changes or {}).items()
    ]
    return ChangeRow(
        id=entry.id,
        timestamp=entry.timestamp,
        action=entry.action,
        object_type=entry.object_type,
        object_label=gettext(OBJECT_LABELS.get(entry.object_type, entry.object_type.replace("_", " ").capitalize())),
        object_id=entry.object_id,
        object_repr=_shown_repr(entry),
        user=username or gettext("system"),
        ip_address=entry.ip_address or "",
        link="" if entry.action == "delete" else object_link(entry.object_type, entry.object_id),
        changes=changes,
    )


def _shown_repr(entry: EntityChangeLog) -> str:
    """The stored "Printer 10.0.0.1" (audit._repr: class name, then a name) with the kind in the user's language."""
    kind, _, rest = entry.object_repr.partition(" ")
    label = OBJECT_LABELS.get(entry.object_type)
    if label and rest and kind.lower() == entry.object_type:
        return f"{gettext(label)} {rest}"
    return entry.object_repr


def change_filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Choices for the filters: the object types present in the log, and the users who made changes."""
    types = session.exec(select(EntityChangeLog.object_type).distinct().order_by(EntityChangeLog.object_type)).all()
    users = session.exec(
        select(User.id, User.username)
        .where(User.id.in_(select(EntityChangeLog.user_id).where(EntityChangeLog.user_id.is_not(None))))
        .order_by(func.lower(User.username))
    ).all()
    return {
        "object_types": [(t, gettext(OBJECT_LABELS.get(t, t.capitalize()))) for t in types],
        "users": [(str(i), name) for i, name in users],
    }
