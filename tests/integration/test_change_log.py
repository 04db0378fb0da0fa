"""The change log page's query: filters, paging, newest first, field changes as text, links to objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog, User
from printer_app.services.access.change_log import ChangeFilters, change_filter_options, list_changes
from printer_app.services.access.change_values import format_value
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

    # The creation's link would lead nowhere now: both entries say the printer is gone instead.
    assert [(r.action, r.link, r.deleted) for r in rows] == [("delete", "", True), ("create", "", True)]


def test_an_objects_history_starts_at_its_own_creation(session: Session) -> None:
    """SQLite gives a new printer the id of a deleted one: the deleted one's entries are not the new one's."""
    from printer_app.services.inventory.printers import delete_printer

    def history(object_id: int) -> list[tuple[str, str]]:
        rows = list_changes(session, filters=ChangeFilters(object_type="printer", object_id=object_id)).rows
        return [(r.action, r.object_repr) for r in rows]

    old = make_printer(session, ip_address="10.0.0.1", serial_number="OLD1")
    old_id = old.id
    delete_printer(session, printer_id=old_id)
    assert [action for action, _ in history(old_id)] == ["delete", "create"]  # a deleted object keeps its history

    new = make_printer(session, ip_address="10.0.0.2", serial_number="NEW1")
    stored = session.exec(
        select(EntityChangeLog.action).where(
            EntityChangeLog.object_type == "printer", EntityChangeLog.object_id == new.id
        )
    ).all()

    assert [action for action, _ in history(new.id)] == ["create"]
    assert "10.0.0.1" not in str(history(new.id))
    if session.get_bind().dialect.name == "sqlite":  # the id was reused: the old entries are stored under it
        assert new.id == old_id and sorted(stored) == ["create", "create", "delete"]


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


def test_values_are_humanised_and_linked(session: Session, people: dict[str, User]) -> None:
    import dataclasses

    from printer_app.services.inventory.printers import PrinterInput, update_printer
    from tests.factories import make_model

    org = make_org(session, name="ООО Ромашка")
    model = make_model(session, "Kyocera", "ECOSYS M2040dn")
    printer = make_printer(session, ip_address="10.1.2.3")
    data = PrinterInput(**{f.name: getattr(printer, f.name) for f in dataclasses.fields(PrinterInput)})
    data.ip_address, data.organization_id, data.device_model_id = "10.1.2.4", org.id, model.id
    data.polling_method = "WEB"
    update_printer(session, printer_id=printer.id, data=data, version=printer.version)

    update = list_changes(session, filters=ChangeFilters(action="update")).rows[0]

    assert (update.link, update.deleted, update.shows, update.action_label) == (
        f"/printers/{printer.id}",
        False,
        "both",
        "Updated",
    )
    changes = [(c.label, c.old, c.new) for c in update.changes]
    assert ("IP address", "10.1.2.3", "10.1.2.4") in changes
    assert ("Organization", "—", "ООО Ромашка") in changes
    assert ("Model", "—", "Kyocera ECOSYS M2040dn") in changes
    assert ("Polling method", "SNMP", "Web parsing") in changes
    assert not any("167838" in c.old + c.new for c in update.changes)  # the numeric IP is not shown

    create = list_changes(session, filters=ChangeFilters(object_type="printer", action="create")).rows[0]
    assert ("Active", "—", "yes") in [(c.label, c.old, c.new) for c in create.changes]
    assert create.shows == "new"
    assert "Model (text)" not in [c.label for c in create.changes]  # left empty: not listed on a creation


def test_deleted_organization_named_as_deleted(session: Session) -> None:
    from printer_app.services.access.change_values import Names

    names = Names(session, [{"organization_id": 999, "ip_numeric": 167838211}], [("organization", 999)])

    assert names.value("organization_id", 999) == "#999 (deleted)"
    assert names.value("ip_numeric", 167838211) == "10.1.2.3"
    assert names.link("organization", 999) == ""


def test_links_by_kind(session: Session, people: dict[str, User]) -> None:
    from printer_app.services.access.change_values import Names

    org = make_org(session)
    printer = make_printer(session)
    user = people["alice"]
    names = Names(session, [], [("printer", printer.id), ("organization", org.id), ("user", user.id)])

    assert names.link("printer", printer.id) == f"/printers/{printer.id}"
    assert names.link("organization", org.id) == "/organizations"
    assert names.link("user", user.id) == "/users"
    assert names.link("printer", printer.id + 100) == ""


def test_the_pollers_changes_are_listed_with_the_peoples(session: Session) -> None:
    """A real poll learns the MAC and the serial of a printer added without them: the change log shows both."""
    from printer_app.services.polling.pipeline import run_inventory_for_printer
    from printer_app.services.polling.reading import DeviceReading

    printer = make_printer(session, ip_address="10.7.7.7", serial_number="")
    _at(session, datetime(2026, 3, 1, tzinfo=UTC))
    reading = DeviceReading(serial="VCF9192281", mac="00:1B:A9:0B:A7:52", raw_counters={"TOTAL": 100})
    run_inventory_for_printer(session, printer_id=printer.id, source=lambda _p: reading)
    session.flush()

    rows = list_changes(session, filters=ChangeFilters(object_type="printer", object_id=printer.id)).rows

    polled = [r for r in rows if r.user == "poller"]
    assert {r.action_label for r in polled} == {"MAC update", "Serial update"}
    mac = next(r for r in polled if r.action == "mac_update")
    assert (mac.object_repr, mac.link) == ("Printer 10.7.7.7", f"/printers/{printer.id}")
    assert (mac.how, mac.ip_address) == ("Automatic poll", "")  # how the poll that made the change was started
    assert [(c.label, c.old, c.new) for c in mac.changes] == [("MAC address", "—", "00:1B:A9:0B:A7:52")]
    assert rows[-1].action == "create"  # the person's creation, older, after the poller's entries

    def count(**kw) -> int:
        return list_changes(session, filters=ChangeFilters(**kw)).total

    assert count(user="poller") == 2
    assert count(user="system") == 3  # the factory's creation had no user either
    assert count(action="mac_update") == 1
    assert count(action="update") == 0
    assert count(object_type="organization") == 0
    assert count(search="10.7.7") == 3
    assert count(object_type="printer", object_id=printer.id + 1) == 0
    assert ("printer", "Printer") in change_filter_options(session)["object_types"]


def test_replacement_names_the_other_printer(session: Session) -> None:
    from printer_app.services.polling.pipeline import run_inventory_for_printer
    from printer_app.services.polling.reading import DeviceReading
    from tests.factories import make_contract_device

    old = make_printer(session, ip_address="10.8.8.8", serial_number="OLD-1", mac_address="00:1B:A9:0B:A7:01")
    make_contract_device(session, serial_number="NEW-2")
    reading = DeviceReading(serial="NEW-2", mac="00:1B:A9:0B:A7:02", raw_counters={"TOTAL": 5})
    run_inventory_for_printer(session, printer_id=old.id, source=lambda _p: reading)
    session.flush()

    rows = [r for r in list_changes(session).rows if r.user == "poller"]

    by_action = {r.action: r for r in rows}
    assert by_action["deactivation"].object_id == old.id
    assert [(c.label, c.old, c.new) for c in by_action["deactivation"].changes] == [("Active", "yes", "no")]
    assert by_action["replacement"].note == f"Other printer: #{old.id} (10.8.8.8)"


def test_contract_changes_are_named_and_linked(session: Session) -> None:
    from printer_app.services.contracts.device_store import DeviceInput, create_device
    from printer_app.services.contracts.reference import create_row

    city = create_row(session, "city", {"name": "Иркутск"})
    maker = create_row(session, "manufacturer", {"name": "Kyocera"})
    model = create_row(session, "devicemodel", {"manufacturer_id": maker.id, "name": "ECOSYS M2040dn"})
    org = make_org(session, name="Ангара")
    data = DeviceInput(
        organization=str(org.id), city=str(city.id), address="ул. Ленина, 1", model=str(model.id), serial="KY 123/4"
    )
    device = create_device(session, data=data).device

    rows = {(r.object_type, r.object_id): r for r in list_changes(session).rows}

    shown = rows[("contractdevice", device.id)]
    assert (shown.object_label, shown.link, shown.deleted) == ("Contract device", "/contracts?q=KY%20123/4", False)
    assert "Иркутск" in str(shown.changes)  # the city's name, not its id
    assert {c.label for c in shown.changes} >= {"City", "Address", "Serial number", "Model"}
    assert rows[("city", city.id)].link == "/contracts/reference?tab=city"
    assert rows[("devicemodel", model.id)].object_label == "Device model"
