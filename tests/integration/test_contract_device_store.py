"""Saving contract devices: validation, serial uniqueness per organization, linking on save, audit, events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from printer_app.models import ContractDevice, EntityChangeLog
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.contracts.device_store import (
    DeviceInput,
    create_device,
    delete_device,
    device_input,
    set_device_status,
    update_device,
)
from printer_app.services.contracts.months import parse_month
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from tests.factories import make_printer
from tests.integration.contract_devices_data import device, make_refs


@pytest.fixture
def refs(session):
    refs = make_refs(session)
    session.commit()
    return refs


@pytest.fixture
def published():
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    yield seen
    unsubscribe()


def _input(refs, **overrides) -> DeviceInput:
    values = {
        "organization": str(refs.org_a.id),
        "city": str(refs.irkutsk.id),
        "address": "  Lenina   1 ",
        "model": str(refs.hp.id),
        "serial": " SN-1 ",
        "status": str(refs.active.id),
        "provider": str(refs.amb.id),
        "service_month": "03.2026",
    } | overrides
    return DeviceInput(**values)


def _refused(session, data, **kwargs) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as info:
        create_device(session, data=data, **kwargs)
    session.rollback()
    assert session.exec(select(ContractDevice)).all() == []  # nothing stored
    return info.value.errors


def test_create_normalises_logs_and_announces_after_commit(session, refs, published):
    result = create_device(session, data=_input(refs), actor=Actor(user_id=None, ip="10.0.0.9"))
    stored = result.device
    assert (stored.address, stored.serial_number, stored.service_start_month) == ("Lenina 1", "SN-1", date(2026, 3, 1))
    assert published == []  # not before the commit
    session.commit()
    assert published == [(events.CONTRACTS_CHANGED, {"device_ids": [stored.id]})]
    log = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "contractdevice")).one()
    assert log.action == "create" and log.changes["serial_number"]["new"] == "SN-1" and log.ip_address == "10.0.0.9"
    assert device_input(stored).service_month == "03.2026"


def test_required_fields_and_lengths(session, refs):
    errors = _refused(session, DeviceInput(address=" ", serial="x" * 129, room="r" * 129, comment="c" * 2001))
    assert set(errors) == {"organization", "city", "model", "address", "serial", "room", "comment"}
    assert "129" in errors["serial"] and "128" in errors["serial"]
    assert _refused(session, _input(refs, address="a" * 256)).keys() == {"address"}
    assert _input(refs, address="a" * 255) and create_device(session, data=_input(refs, address="a" * 255))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organization", "999999"),
        ("organization", "1 OR 1=1"),
        ("city", "-1"),
        ("model", "abc"),
        ("status", "99999999999999999999"),
        ("provider", "0x10"),
        ("service_month", "13.2026"),
        ("service_month", "next spring"),
        ("service_month", "2026-00"),
    ],
)
def test_hostile_references_and_months_are_refused(session, refs, field, value):
    assert field in _refused(session, _input(refs, **{field: value}))


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("03.2026", date(2026, 3, 1)),
        ("3/2026", date(2026, 3, 1)),
        ("2026-11", date(2026, 11, 1)),
        ("2026-11-17", date(2026, 11, 1)),
        ("", None),
        (date(2026, 5, 9), date(2026, 5, 1)),
    ],
)
def test_month_forms(text, month):
    assert parse_month(text) == month


def test_serial_is_unique_per_organization_ignoring_case(session, refs):
    create_device(session, data=_input(refs, serial="ab-77"))
    session.commit()
    errors = _refused_keep(session, _input(refs, serial=" AB-77"))
    assert errors == {"serial": "Serial AB-77 is already under contract for Alpha Clinic"}
    create_device(session, data=_input(refs, serial="AB-77", organization=str(refs.org_b.id)))  # another org: fine
    create_device(session, data=_input(refs, serial=""))
    create_device(session, data=_input(refs, serial=""))  # no serial: never a clash
    session.commit()
    assert len(session.exec(select(ContractDevice)).all()) == 4


def _refused_keep(session, data) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as info:
        create_device(session, data=data)
    session.rollback()
    return info.value.errors


def test_cyrillic_serials_differing_in_case_are_the_same(session, refs):
    create_device(session, data=_input(refs, serial="жк-1"))
    session.commit()
    assert _refused_keep(session, _input(refs, serial="ЖК-1")) == {
        "serial": "Serial ЖК-1 is already under contract for Alpha Clinic"
    }


def test_update_logs_the_changed_fields_and_refuses_a_stale_form(session, refs, published):
    stored = create_device(session, data=_input(refs)).device
    session.commit()
    loaded = stored.updated_at
    update_device(session, device_id=stored.id, data=_input(refs, room="12", status=""), loaded_at=loaded)
    session.commit()
    entry = session.exec(
        select(EntityChangeLog).where(
            EntityChangeLog.object_type == "contractdevice", EntityChangeLog.action == "update"
        )
    ).one()
    assert entry.changes["room_number"] == {"old": "", "new": "12", "label": "Room"}
    assert entry.changes["status_id"]["new"] is None
    assert published[-1] == (events.CONTRACTS_CHANGED, {"device_ids": [stored.id]})
    with pytest.raises(ConflictError) as info:  # the form loaded before the save above
        update_device(session, device_id=stored.id, data=_input(refs, room="99"), loaded_at=loaded)
    session.rollback()
    assert "changed by" in str(info.value)
    assert session.get(ContractDevice, stored.id).room_number == "12"
    # saving unchanged values writes nothing, whatever the form loaded
    before = len(session.exec(select(EntityChangeLog)).all())
    update_device(session, device_id=stored.id, data=_input(refs, room="12", status=""), loaded_at=loaded)
    session.commit()
    assert len(session.exec(select(EntityChangeLog)).all()) == before


def test_update_to_a_taken_serial_is_refused(session, refs):
    create_device(session, data=_input(refs, serial="ONE"))
    other = create_device(session, data=_input(refs, serial="TWO")).device
    session.commit()
    with pytest.raises(DomainValidationError) as info:
        update_device(session, device_id=other.id, data=_input(refs, serial="one"), loaded_at=other.updated_at)
    session.rollback()
    assert info.value.errors == {"serial": "Serial one is already under contract for Alpha Clinic"}
    assert session.get(ContractDevice, other.id).serial_number == "TWO"


def test_status_inline_and_delete(session, refs, published):
    stored = create_device(session, data=_input(refs)).device
    session.commit()
    set_device_status(session, device_id=stored.id, status=str(refs.repair.id))
    session.commit()
    assert session.get(ContractDevice, stored.id).status_id == refs.repair.id
    with pytest.raises(DomainValidationError):
        set_device_status(session, device_id=stored.id, status="424242")
    session.rollback()
    delete_device(session, device_id=stored.id)
    session.commit()
    assert session.get(ContractDevice, stored.id) is None
    actions = session.exec(
        select(EntityChangeLog.action).where(
            EntityChangeLog.object_type == "contractdevice", EntityChangeLog.object_id == stored.id
        )
    ).all()
    assert sorted(actions) == ["create", "delete", "update"]
    assert published[-1] == (events.CONTRACTS_CHANGED, {"device_ids": [stored.id]})
    with pytest.raises(NotFoundError):
        delete_device(session, device_id=stored.id)
    with pytest.raises(NotFoundError):
        delete_device(session, device_id="'; --")


def test_save_links_the_first_active_printer_with_the_serial(session, refs):
    make_printer(session, serial_number="LNK-1", is_active=False)
    first = make_printer(session, serial_number=" lnk-1 ")
    make_printer(session, serial_number="LNK-1")
    session.commit()
    result = create_device(session, data=_input(refs, serial="Lnk-1"))
    session.commit()
    assert result.device.printer_id == first.id and result.linked_ip == first.ip_address
    log = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "contractdevice")).one()
    assert log.changes["printer_id"]["new"] == first.id  # the link is part of the logged create


def test_save_does_not_steal_a_printer_linked_to_another_device(session, refs):
    printer = make_printer(session, serial_number="TAKEN")
    device(session, refs, organization_id=refs.org_b.id, serial_number="TAKEN", printer_id=printer.id)
    session.commit()
    result = create_device(session, data=_input(refs, serial="taken"))
    session.commit()
    assert result.device.printer_id is None and printer.ip_address in result.link_note


def test_save_without_a_matching_active_printer_links_nothing(session, refs):
    make_printer(session, serial_number="OLD", is_active=False)
    session.commit()
    assert create_device(session, data=_input(refs, serial="OLD")).device.printer_id is None
    assert create_device(session, data=_input(refs, serial="")).device.printer_id is None


def test_update_links_when_the_serial_now_matches(session, refs):
    stored = create_device(session, data=_input(refs, serial="NOPE")).device
    printer = make_printer(session, serial_number="YES-1")
    session.commit()
    result = update_device(session, device_id=stored.id, data=_input(refs, serial="yes-1"), loaded_at=None)
    session.commit()
    assert result.device.printer_id == printer.id
