"""Two forms loaded from the same version: the first save wins, the second is refused naming who changed the object
and when, and nothing of the first save is lost. Unchanged saves write nothing. One case per edited entity."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from printer_app import i18n
from printer_app.models import AllowedUser, EntityChangeLog, Organization, Printer, User, WebParsingRule
from printer_app.services.access import auth
from printer_app.services.access.roles import bootstrap_roles, set_user_groups, user_group_names
from printer_app.services.access.users import save_user_groups
from printer_app.services.access.whitelist import save_allowed_user
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError
from printer_app.services.inventory.organizations import update_organization
from printer_app.services.inventory.printers import PrinterInput, update_printer
from printer_app.services.web.rule_store import RuleInput, create_rule, update_rule
from tests.factories import make_org, make_printer

PASSWORD = "Service-password-2026"


@dataclass
class Case:
    """An entity: how to make one, save it from a loaded version with a value, and read that value back."""

    make: Callable[[Session], SQLModel]
    save: Callable[[Session, SQLModel, str, int, Actor | None], Any]
    read: Callable[[SQLModel], Any]
    first: str
    second: str


def _printer_save(session: Session, printer: Printer, value: str, version: int, actor: Actor | None) -> None:
    data = PrinterInput(ip_address=printer.ip_address, serial_number=value, mac_address=printer.mac_address or "")
    update_printer(session, printer_id=printer.id, data=data, version=version, actor=actor)


def _org_save(session: Session, org: Organization, value: str, version: int, actor: Actor | None) -> None:
    update_organization(session, org_id=org.id, name=value, code=org.code or "", version=version, actor=actor)


def _user_make(session: Session) -> User:
    user = auth.create_local_user(session, username="target", password=PASSWORD)
    set_user_groups(session, user=user, group_names=["Viewer"], actor_id=None)
    return user


def _user_save(session: Session, user: User, value: str, version: int, actor: Actor | None) -> None:
    save_user_groups(session, user_id=user.id, group_names=[value], version=version, actor=actor)


def _entry_make(session: Session) -> AllowedUser:
    return save_allowed_user(session, username="sso.user", full_name="Before", notes="note")[0]


def _entry_save(session: Session, entry: AllowedUser, value: str, version: int, actor: Actor | None) -> None:
    save_allowed_user(
        session,
        username=entry.username,
        email=entry.email,
        full_name=value,
        initial_groups=list(entry.initial_groups),
        notes=entry.notes,
        actor_id=actor.user_id if actor else None,
        update_existing=True,
        replace=True,
        version=version,
    )


def _rule_make(session: Session) -> WebParsingRule:
    printer = make_printer(session)
    return create_rule(session, printer_id=printer.id, data=RuleInput(field_name="counter", xpath="//td[1]"))


def _rule_save(session: Session, rule: WebParsingRule, value: str, version: int, actor: Actor | None) -> None:
    data = RuleInput(field_name="counter", url_path=rule.url_path, xpath=value)
    update_rule(session, printer_id=rule.printer_id, rule_id=rule.id, data=data, version=version, actor=actor)


CASES = {
    "printer": Case(
        lambda s: make_printer(s, ip_address="10.1.1.1"), _printer_save, lambda p: p.serial_number, "A1", "B2"
    ),
    "organization": Case(lambda s: make_org(s, name="Before"), _org_save, lambda o: o.name, "Anna's name", "Boris's"),
    "user": Case(
        _user_make, _user_save, lambda u: None, "Inventory — Editor", "Inventory — Administrator"
    ),  # read: groups, below
    "whitelist entry": Case(_entry_make, _entry_save, lambda e: e.full_name, "Anna Full", "Boris Full"),
    "web rule": Case(_rule_make, _rule_save, lambda r: r.xpath, "//td[2]", "//td[3]"),
}


def _reread(engine: Engine, obj: SQLModel) -> SQLModel:
    with Session(engine, expire_on_commit=False) as fresh:
        return fresh.get(type(obj), obj.id)


def _value(engine: Engine, case: str, obj: SQLModel) -> Any:
    if case == "user":
        with Session(engine) as fresh:
            return user_group_names(fresh, obj.id)
    return CASES[case].read(_reread(engine, obj))


def _log_count(engine: Engine, obj: SQLModel) -> int:
    with Session(engine) as fresh:
        query = select(EntityChangeLog.id).where(
            EntityChangeLog.object_type == obj.__tablename__, EntityChangeLog.object_id == obj.id
        )
        return len(fresh.exec(query).all())


@pytest.fixture
def people(session: Session) -> tuple[Actor, Actor]:
    bootstrap_roles(session)
    anna = auth.create_local_user(session, username="anna", password=PASSWORD, full_name="Anna Petrova")
    boris = auth.create_local_user(session, username="boris", password=PASSWORD)
    session.commit()
    return Actor(user_id=anna.id), Actor(user_id=boris.id)


@pytest.mark.parametrize("case", CASES)
def test_the_later_save_from_the_same_version_is_refused(
    session: Session, engine: Engine, people: tuple[Actor, Actor], case: str
) -> None:
    anna, boris = people
    spec = CASES[case]
    obj = spec.make(session)
    session.commit()
    loaded = obj.version

    spec.save(session, obj, spec.first, loaded, anna)
    session.commit()
    with pytest.raises(ConflictError) as refused:
        spec.save(session, obj, spec.second, loaded, boris)
    session.rollback()

    assert refused.value.changed_by == "Anna Petrova"
    assert "changed by Anna Petrova at " in refused.value.errors["form"]
    first = [spec.first] if case == "user" else spec.first
    assert _value(engine, case, obj) == first
    assert _reread(engine, obj).version == loaded + 1


def test_the_refusal_is_in_the_language_of_the_event(session: Session, people: tuple[Actor, Actor]) -> None:
    anna, boris = people
    org = make_org(session, name="Before")
    session.commit()
    loaded = org.version
    _org_save(session, org, "Renamed by Anna", loaded, anna)
    session.commit()
    with i18n.use_language("ru"), pytest.raises(ConflictError) as refused:
        _org_save(session, org, "Renamed by Boris", loaded, boris)
    session.rollback()
    message = refused.value.errors["form"]
    assert message.startswith("Организация изменена после того, как вы открыли форму (Anna Petrova, ")
    assert message.endswith("); ваши изменения не сохранены.")


@pytest.mark.parametrize("case", CASES)
def test_an_unchanged_save_writes_nothing(session: Session, engine: Engine, people, case: str) -> None:
    spec = CASES[case]
    obj = spec.make(session)
    session.commit()
    spec.save(session, obj, spec.first, obj.version, people[0])
    session.commit()
    version, logged = _reread(engine, obj).version, _log_count(engine, obj)

    spec.save(session, obj, spec.first, version, people[1])
    session.commit()
    spec.save(session, obj, spec.first, version - 1, people[1])  # even from an older form: nothing to lose
    session.commit()

    assert _reread(engine, obj).version == version
    assert _log_count(engine, obj) == logged


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_connections_saving_at_once_one_wins(engine: Engine, people: tuple[Actor, Actor]) -> None:
    """The check is atomic: the second writer waits for the first's row lock, then sees its version."""
    with Session(engine, expire_on_commit=False) as setup:
        printer = make_printer(setup, ip_address="10.1.1.1")
        setup.commit()
    loaded, outcome = printer.version, {}

    def second() -> None:
        with Session(engine) as other:
            try:
                _printer_save(other, printer, "SECOND", loaded, people[1])
                other.commit()
                outcome["second"] = "saved"
            except ConflictError as exc:
                outcome["second"] = exc.changed_by

    with Session(engine) as first:
        _printer_save(first, printer, "FIRST", loaded, people[0])  # claimed, not yet committed
        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_blocked(engine)
        first.commit()
    thread.join(timeout=30)

    assert outcome == {"second": "Anna Petrova"}
    assert _reread(engine, printer).serial_number == "FIRST"


def _wait_until_blocked(engine: Engine) -> None:
    """Until another connection of this database waits for a lock, or fail after about 30 s.

    Each look is a transaction of its own: PostgreSQL keeps pg_stat_activity still within one.
    """
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(3000):
        with engine.connect() as watcher:
            if watcher.execute(query).scalar_one():
                return
        threading.Event().wait(0.01)
    pytest.fail("the second save never waited for the first one's row lock")
