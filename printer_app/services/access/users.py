"""User management: the accounts table, creating local users, (de)activating and groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from printer_app.i18n import N_, gettext
from printer_app.models import EntityChangeLog, Group, GroupPermission, Permission, User, UserGroup
from printer_app.services.access.auth import (
    check_password_strength,
    create_local_user,
    end_user_sessions,
    normalize_username,
)
from printer_app.services.access.roles import ROLES, find_groups, group_label, set_user_groups, user_group_names
from printer_app.services.audit import Actor
from printer_app.services.concurrency import claim_version, save_changes
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import PAGE_SIZES, allowed_page_size, clamp_page
from printer_app.services.validators import parse_id, too_long

MANAGE_USERS = "access.manage_users"
USER_LABELS = {
    "is_active": N_("Active"),
    "full_name": N_("Full name"),
    "is_superuser": N_("Superuser"),
    "is_staff": N_("Staff"),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PASSWORD = 256  # argon2 takes any length; a megabyte "password" would only cost CPU
_KIND = case((User.password_hash.is_not(None), "local"), else_="sso")
USER_SORTS = {
    "username": func.lower(User.username),
    "full_name": func.lower(User.full_name),
    "email": func.lower(User.email),
    "kind": _KIND,
    "active": User.is_active,
    "superuser": User.is_superuser,
    "last_login": User.last_login,
}


@dataclass
class GroupOption:
    """A bootstrapped group as the pickers show it: the English name (the value), the Russian label, and its name in
    the current language (`label`) with the other language's name beneath (`alt`)."""

    name: str
    label_ru: str
    label: str = ""
    alt: str = ""


@dataclass
class UserFilters:
    """Filters of the accounts table; empty strings mean "any"."""

    search: str = ""  # username, full name or email contains
    kind: str = ""  # "local" | "sso"
    active: str = ""  # "active" | "inactive"
    group: str = ""  # a group name


@dataclass
class UserRow:
    """One line of the accounts table."""

    id: int
    username: str
    full_name: str
    email: str
    kind: str  # "local" (has a password) or "sso"
    is_active: bool
    is_superuser: bool
    groups: list[str] = field(default_factory=list)
    last_login: datetime | None = None


@dataclass
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    page_size: int


def group_options(session: Session) -> list[GroupOption]:
    """Every group, in the order of the role catalogue (groups made by hand follow, by name)."""
    order = {role.name: index for index, role in enumerate(ROLES)}
    groups = sorted(session.exec(select(Group)).all(), key=lambda g: (order.get(g.name, len(order)), g.name))
    options = []
    for g in groups:
        label = group_label(g.name, g.label_ru)
        options.append(GroupOption(g.name, g.label_ru, label, g.label_ru if label == g.name else g.name))
    return options


def _filtered(filters: UserFilters):
    query = select(User.id)
    if filters.search.strip():
        needle = filters.search.strip().lower()
        query = query.where(
            or_(
                *(
                    func.lower(col).contains(needle, autoescape=True)
                    for col in (User.username, User.full_name, User.email)
                )
            )
        )
    if filters.kind == "local":
        query = query.where(User.password_hash.is_not(None))
    elif filters.kind == "sso":
        query = query.where(User.password_hash.is_(None))
    if filters.active == "active":
        query = query.where(User.is_active)
    elif filters.active == "inactive":
        query = query.where(User.is_active.is_(False))
    if filters.group:
        members = (
            select(UserGroup.user_id).join(Group, Group.id == UserGroup.group_id).where(Group.name == filters.group)
        )
        query = query.where(User.id.in_(members))
    return query


def list_users(
    session: Session,
    *,
    filters: UserFilters | None = None,
    sort: str = "username",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> UserPage:
    """One page of accounts with their group names; the page number is clamped to the pages there are."""
    base = _filtered(filters or UserFilters())
    page_size = allowed_page_size(page_size, PAGE_SIZES[0])
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page = clamp_page(page, total, page_size)
    column = USER_SORTS.get(sort, USER_SORTS["username"])
    order = (column.desc() if descending else column.asc()).nulls_last()
    ids_query = base.order_by(order, User.id).offset((page - 1) * page_size).limit(page_size)
    ids = list(session.exec(ids_query).all())
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()}
    groups: dict[int, list[str]] = {}
    memberships = session.exec(
        select(UserGroup.user_id, Group.name)
        .join(Group, Group.id == UserGroup.group_id)
        .where(UserGroup.user_id.in_(ids))
        .order_by(Group.name)
    ).all()
    for user_id, name in memberships:
        groups.setdefault(user_id, []).append(name)
    rows = [_row(users[i], groups.get(i, [])) for i in ids]
    return UserPage(rows=rows, total=total, page=page, page_size=page_size)


def _row(user: User, groups: list[str]) -> UserRow:
    return UserRow(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        kind="local" if user.password_hash is not None else "sso",
        is_active=user.is_active,
        is_superuser=user.is_superuser,
        groups=groups,
        last_login=user.last_login,
    )


def get_user(session: Session, *, user_id: int) -> User:
    ident = parse_id(user_id)
    user = session.get(User, ident) if ident is not None else None
    if user is None:
        raise NotFoundError(gettext("User #{id} does not exist", id=user_id))
    return user


@dataclass
class UserGroups:
    """What the groups dialog loads: whose groups they are, the user's version then, and the group names."""

    user_id: int
    username: str
    version: int
    groups: list[str]


def user_groups(session: Session, *, user_id: int) -> UserGroups:
    """A user's groups as stored now, with the version a save of them must name; NotFoundError for no such user."""
    user = get_user(session, user_id=user_id)
    return UserGroups(user.id, user.username, user.version, user_group_names(session, user.id))


def person_errors(*, username: str, email: str, full_name: str) -> dict[str, str]:
    """Messages for the person fields accounts and whitelist entries share: the sizes of their columns."""
    errors = {}
    for name, label, value, limit in (
        ("username", N_("Username"), (username or "").strip(), 150),
        ("email", N_("Email"), email, 254),
        ("full_name", N_("Full name"), full_name, 200),
    ):
        if problem := too_long(label, value, limit):
            errors[name] = problem
    return errors


def stamp_origin(session: Session, actor: Actor | None) -> None:
    """Give the change-log rows this session is about to write the actor's address and browser.

    The auth and whitelist services take only the actor's id; the page knows where the request came from.
    """
    if actor is None:
        return
    for entry in session.new:
        if isinstance(entry, EntityChangeLog) and entry.user_id == actor.user_id and entry.ip_address is None:
            entry.ip_address = (actor.ip or None) and actor.ip[:45]
            entry.user_agent = (actor.user_agent or "")[:500]


def set_user_active(session: Session, *, user_id: int, active: bool, actor: Actor | None = None) -> User:
    """(De)activate an account; deactivation ends every open session of the user at once. Audited.

    Nobody can deactivate themselves (the last administrator could lock everyone out).
    """
    user = get_user(session, user_id=user_id)
    if not active and actor is not None and actor.user_id == user.id:
        raise DomainValidationError({"form": gettext("You cannot deactivate your own account")})
    save_changes(session, user, {"is_active": bool(active)}, version=None, actor=actor, labels=USER_LABELS)
    if not active:
        end_user_sessions(session, user.id)
        session.flush()
    return user


def _grants(session: Session, groups: list[Group]) -> set[str]:
    if not groups:
        return set()
    rows = session.exec(
        select(Permission.app_label, Permission.codename)
        .join(GroupPermission, GroupPermission.permission_id == Permission.id)
        .where(GroupPermission.group_id.in_([g.id for g in groups]))
    ).all()
    return {f"{app}.{code}" for app, code in rows}


def save_user_groups(
    session: Session, *, user_id: int, group_names: list[str], version: int | None = None, actor: Actor | None = None
) -> list[str]:
    """Replace a user's groups (audited); an administrator cannot take their own permission to manage users.

    The same groups write nothing; a change needs the user's `version` the dialog loaded (ConflictError otherwise).
    """
    user = get_user(session, user_id=user_id)
    groups = find_groups(session, group_names)
    own = actor is not None and actor.user_id == user.id
    if own and not user.is_superuser and MANAGE_USERS not in _grants(session, groups):
        raise DomainValidationError({"groups": gettext("You cannot remove your own permission to manage users")})
    if sorted(g.name for g in groups) == sorted(user_group_names(session, user.id)):
        return sorted(g.name for g in groups)
    claim_version(session, user, version)
    actor = actor or Actor()
    return set_user_groups(
        session,
        user=user,
        group_names=[g.name for g in groups],
        actor_id=actor.user_id,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    group_names: list[str] | None = None,
    actor: Actor | None = None,
) -> User:
    """A local account (signs in with a password) in the given groups; every field's problem is reported at once."""
    name, email, full_name = normalize_username(username), email.strip(), " ".join(full_name.split())
    errors = person_errors(username=username, email=email, full_name=full_name)
    if email and "email" not in errors and not _EMAIL.match(email):
        errors["email"] = gettext("Not a valid email address")
    if not name:
        errors["username"] = gettext("Username is required")
    elif "username" not in errors and session.exec(select(User.id).where(func.lower(User.username) == name)).first():
        errors["username"] = gettext("User '{name}' already exists", name=name)
    try:
        check_password_strength(password or "", username=name)
    except DomainValidationError as exc:
        errors.update(exc.errors)
    if problem := too_long(N_("Password"), password or "", MAX_PASSWORD):
        errors["password"] = problem
    groups: list[Group] = []
    try:
        groups = find_groups(session, group_names or [])
    except DomainValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise DomainValidationError(errors)
    actor = actor or Actor()
    user = create_local_user(
        session, username=name, password=password, email=email, full_name=full_name, actor_id=actor.user_id
    )
    stamp_origin(session, actor)
    if groups:
        set_user_groups(
            session,
            user=user,
            group_names=[g.name for g in groups],
            actor_id=actor.user_id,
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
    return user


def set_language(session: Session, *, user_id: int, language: str) -> None:
    """Remember the user's UI language on their account: not a change the change log needs, and not one that moves
    the account's version (models/versioning.py: an open groups dialog of this user elsewhere saves unrefused)."""
    if (user := session.get(User, user_id)) is None:
        raise NotFoundError(gettext("This account no longer exists."))
    if user.language != language:
        user.language = language
        session.add(user)
