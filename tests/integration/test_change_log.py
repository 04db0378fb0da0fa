"""The change log page's query: filters, paging, newest first, field changes as text, links to objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog, User
from printer_app.services.access.change_log import (
    ChangeFilters,
    change_filter_options,
    format_value,
    list_changes,
    object_link,
)
from printer_app.services.audit import Actor
from printer_app.services.inventory.organizations import set_organization_active, update_organization
from tests.factories import make_org, make_printer

IRKUTSK = ZoneInfo("Asia/Irkutsk")  # UTC+8


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    users = {name: User(username=name) for name in ("alice", "bob")}
    session.add_all(users.values())
    session.flush()
    return users


def _at(session: Session, when: datetime) -> None:
    """Date the newest change-log entry (the services stamp them with now)."""
    entry = session.exec(select(EntityChangeLog).order_by(EntityChangeLog.id.desc())).first()
    entry.timestamp = when
    session.flush()


def test_changes_newest_first_with_field_changes_and_links(session: Session, people: dict[str, User]) -> None:
    alice = Actor(user_id=people["alice"].id, ip="10.9.8.7")
    org = make_org(session, name="Angara", actor=alice)
    _at(session, datetime(2026, 3, 1, tzinfo=UTC))
    update_organization(session, org_id=org.id, name="Angara Logistics", code="AL", actor=alice)
    _at(session, datetime(2026, 3, 2, tzinfo=UTC))
    printer = make_printer(session)
    _at(session, datetime(2026, 3, 3, tzinfo=UTC))

    page = list_changes(session)

    assert [(r.object_type, r.action) for r in page.rows] == [
        ("printer", "create"),
        ("organization", "update"),
        ("organization", "create"),
    ]
    printer_row, update_row, create_row = page.rows
    assert (printer_row.link, printer_row.user, printer_row.object_label) == (
        f"/printers/{printer.id}",
        "system",
        "Printer",
    )
    assert (update_row.user, update_row.ip_address, update_row.link) == ("alice", "10.9.8.7", "/organizations")
    assert [(c.label, c.old, c.new) for c in update_row.changes] == [
        ("Name", "Angara", "Angara Logistics"),
        ("Code", "—", "AL"),
    ]
    assert create_row.object_repr == "Organization Angara"


def test_filters(session: Session, people: dict[str, User]) -> None:
    alice, bob = Actor(user_id=people["alice"].id), Actor(user_id=people["bob"].id)
    org = make_org(session, name="Baikal", actor=alice)
    _at(session, datetime(2026, 3, 1, 15, tzinfo=UTC))  # 23:00 on 1 March in Irkutsk
    set_organization_active(session, org_id=org.id, active=False, actor=bob)
    _at(session, datetime(2026, 3, 1, 17, tzinfo=UTC))  # 01:00 on 2 March in Irkutsk
    make_printer(session, ip_address="10.0.0.1")
    _at(session, datetime(2026, 3, 5, tzinfo=UTC))

    def reprs(**kw) -> list[str]:
        rows = list_changes(session, filters=ChangeFilters(**kw), tz=IRKUTSK).rows
        return [f"{r.action} {r.object_repr}" for r in rows]

    assert reprs(object_type="organization") == ["update Organization Baikal", "create Organization Baikal"]
    assert reprs(action="update") == ["update Organization Baikal"]
    assert reprs(user=str(people["bob"].id)) == ["update Organization Baikal"]
    assert reprs(user="system") == ["create Printer 10.0.0.1"]
    assert reprs(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2)) == ["update Organization Baikal"]
    assert reprs(date_to=date(2026, 3, 1)) == ["create Organization Baikal"]
    assert reprs(date_from=date(2026, 3, 3)) == ["create Printer 10.0.0.1"]
    assert reprs(search="BAIK", action="create") == ["create Organization Baikal"]
    assert reprs(search="_") == []  # a typed wildcard is a character


def test_paging_is_clamped(session: Session) -> None:
    for n in range(30):
        make_org(session, name=f"Org {n:02d}")

    first = list_changes(session, page=1, page_size=25)
    last = list_changes(session, page=7, page_size=25)

    assert (first.total, len(first.rows), last.page, len(last.rows)) == (30, 25, 2, 5)
    assert first.rows[0].object_repr == "Organization Org 29"


def test_deleted_objects_have_no_link(session: Session) -> None:
    from printer_app.services.inventory.printers import delete_printer

    printer = make_printer(session)
    delete_printer(session, printer_id=printer.id)

    rows = list_changes(session).rows

    assert [(r.action, r.link) for r in rows] == [("delete", ""), ("create", f"/printers/{printer.id}")]


def test_filter_options_list_types_and_users_present(session: Session, people: dict[str, User]) -> None:
    make_org(session, actor=Actor(user_id=people["bob"].id))
    make_printer(session)

    options = change_filter_options(session)

    assert options["object_types"] == [("organization", "Organization"), ("printer", "Printer")]
    assert options["users"] == [(str(people["bob"].id), "bob")]


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), ("", "—"), ([], "—"), (True, "yes"), (False, "no"), (["a", "b"], "a, b"), (5, "5"), ("x", "x")],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text


def test_object_link() -> None:
    assert object_link("printer", 7) == "/printers/7"
    assert object_link("organization", 3) == "/organizations"
    assert object_link("user", 1) == ""
