"""Hostile input to the organization, user, whitelist and web-rule services: a clear message, nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from printer_app.models import AllowedUser, Organization, User, WebParsingRule
from printer_app.models.choices import PollingMethod
from printer_app.services.access.roles import bootstrap_roles
from printer_app.services.access.users import create_user, get_user
from printer_app.services.access.whitelist import save_allowed_user
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.organizations import (
    create_organization,
    set_organization_active,
    update_organization,
)
from printer_app.services.web.rule_store import RuleInput, create_rule, delete_rule, get_rule
from tests.factories import make_org, make_printer

PASSWORD = "Service-password-2026"
HUGE = "x" * 10_000


def _count(engine: Engine, model) -> int:
    with Session(engine) as fresh:
        return fresh.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"notes": HUGE}, "notes"),
        ({"full_name": HUGE}, "full_name"),
        ({"email": HUGE + "@example.com"}, "email"),
        ({"username": "u" * 151}, "username"),
    ],
)
def test_whitelist_entry_refuses_oversized_fields(session: Session, engine: Engine, fields: dict, field: str) -> None:
    with pytest.raises(DomainValidationError) as refused:
        save_allowed_user(session, **({"username": "sso.user"} | fields))
    session.rollback()

    assert set(refused.value.errors) == {field}
    assert _count(engine, AllowedUser) == 0


def test_whitelist_edit_with_oversized_notes_keeps_the_stored_entry(session: Session, engine: Engine) -> None:
    save_allowed_user(session, username="sso.user", notes="short")
    session.commit()

    with pytest.raises(DomainValidationError, match="Notes is longer than 2000 characters"):
        save_allowed_user(session, username="sso.user", notes=HUGE, update_existing=True, replace=True)
    session.rollback()

    with Session(engine) as fresh:
        assert fresh.exec(select(AllowedUser.notes)).one() == "short"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"full_name": HUGE}, "full_name"),
        ({"email": "a@" + HUGE + ".com"}, "email"),
        ({"username": HUGE}, "username"),
        ({"password": "P" * 10_000}, "password"),
    ],
)
def test_new_user_refuses_oversized_fields(session: Session, engine: Engine, fields: dict, field: str) -> None:
    bootstrap_roles(session)
    with pytest.raises(DomainValidationError) as refused:
        create_user(session, **({"username": "newbie", "password": PASSWORD} | fields))
    session.rollback()

    assert field in refused.value.errors
    assert "longer than" in refused.value.errors[field]
    assert _count(engine, User) == 0


@pytest.mark.parametrize("bad", ["abc", "1 OR 1=1", None, 2.5])
def test_text_ids_are_not_found_not_a_crash(session: Session, bad: object) -> None:
    make_org(session)
    for call in (
        lambda: update_organization(session, org_id=bad, name="X"),
        lambda: set_organization_active(session, org_id=bad, active=False),
        lambda: get_user(session, user_id=bad),
        lambda: get_rule(session, printer_id=bad, rule_id=bad),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_organization_name_and_code_are_capped(session: Session, engine: Engine) -> None:
    with pytest.raises(DomainValidationError, match="longer than 200"):
        create_organization(session, name=HUGE)
    org = make_org(session, name="Kept")
    session.commit()
    with pytest.raises(DomainValidationError, match="longer than 50"):
        update_organization(session, org_id=org.id, name="Kept", code=HUGE, version=org.version)
    session.rollback()

    with Session(engine) as fresh:
        assert [(o.name, o.code) for o in fresh.exec(select(Organization)).all()] == [("Kept", None)]


def test_the_last_web_rule_of_a_hybrid_printer_stays(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    first = create_rule(session, printer_id=printer.id, data=RuleInput(field_name="counter", xpath="//td[1]"))
    second = create_rule(session, printer_id=printer.id, data=RuleInput(field_name="serial_number", xpath="//td[2]"))
    printer.polling_method = PollingMethod.HYBRID
    session.commit()

    delete_rule(session, printer_id=printer.id, rule_id=second.id)
    session.commit()
    with pytest.raises(DomainValidationError, match="last web rule of a HYBRID printer"):
        delete_rule(session, printer_id=printer.id, rule_id=first.id)
    session.rollback()

    with Session(engine) as fresh:
        assert fresh.exec(select(WebParsingRule.id)).all() == [first.id]
