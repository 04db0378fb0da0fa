"""User management: the accounts table, creating local users, groups, (de)activation and the whitelist listing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from printer_app import i18n
from printer_app.models import EntityChangeLog, User, UserSession
from printer_app.services.access import auth
from printer_app.services.access.roles import bootstrap_roles, set_user_groups
from printer_app.services.access.users import (
    UserFilters,
    create_user,
    group_options,
    list_users,
    save_user_groups,
    set_language,
    set_user_active,
    user_groups,
)
from printer_app.services.access.whitelist import list_whitelist, save_allowed_user, set_allowed_user_active
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError

PASSWORD = "Service-password-2026"


@pytest.fixture
def roles(session: Session) -> Session:
    bootstrap_roles(session)
    return session


def _local(session: Session, username: str, *groups: str, **fields) -> User:
    user = auth.create_local_user(session, username=username, password=PASSWORD, **fields)
    if groups:
        set_user_groups(session, user=user, group_names=groups, actor_id=None)
    return user


def _sso(session: Session, username: str, **fields) -> User:
    user = User(username=username, **fields)
    session.add(user)
    session.flush()
    return user


def _log(session: Session, user: User) -> list[EntityChangeLog]:
    query = select(EntityChangeLog).where(EntityChangeLog.object_type == "user", EntityChangeLog.object_id == user.id)
    return list(session.exec(query.order_by(EntityChangeLog.id)).all())


def test_list_users_shows_kind_groups_and_last_login(roles: Session) -> None:
    admin = _local(roles, "admin", "Users — Management", "Inventory — Viewer", full_name="Ada Admin")
    admin.last_login = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    _sso(roles, "bob", email="bob@example.com")
    roles.flush()

    page = list_users(roles)

    assert [(r.username, r.kind, r.groups) for r in page.rows] == [
        ("admin", "local", ["Inventory — Viewer", "Users — Management"]),
        ("bob", "sso", []),
    ]
    assert page.rows[0].full_name == "Ada Admin"
    assert page.rows[0].last_login == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert page.total == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (UserFilters(search="EXAMPLE.org"), ["carol"]),
        (UserFilters(search="smith"), ["anna", "carol"]),
        (UserFilters(kind="sso"), ["carol", "dave"]),
        (UserFilters(kind="local"), ["anna"]),
        (UserFilters(active="inactive"), ["dave"]),
        (UserFilters(active="active", kind="sso"), ["carol"]),
        (UserFilters(group="Inventory — Editor"), ["anna"]),
        (UserFilters(search="%"), []),
    ],
)
def test_list_users_filters(roles: Session, filters: UserFilters, expected: list[str]) -> None:
    _local(roles, "anna", "Inventory — Editor", full_name="Anna Smith")
    _sso(roles, "carol", full_name="Carol Smith", email="carol@example.org")
    _sso(roles, "dave", is_active=False)

    assert [r.username for r in list_users(roles, filters=filters).rows] == expected


def test_list_users_sorts_and_pages(roles: Session) -> None:
    for n in range(30):
        _sso(roles, f"user{n:02d}", last_login=datetime(2026, 1, 1 + n % 28, tzinfo=UTC) if n % 3 else None)

    first = list_users(roles, sort="username", descending=True, page=1, page_size=25)
    second = list_users(roles, sort="username", descending=True, page=2, page_size=25)
    beyond = list_users(roles, page=9, page_size=25)
    by_login = list_users(roles, sort="last_login", descending=True, page_size=100)

    assert (first.total, len(first.rows), len(second.rows)) == (30, 25, 5)
    assert first.rows[0].username == "user29" and second.rows[-1].username == "user00"
    assert beyond.page == 2  # clamped to the last page
    logins = [r.last_login for r in by_login.rows]
    assert logins[:20] == sorted(logins[:20], reverse=True) and logins[20:] == [None] * 10  # never-signed-in last


def test_create_user_reports_every_problem_at_once(roles: Session) -> None:
    _local(roles, "taken")

    with pytest.raises(DomainValidationError) as caught:
        create_user(roles, username="Taken", password="short", email="not-an-email", group_names=["Nope"])

    assert set(caught.value.errors) == {"username", "password", "email", "groups"}
    assert "already exists" in caught.value.errors["username"]
    assert "10 characters" in caught.value.errors["password"]
    assert "Nope" in caught.value.errors["groups"]


def test_create_user_makes_a_local_account_in_its_groups_audited_with_origin(roles: Session) -> None:
    admin = _local(roles, "admin")
    actor = Actor(user_id=admin.id, ip="10.1.2.3", user_agent="pytest")

    user = create_user(
        roles,
        username="New.User",
        password=PASSWORD,
        full_name="  New   User ",
        email="new@example.com",
        group_names=["Инвентаризация — Просмотр"],  # the Russian label finds the group too
        actor=actor,
    )
    roles.commit()

    assert (user.username, user.full_name, user.is_active) == ("new_user", "New User", True)
    assert auth.authenticate_local(roles, "new_user", PASSWORD).user is not None
    assert list_users(roles, filters=UserFilters(search="new_user")).rows[0].groups == ["Inventory — Viewer"]
    created, grouped = _log(roles, user)
    assert (created.action, created.user_id, created.ip_address, created.user_agent) == (
        "create",
        admin.id,
        "10.1.2.3",
        "pytest",
    )
    assert "password_hash" not in created.changes
    assert grouped.changes["groups"]["new"] == ["Inventory — Viewer"]
    assert grouped.ip_address == "10.1.2.3"


def test_deactivation_ends_open_sessions_and_is_audited(roles: Session) -> None:
    admin = _local(roles, "admin")
    user = _local(roles, "worker")
    raw = auth.create_session(roles, user=user, auth_method=auth.LOCAL)
    roles.commit()

    set_user_active(roles, user_id=user.id, active=False, actor=Actor(user_id=admin.id, ip="10.0.0.9"))
    roles.commit()

    assert auth.resolve_session(roles, raw) is None
    assert all(s.revoked_at is not None for s in roles.exec(select(UserSession)).all())
    entry = _log(roles, user)[-1]
    assert entry.changes == {"is_active": {"old": True, "new": False, "label": "Active"}}
    assert (entry.user_id, entry.ip_address) == (admin.id, "10.0.0.9")

    set_user_active(roles, user_id=user.id, active=True, actor=Actor(user_id=admin.id))
    assert roles.get(User, user.id).is_active
    assert _log(roles, user)[-1].changes["is_active"]["new"] is True


def test_nobody_deactivates_themselves(roles: Session) -> None:
    admin = _local(roles, "admin", "Users — Management")

    with pytest.raises(DomainValidationError, match="your own account"):
        set_user_active(roles, user_id=admin.id, active=False, actor=Actor(user_id=admin.id))

    assert admin.is_active


def test_setting_the_same_state_writes_no_log_entry(roles: Session) -> None:
    user = _local(roles, "steady")
    before = len(_log(roles, user))

    set_user_active(roles, user_id=user.id, active=True, actor=Actor())

    assert len(_log(roles, user)) == before


def test_save_groups_replaces_them_and_guards_own_manage_users(roles: Session) -> None:
    admin = _local(roles, "admin", "Users — Management")
    user = _local(roles, "worker", "Viewer")
    me = Actor(user_id=admin.id, ip="10.0.0.1")

    assert save_user_groups(roles, user_id=user.id, group_names=["Inventory — Editor", "Viewer"], actor=me) == [
        "Inventory — Editor",
        "Viewer",
    ]
    assert _log(roles, user)[-1].changes["groups"] == {
        "old": ["Viewer"],
        "new": ["Inventory — Editor", "Viewer"],
        "label": "Groups",
    }
    with pytest.raises(DomainValidationError, match="manage users") as caught:
        save_user_groups(roles, user_id=admin.id, group_names=["Inventory — Viewer"], actor=me)
    assert set(caught.value.errors) == {"groups"}
    # Another group that also grants manage_users keeps it: allowed.
    assert save_user_groups(roles, user_id=admin.id, group_names=["Application administrator"], actor=me) == [
        "Application administrator"
    ]


def test_superuser_may_change_own_groups(roles: Session) -> None:
    root = _local(roles, "root", is_superuser=True)

    assert save_user_groups(roles, user_id=root.id, group_names=[], actor=Actor(user_id=root.id)) == []


def test_group_options_follow_the_role_catalogue(roles: Session) -> None:
    options = group_options(roles)

    assert options[0].name == "Inventory — Viewer"
    assert options[0].label_ru == "Инвентаризация — Просмотр"
    assert "Application administrator" in [o.name for o in options]


def test_group_options_name_the_groups_in_the_users_language(roles: Session) -> None:
    with i18n.use_language("ru"):
        ru = group_options(roles)[0]
    en = group_options(roles)[0]

    assert (ru.name, ru.label, ru.alt) == ("Inventory — Viewer", "Инвентаризация — Просмотр", "Inventory — Viewer")
    assert (en.label, en.alt) == ("Inventory — Viewer", "Инвентаризация — Просмотр")


def test_a_language_choice_is_neither_audited_nor_a_change_an_open_groups_dialog_conflicts_with(roles: Session) -> None:
    admin = _local(roles, "admin", "Users — Management")
    user = _local(roles, "worker", "Viewer")
    roles.commit()
    opened = user_groups(roles, user_id=user.id)  # an administrator opens the user's groups dialog
    before = len(_log(roles, user))

    set_language(roles, user_id=user.id, language="ru")  # meanwhile the user switches to Russian
    roles.commit()

    assert roles.get(User, user.id).language == "ru"
    assert roles.get(User, user.id).version == opened.version
    assert len(_log(roles, user)) == before
    saved = save_user_groups(
        roles, user_id=user.id, group_names=["Inventory — Viewer"], version=opened.version, actor=Actor(admin.id)
    )
    assert saved == ["Inventory — Viewer"]


def test_list_whitelist_searches_filters_and_sorts(roles: Session) -> None:
    admin = _local(roles, "admin")
    save_allowed_user(roles, username="zoe", full_name="Zoe Z", notes="contractor", actor_id=admin.id)
    save_allowed_user(roles, username="amy", email="amy@corp.example", initial_groups=["Viewer"])
    save_allowed_user(roles, username="max")
    set_allowed_user_active(roles, username="max", active=False)
    roles.flush()

    rows = list_whitelist(roles)
    assert [r.username for r in rows] == ["amy", "max", "zoe"]
    assert rows[0].initial_groups == ["Viewer"]
    assert rows[2].added_by == "admin" and rows[0].added_by == ""
    assert [r.username for r in list_whitelist(roles, search="CONTRACT")] == ["zoe"]
    assert [r.username for r in list_whitelist(roles, search="corp")] == ["amy"]
    assert [r.username for r in list_whitelist(roles, active="inactive")] == ["max"]
    assert [r.username for r in list_whitelist(roles, sort="username", descending=True)] == ["zoe", "max", "amy"]


def test_whitelist_edit_can_clear_details_but_an_import_keeps_them(session) -> None:
    from printer_app.services.access.roles import bootstrap_roles
    from printer_app.services.access.whitelist import save_allowed_user

    bootstrap_roles(session)
    save_allowed_user(
        session, username="zoe", email="zoe@x.test", full_name="Zoe", notes="n", initial_groups=["Viewer"]
    )
    entry, created = save_allowed_user(session, username="zoe", update_existing=True)
    assert not created and (entry.email, entry.full_name, entry.initial_groups) == ("zoe@x.test", "Zoe", ["Viewer"])
    entry, _ = save_allowed_user(session, username="zoe", full_name="Zoe K", update_existing=True, replace=True)
    assert (entry.email, entry.full_name, entry.notes, entry.initial_groups) == ("", "Zoe K", "", [])
