"""Organizations: create, rename, (de)activate and the list with printer counts."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import Organization
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.organizations import (
    create_organization,
    list_organizations,
    set_organization_active,
    update_organization,
)
from tests.factories import make_org, make_printer


def _names(engine: Engine) -> list[str]:
    with Session(engine) as fresh:
        return list(fresh.exec(select(Organization.name).order_by(Organization.id)).all())


def test_create_normalises_whitespace_and_blank_code(session: Session) -> None:
    org = create_organization(session, name="  Baikal   Medical\tCenter ", code="  ")

    assert (org.name, org.code, org.active) == ("Baikal Medical Center", None, True)


@pytest.mark.parametrize(
    ("name", "code", "field"),
    [("", "", "name"), ("   ", "", "name"), ("x" * 201, "", "name"), ("Fine", "c" * 51, "code")],
)
def test_create_rejects_invalid_input(session: Session, name: str, code: str, field: str) -> None:
    with pytest.raises(DomainValidationError) as caught:
        create_organization(session, name=name, code=code)

    assert set(caught.value.errors) == {field}


def test_duplicate_name_rejected_ignoring_case_and_spacing(session: Session, engine: Engine) -> None:
    make_org(session, name="Angara Logistics")
    session.commit()

    with pytest.raises(DomainValidationError) as caught:
        create_organization(session, name="ANGARA   logistics")

    assert "Angara Logistics" in caught.value.errors["name"]
    session.rollback()
    assert _names(engine) == ["Angara Logistics"]


def test_rename_keeps_own_name_and_rejects_another(session: Session, engine: Engine) -> None:
    first = make_org(session, name="First")
    make_org(session, name="Second")
    session.commit()

    update_organization(session, org_id=first.id, name="FIRST", code="F1")  # a case change of its own name
    session.commit()
    with pytest.raises(DomainValidationError):
        update_organization(session, org_id=first.id, name="second")

    session.rollback()
    assert _names(engine) == ["FIRST", "Second"]


def test_deactivate_and_reactivate(session: Session) -> None:
    org = make_org(session)

    assert not set_organization_active(session, org_id=org.id, active=False).active
    assert set_organization_active(session, org_id=org.id, active=True).active


@pytest.mark.parametrize(
    "call",
    [
        lambda s: update_organization(s, org_id=404, name="X"),
        lambda s: set_organization_active(s, org_id=404, active=False),
    ],
    ids=["update", "set_active"],
)
def test_missing_organization_raises_not_found(session: Session, call) -> None:
    with pytest.raises(NotFoundError):
        call(session)


@pytest.fixture
def orgs(session: Session) -> dict[str, int]:
    """Three organizations with 0, 2 (one inactive) and 3 printers; "Old Tenant" is inactive."""
    angara = make_org(session, name="angara Logistics", code="ANG")
    baikal = make_org(session, name="Baikal Medical", code="BMC")
    old = make_org(session, name="Old Tenant", code="OLD_1")
    make_printer(session, organization_id=angara.id)
    make_printer(session, organization_id=angara.id, is_active=False)
    for _ in range(3):
        make_printer(session, organization_id=baikal.id)
    make_printer(session)  # no organization: counted nowhere
    set_organization_active(session, org_id=old.id, active=False)
    session.commit()
    return {"angara": angara.id, "baikal": baikal.id, "old": old.id}


def test_list_counts_total_and_active_printers(session: Session, orgs: dict[str, int]) -> None:
    rows = {r.id: r for r in list_organizations(session)}

    assert (rows[orgs["angara"]].printers, rows[orgs["angara"]].active_printers) == (2, 1)
    assert (rows[orgs["baikal"]].printers, rows[orgs["baikal"]].active_printers) == (3, 3)
    assert (rows[orgs["old"]].printers, rows[orgs["old"]].active_printers, rows[orgs["old"]].active) == (0, 0, False)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["angara", "baikal", "old"]),  # by name, ignoring case
        ({"descending": True}, ["old", "baikal", "angara"]),
        ({"sort": "code"}, ["angara", "baikal", "old"]),
        ({"sort": "printers", "descending": True}, ["baikal", "angara", "old"]),
        ({"sort": "printers"}, ["old", "angara", "baikal"]),
        ({"show": "active"}, ["angara", "baikal"]),
        ({"show": "inactive"}, ["old"]),
        ({"search": "MEDICAL"}, ["baikal"]),
        ({"search": "ang"}, ["angara"]),  # matches the code as well as the name
        ({"search": " old_ "}, ["old"]),
        ({"search": "o_d"}, []),  # "_" is a character, not a wildcard
        ({"search": "zzz"}, []),
    ],
)
def test_list_sorts_filters_and_searches(session: Session, orgs: dict[str, int], kwargs: dict, expected: list) -> None:
    assert [r.id for r in list_organizations(session, **kwargs)] == [orgs[k] for k in expected]
