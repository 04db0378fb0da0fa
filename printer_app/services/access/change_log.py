"""The change log as people read it: filtered, newest first, each field's change shown old → new."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.i18n import N_, gettext
from printer_app.models import EntityChangeLog, Printer, PrinterChangeLog, User
from printer_app.models.choices import ChangeAction, TriggeredBy
from printer_app.services.access.change_values import ACTION_LABELS, FieldChange, Names
from printer_app.services.audit import ACTIONS
from printer_app.services.paging import allowed_page_size, clamp_page
from printer_app.services.validators import row_id

SYSTEM = "system"  # changes nobody signed in made: the CLI, the poller
POLLER = "poller"  # the poller's own changes of a printer's identity (PrinterChangeLog)
POLL_ACTIONS = tuple(a.value for a in ChangeAction)
OBJECT_LABELS = {
    "printer": N_("Printer"),
    "organization": N_("Organization"),
    "user": N_("User"),
    "alloweduser": N_("Whitelist entry"),
    "webparsingrule": N_("Web parsing rule"),
    "webparsingtemplate": N_("Web parsing template"),
    "contractdevice": N_("Contract device"),
    "city": N_("City"),
    "manufacturer": N_("Manufacturer"),
    "devicemodel": N_("Device model"),
    "cartridge": N_("Cartridge"),
    "devicemodelcartridge": N_("Model cartridge"),
    "contractstatus": N_("Contract status"),
    "serviceprovider": N_("Service provider"),
    "contractimportsession": N_("Contract import"),
    "monthlyreport": N_("Monthly report row"),
    "serialeditoverride": N_("Serial edit override"),
    "printermodelspec": N_("Model spec"),
    "monthcontrol": N_("Month settings"),
    "supplyalertrule": N_("Supply alert rule"),
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
    user: str = ""  # a user id, "system" for changes nobody signed in made (CLI, polls), "poller" for polls only
    date_from: date | None = None  # inclusive, in the display time zone
    date_to: date | None = None  # inclusive
    search: str = ""  # object_repr contains
    object_id: int | None = None  # with object_type: one object's entries


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
    ip_address: str  # the person's client address ("" for the system and the poller)
    link: str  # "" when the object has no page or no longer exists
    changes: list[FieldChange] = field(default_factory=list)
    action_label: str = ""
    deleted: bool = False  # the object no longer exists
    shows: str = "both"  # "both" old → new, "new" (a creation), "old" (a deletion)
    note: str = ""  # the other printer of a replacement or an IP move
    how: str = ""  # for the poller: how the poll was started ("Automatic poll")


@dataclass
class ChangePage:
    rows: list[ChangeRow]
    total: int
    page: int
    page_size: int


def _bounds(filters: ChangeFilters, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The date range as UTC instants: from the start of `date_from` to the end of `date_to`, local time."""
    start = datetime.combine(filters.date_from, time(), tz) if filters.date_from else None
    end = datetime.combine(filters.date_to + timedelta(days=1), time(), tz) if filters.date_to else None
    return start, end


def _entity_ids(filters: ChangeFilters, tz: ZoneInfo):
    """The matching EntityChangeLog rows as (source, id, timestamp); None when none can match."""
    if (filters.action and filters.action not in ACTIONS) or filters.user == POLLER:
        return None
    query = select(literal("e").label("src"), EntityChangeLog.id.label("id"), EntityChangeLog.timestamp.label("at"))
    if filters.object_type:
        query = query.where(EntityChangeLog.object_type == filters.object_type)
        if filters.object_id is not None:
            query = query.where(EntityChangeLog.object_id == filters.object_id, EntityChangeLog.id >= _born(filters))
    if filters.action:
        query = query.where(EntityChangeLog.action == filters.action)
    if filters.user == SYSTEM:
        query = query.where(EntityChangeLog.user_id.is_(None))
    elif (user_id := row_id(filters.user)) is not None:
        query = query.where(EntityChangeLog.user_id == user_id)
    return _dated(query, EntityChangeLog.timestamp, filters, tz).where(*_contains(filters, EntityChangeLog.object_repr))


def _born(filters: ChangeFilters):
    """The id of the object's latest "create" entry (0 without one): SQLite reuses a deleted row's id, and the
    entries of the object that held the id before belong to that one, not to the object of today."""
    created = aliased(EntityChangeLog)
    latest = select(func.max(created.id)).where(
        created.object_type == filters.object_type,
        created.object_id == filters.object_id,
        created.action == "create",
    )
    return func.coalesce(latest.scalar_subquery(), 0)


def _poller_ids(filters: ChangeFilters, tz: ZoneInfo):
    """The matching PrinterChangeLog rows (the poller's own changes) as (source, id, timestamp); None for none."""
    if filters.object_type not in ("", "printer") or (filters.action and filters.action not in POLL_ACTIONS):
        return None
    if filters.user not in ("", SYSTEM, POLLER):
        return None
    query = select(literal("p").label("src"), PrinterChangeLog.id.label("id"), PrinterChangeLog.timestamp.label("at"))
    if filters.object_type and filters.object_id is not None:
        query = query.where(PrinterChangeLog.printer_id == filters.object_id)
    if filters.action:
        query = query.where(PrinterChangeLog.action == filters.action)
    if filters.search.strip():
        query = query.join(Printer, Printer.id == PrinterChangeLog.printer_id)
        query = query.where(or_(*_contains(filters, Printer.ip_address), *_contains(filters, Printer.serial_number)))
    return _dated(query, PrinterChangeLog.timestamp, filters, tz)


def _dated(query, column, filters: ChangeFilters, tz: ZoneInfo):
    start, end = _bounds(filters, tz)
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column < end)
    return query


def _contains(filters: ChangeFilters, column) -> list:
    needle = filters.search.strip().lower()
    return [func.lower(column).contains(needle, autoescape=True)] if needle else []


def list_changes(
    session: Session,
    *,
    filters: ChangeFilters | None = None,
    page: int = 1,
    page_size: int = 50,
    tz: ZoneInfo | None = None,
) -> ChangePage:
    """One page of the people's changes and the poller's, newest first; the page number is clamped to the pages
    there are."""
    filters = filters or ChangeFilters()
    tz = tz or get_settings().tz
    parts = [q for q in (_entity_ids(filters, tz), _poller_ids(filters, tz)) if q is not None]
    page_size = allowed_page_size(page_size, 50)
    if not parts:
        return ChangePage(rows=[], total=0, page=1, page_size=page_size)
    both = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    total = session.exec(select(func.count()).select_from(both)).one()
    page = clamp_page(page, total, page_size)
    keys = session.exec(
        select(both.c.src, both.c.id)
        .order_by(both.c.at.desc(), both.c.src, both.c.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    entity_ids = [i for src, i in keys if src == "e"]
    poll_ids = [i for src, i in keys if src == "p"]
    entries = {
        ("e", e.id): (e, name)
        for e, name in session.exec(
            select(EntityChangeLog, User.username)
            .outerjoin(User, User.id == EntityChangeLog.user_id)
            .where(EntityChangeLog.id.in_(entity_ids))
        ).all()
    }
    polls = {("p", p.id): p for p in session.exec(select(PrinterChangeLog).where(PrinterChangeLog.id.in_(poll_ids)))}
    stored = [e.changes or {} for e, _ in entries.values()]
    values = [{k: (v or {}).get(side) for k, v in c.items()} for c in stored for side in ("old", "new")]
    for p in polls.values():
        values += [p.old_values or {}, p.new_values or {}, {"printer_id": p.related_printer_id}]
    objects = [(e.object_type, e.object_id) for e, _ in entries.values()]
    names = Names(session, values, [*objects, *(("printer", p.printer_id) for p in polls.values())])
    rows = [
        _row(names, *entries[key]) if key[0] == "e" else _poll_row(names, polls[key])
        for key in map(tuple, keys)
        if key in entries or key in polls
    ]
    return ChangePage(rows=rows, total=total, page=page, page_size=page_size)


def _row(names: Names, entry: EntityChangeLog, username: str | None) -> ChangeRow:
    stored = entry.changes or {}
    old = {k: (v or {}).get("old") for k, v in stored.items()}
    new = {k: (v or {}).get("new") for k, v in stored.items()}
    labels = {k: (v or {}).get("label") or "" for k, v in stored.items()}
    return ChangeRow(
        id=entry.id,
        timestamp=entry.timestamp,
        action=entry.action,
        action_label=gettext(ACTION_LABELS.get(entry.action, entry.action)),
        object_type=entry.object_type,
        object_label=gettext(OBJECT_LABELS.get(entry.object_type, entry.object_type.replace("_", " ").capitalize())),
        object_id=entry.object_id,
        object_repr=_shown_repr(entry),
        user=username or gettext("system"),
        ip_address=entry.ip_address or "",
        link=names.link(entry.object_type, entry.object_id),
        deleted=entry.object_type in OBJECT_LABELS and not names.exists(entry.object_type, entry.object_id),
        changes=names.changes(old, new, labels, skip_empty=entry.action != "update"),
        shows={"create": "new", "delete": "old"}.get(entry.action, "both"),
    )


def _poll_row(names: Names, entry: PrinterChangeLog) -> ChangeRow:
    exists = names.exists("printer", entry.printer_id)
    ip = names.names.get("printer", {}).get(entry.printer_id, "")
    how = TriggeredBy(entry.triggered_by).text if entry.triggered_by in set(TriggeredBy) else entry.triggered_by
    note = ""
    if entry.related_printer_id:
        note = gettext("Other printer: {printer}", printer=names.printer(entry.related_printer_id))
    return ChangeRow(
        id=entry.id,
        timestamp=entry.timestamp,
        action=entry.action,
        action_label=gettext(ACTION_LABELS.get(entry.action, entry.action)),
        object_type="printer",
        object_label=gettext("Printer"),
        object_id=entry.printer_id,
        object_repr=f"{gettext('Printer')} {ip}".strip(),
        user=gettext("poller"),
        ip_address="",
        how=how,
        link=names.link("printer", entry.printer_id),
        deleted=not exists,
        changes=names.changes(entry.old_values or {}, entry.new_values or {}, {}),
        note=note,
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
    types = set(session.exec(select(EntityChangeLog.object_type).distinct()).all())
    if session.exec(select(PrinterChangeLog.id).limit(1)).first() is not None:
        types.add("printer")
    users = session.exec(
        select(User.id, User.username)
        .where(User.id.in_(select(EntityChangeLog.user_id).where(EntityChangeLog.user_id.is_not(None))))
        .order_by(func.lower(User.username))
    ).all()
    return {
        "object_types": [(t, gettext(OBJECT_LABELS.get(t, t.capitalize()))) for t in sorted(types)],
        "users": [(str(i), name) for i, name in users],
    }
