"""Generic audit: who created, changed or deleted which printer, organization or user, field by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from printer_app.models import EntityChangeLog

ACTIONS = ("create", "update", "delete")
_TIMESTAMPS = {"date_joined", "last_login", "last_updated", "timestamp"}
_SECRETS = ("password", "secret", "token", "_key")


@dataclass(frozen=True)
class Actor:
    """Who made a change and from where; services that write the change log take one (None: the system did it)."""

    user_id: int | None = None
    ip: str | None = None
    user_agent: str = ""


def is_audited_field(name: str) -> bool:
    """Ids, versions, timestamps and secrets (passwords, keys, tokens) never reach the change log."""
    if name in ("id", "version") or name.endswith("_at") or name in _TIMESTAMPS:
        return False
    return not any(marker in name for marker in _SECRETS)


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: SQLModel) -> dict[str, Any]:
    """The object's audited column values, JSON-safe: take one before and one after an update."""
    return {
        name: _plain(getattr(obj, name))
        for name in type(obj).model_fields
        if is_audited_field(name) and name in obj.__table__.c
    }


def _label(name: str, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(name) or name.replace("_", " ").capitalize()


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, labels: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """{field: {old, new, label}} for every audited field whose value differs between the two dicts."""
    changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if is_audited_field(name) and old != new:
            changes[name] = {"old": old, "new": new, "label": _label(name, labels)}
    return changes


def record_change(
    session: Session,
    *,
    obj: SQLModel,
    action: str,
    user_id: int | None,
    changes: Mapping[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> EntityChangeLog | None:
    """Write one change-log row; `changes` defaults to every audited field for create (new) and delete (old).

    An update whose changes are empty writes nothing and returns None. Call it before deleting the object.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, not {action!r}")
    if changes is None:
        if action == "update":
            raise ValueError("an update needs its changes: diff(snapshot_before, snapshot(obj))")
        values = snapshot(obj)
        changes = diff({}, values) if action == "create" else diff(values, {})
    changes = {k: v for k, v in changes.items() if is_audited_field(k)}
    if action == "update" and not changes:
        return None
    if obj.id is None:
        session.flush()
    entry = EntityChangeLog(
        object_type=obj.__tablename__,
        object_id=obj.id,
        action=action,
        user_id=user_id,
        changes=changes,
        object_repr=_repr(obj)[:500],
        ip_address=(ip or None) and ip[:45],
        user_agent=(user_agent or "")[:500],
    )
    session.add(entry)
    return entry


def _repr(obj: SQLModel) -> str:
    for attr in ("username", "name", "ip_address", "serial_number"):
        value = getattr(obj, attr, None)
        if value:
            return f"{type(obj).__name__} {value}"
    return f"{type(obj).__name__} #{obj.id}"


def flag_change(name: str, old: object, new: object) -> dict[str, dict[str, object]]:
    """One field's change, in the shape EntityChangeLog stores."""
    return {name: {"old": old, "new": new, "label": name.replace("_", " ").capitalize()}}


def audit(
    session: Session, obj: SQLModel, action: str, actor: Actor | None, changes: Mapping[str, Any] | None = None
) -> EntityChangeLog | None:
    """`record_change` for a service given an Actor (None: the system itself, e.g. the CLI or a poll)."""
    actor = actor or Actor()
    who = {"user_id": actor.user_id, "ip": actor.ip, "user_agent": actor.user_agent}
    return record_change(session, obj=obj, action=action, changes=changes, **who)
