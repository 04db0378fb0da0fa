"""The SSO whitelist: who may sign in with OIDC, their initial groups, the list the page shows, and CSV import."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, select

from printer_app.i18n import N_, gettext
from printer_app.models import AllowedUser, User
from printer_app.services.access.auth import OIDC, end_user_sessions, normalize_username
from printer_app.services.access.roles import find_groups
from printer_app.services.access.users import person_errors, stamp_origin
from printer_app.services.audit import Actor, flag_change, record_change
from printer_app.services.concurrency import save_changes
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import too_long

MAX_NOTES = 2000
T = TypeVar("T")

# --- the whitelist (who may sign in with SSO) ------------------------------------------------------------------


def list_allowed_users(session: Session) -> list[AllowedUser]:
    """Every whitelist entry, by username."""
    return list(session.exec(select(AllowedUser).order_by(AllowedUser.username)).all())


@dataclass
class WhitelistRow:
    """One whitelist entry, with who added it."""

    id: int
    username: str
    email: str
    full_name: str
    is_active: bool
    notes: str
    initial_groups: list[str]
    added_at: datetime
    added_by: str


WHITELIST_SORTS = {
    "username": func.lower(AllowedUser.username),
    "full_name": func.lower(AllowedUser.full_name),
    "email": func.lower(AllowedUser.email),
    "active": AllowedUser.is_active,
    "added_at": AllowedUser.added_at,
}


def list_whitelist(
    session: Session, *, search: str = "", active: str = "", sort: str = "username", descending: bool = False
) -> list[WhitelistRow]:
    """Whitelist entries matching the search (username, name, email or notes contains), sorted."""
    query = select(AllowedUser, User.username).outerjoin(User, User.id == AllowedUser.added_by_id)
    if search.strip():
        needle = search.strip().lower()
        columns = (AllowedUser.username, AllowedUser.full_name, AllowedUser.email, AllowedUser.notes)
        query = query.where(or_(*(func.lower(col).contains(needle, autoescape=True) for col in columns)))
    if active == "active":
        query = query.where(AllowedUser.is_active)
    elif active == "inactive":
        query = query.where(AllowedUser.is_active.is_(False))
    column = WHITELIST_SORTS.get(sort, WHITELIST_SORTS["username"])
    query = query.order_by(column.desc() if descending else column.asc(), AllowedUser.id)
    return [
        WhitelistRow(
            id=entry.id,
            username=entry.username,
            email=entry.email,
            full_name=entry.full_name,
            is_active=entry.is_active,
            notes=entry.notes,
            initial_groups=list(entry.initial_groups or []),
            added_at=entry.added_at,
            added_by=added_by or "",
        )
        for entry, added_by in session.exec(query).all()
    ]


def get_allowed_user(session: Session, *, username: str) -> AllowedUser:
    """The whitelist entry of `username` (as typed: normalised first); NotFoundError when there is none."""
    name = normalize_username(username)
    entry = session.exec(select(AllowedUser).where(func.lower(AllowedUser.username) == name)).first()
    if entry is None:
        raise NotFoundError(gettext("'{name}' is not on the whitelist", name=name))
    return entry


def save_allowed_user(
    session: Session,
    *,
    username: str,
    email: str = "",
    full_name: str = "",
    initial_groups: list[str] | None = None,
    notes: str = "",
    actor_id: int | None = None,
    update_existing: bool = False,
    replace: bool = False,
    version: int | None = None,
) -> tuple[AllowedUser, bool]:
    """Add a whitelist entry (or, with `update_existing`, update its details); returns (entry, created). Audited.

    An update keeps a stored detail when the new value is empty (imports), unless `replace` (the edit form: what
    the form shows is what is stored, so a field can be cleared; an entry removed meanwhile is not added back).
    `version`: what the edit form loaded; the same details write nothing, a change after someone else's raises
    ConflictError."""
    name = normalize_username(username)
    email, full_name, notes = (email or "").strip(), " ".join((full_name or "").split()), (notes or "").strip()
    errors = person_errors(username=username, email=email, full_name=full_name)
    if not name:
        errors["username"] = gettext("Username is required")
    if problem := too_long(N_("Notes"), notes, MAX_NOTES):
        errors["notes"] = problem
    if errors:
        raise DomainValidationError(errors)
    groups = [g.name for g in find_groups(session, initial_groups or [])]
    entry = session.exec(select(AllowedUser).where(func.lower(AllowedUser.username) == name)).first()
    if entry is not None and not update_existing:
        raise DomainValidationError({"username": gettext("'{name}' is already on the whitelist", name=name)})
    if entry is None and replace:
        raise NotFoundError(
            gettext("'{name}' is no longer on the whitelist (removed meanwhile?): nothing was saved", name=name)
        )
    if entry is None:
        entry = AllowedUser(
            username=name, added_by_id=actor_id, email=email, full_name=full_name, initial_groups=groups, notes=notes
        )
        session.add(entry)
        session.flush()
        record_change(session, obj=entry, action="create", user_id=actor_id)
        return entry, True
    given = {"email": email, "full_name": full_name, "initial_groups": groups, "notes": notes}
    values = given if replace else {key: value for key, value in given.items() if value}
    save_changes(session, entry, values, version=version, actor=Actor(user_id=actor_id))
    return entry, False


def set_allowed_user_active(
    session: Session, *, username: str, active: bool, actor_id: int | None = None
) -> AllowedUser:
    """(De)activate an entry; deactivation signs the user's SSO sessions out, activation re-enables the account."""
    entry = get_allowed_user(session, username=username)
    save_changes(session, entry, {"is_active": bool(active)}, version=None, actor=Actor(user_id=actor_id))
    _sync_account(session, entry.username, active=active, actor_id=actor_id)
    return entry


def remove_allowed_user(session: Session, *, username: str, actor_id: int | None = None) -> None:
    """Delete an entry; the user's SSO sessions end at once (the account stays, for the audit trail)."""
    entry = get_allowed_user(session, username=username)
    record_change(session, obj=entry, action="delete", user_id=actor_id)
    session.delete(entry)
    _sync_account(session, entry.username, active=False, actor_id=actor_id)


def _sync_account(session: Session, username: str, *, active: bool, actor_id: int | None) -> None:
    user = session.exec(select(User).where(func.lower(User.username) == username.lower())).first()
    if user is None or user.is_staff or user.is_superuser:
        return
    if not active:
        end_user_sessions(session, user.id, auth_method=OIDC)
    elif not user.is_active:
        user.is_active = True
        record_change(
            session, obj=user, action="update", user_id=actor_id, changes=flag_change("is_active", False, True)
        )


@dataclass
class WhitelistImport:
    created: int = 0
    updated: int = 0


def import_allowed_users_csv(session: Session, text: str, *, actor_id: int | None = None) -> WhitelistImport:
    """Bulk add/update from CSV (username,email,full_name,groups; groups separated by ";"); all rows or none."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if "username" not in [(h or "").strip().lower() for h in reader.fieldnames or []]:
        raise DomainValidationError({"file": gettext("The CSV needs a header row with at least a 'username' column")})
    result, errors = WhitelistImport(), {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        groups = [g for g in row.get("groups", "").split(";") if g.strip()]
        try:  # save_allowed_user validates before it writes, so a refused row leaves nothing behind
            _, created = save_allowed_user(
                session,
                username=row.get("username", ""),
                email=row.get("email", ""),
                full_name=row.get("full_name", ""),
                initial_groups=groups,
                actor_id=actor_id,
                update_existing=True,
            )
        except DomainValidationError as exc:
            errors[gettext("line {n}", n=line)] = "; ".join(exc.errors.values())
            continue
        result.created += created
        result.updated += not created
    if errors:
        raise DomainValidationError(errors)
    return result


def as_actor(session: Session, actor: Actor, change: Callable[..., T], /, **kwargs: Any) -> T:
    """`change(session, actor_id=..., **kwargs)` for a page's user: the change-log rows it writes get their address.

    The whitelist changes take only the actor's id (the CLI has no address); the page knows where a request came
    from."""
    result = change(session, actor_id=actor.user_id, **kwargs)
    stamp_origin(session, actor)
    return result
