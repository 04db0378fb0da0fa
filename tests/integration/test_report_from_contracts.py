"""Creating a month from contract devices (docs/reports.md §10.8) on SQLite and PostgreSQL: which devices become
rows, start counters from the previous month or the first poll, end counters from the last poll of the month (the
active printer of a serial), spec zeroing, order numbers, the control row, the log, and the refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, func, select

from printer_app.config import get_settings
from printer_app.models import BulkChangeLog, ContractStatus, MonthControl, MonthlyReport, PrinterModelSpec
from printer_app.models.choices import TaskStatus
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError
from printer_app.services.reports.from_contracts import (
    NO_STATUS,
    contract_choices,
    create_month_from_contracts,
    preview_from_contracts,
)
from printer_app.services.reports.months import default_edit_until
from tests.factories import make_contract_device, make_model, make_org, make_poll, make_printer

OCT, SEP = date(2026, 10, 1), date(2026, 9, 1)
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def _at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 4, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> dict:
    alpha, beta = make_org(session, name="Альфа"), make_org(session, name="Бета")
    active, suspended = ContractStatus(name="Активен", color="#2e7d32"), ContractStatus(name="Приостановлен")
    session.add_all([active, suspended])
    mono, colour = make_model(session, "HP", "M404"), make_model(session, "Xerox", "C8045")
    session.add(PrinterModelSpec(model_name="hp  m404", is_color=False, paper_format="A4", enforce=True))
    session.flush()

    def device(org, serial, status, model=mono):
        return make_contract_device(
            session, organization=org, serial_number=serial, status_id=status.id if status else None,
            device_model_id=model.id, address=f"ул. Ленина, {serial or 'без номера'}",
        )  # fmt: skip

    d1 = device(alpha, "S1", active)
    p1 = make_printer(session, serial_number="s1", ip_address="10.9.0.1")
    make_poll(session, p1, at=_at(3), counters={"total_pages": 1000, "bw_a4": 1000})
    make_poll(session, p1, at=_at(12), status=TaskStatus.FAILED)
    make_poll(session, p1, at=_at(20), counters={"total_pages": 1500, "bw_a4": 1500})
    make_poll(session, p1, at=_at(2, 11), counters={"total_pages": 1600, "bw_a4": 1600})  # next month: ignored
    session.add(MonthlyReport(month=SEP, serial_number="S1 ", a4_bw_end=900, a4_color_end=77))

    device(alpha, "S2", active, colour)
    old = make_printer(session, serial_number="S2", ip_address="10.9.0.2", is_active=False)
    make_poll(session, old, at=_at(1), counters={"bw_a4": 5, "color_a4": 5})
    new = make_printer(session, serial_number="S2", ip_address="10.9.0.3")
    make_poll(session, new, at=_at(5), counters={"bw_a4": 200, "color_a4": 50, "bw_a3": 10, "color_a3": 0})
    make_poll(session, new, at=_at(25), counters={"bw_a4": 300, "color_a4": 80, "bw_a3": 20, "color_a3": 0})

    device(alpha, "", active)  # no serial
    device(alpha, "S4", suspended)  # another status
    device(beta, "s1", active)  # the serial again, under another organization
    device(alpha, "S6", active)
    session.add(MonthlyReport(month=OCT, order_number=7, serial_number="s6 ", organization="Альфа"))
    device(alpha, "S7", None)  # no status, never polled
    session.commit()
    return {"orgs": [alpha.id, beta.id], "statuses": [active.id, NO_STATUS], "d1": d1, "suspended": suspended.id}


def _rows(session: Session) -> dict[str, MonthlyReport]:
    session.expire_all()
    rows = session.exec(select(MonthlyReport).where(MonthlyReport.month == OCT)).all()
    return {r.serial_number.strip().upper(): r for r in rows}


def test_create_month_from_contracts(session: Session, world: dict) -> None:
    preview = preview_from_contracts(session, month=OCT, organization_ids=world["orgs"], status_ids=world["statuses"])
    assert (preview.devices, preview.new, preview.no_serial, preview.already_in_month, preview.duplicate_serial) == (
        6, 3, 1, 1, 1,
    )  # fmt: skip
    assert session.exec(select(func.count()).select_from(MonthlyReport)).one() == 2, "a preview writes nothing"

    result = create_month_from_contracts(
        session, month=OCT, organization_ids=world["orgs"], status_ids=world["statuses"],
        actor=Actor(user_id=None, ip="192.0.2.9"), now=NOW,
    )  # fmt: skip
    session.commit()
    assert (result.created, result.start_from_previous, result.start_from_poll) == (3, 1, 1)
    assert (result.end_from_poll, result.without_polls) == (2, 1)

    rows = _rows(session)
    assert set(rows) == {"S1", "S2", "S6", "S7"}
    s1, s2, s7 = rows["S1"], rows["S2"], rows["S7"]
    assert (s1.organization, s1.equipment_model, s1.address) == ("Альфа", "HP M404", "ул. Ленина, S1")
    # previous month's end as start (its colour end zeroed: the mono A4 spec allows b/w A4 only), last poll as end
    assert (s1.a4_bw_start, s1.a4_color_start, s1.a4_bw_end, s1.a4_bw_end_auto) == (900, 0, 1500, 1500)
    assert s1.total_prints == 600 and s1.device_ip == "10.9.0.1"
    assert s1.inventory_last_ok == _at(20) and not s1.a4_bw_end_manual
    # no previous month: first poll of the month as start; the active printer of the serial, not the old one
    assert (s2.a4_bw_start, s2.a4_color_start, s2.a3_bw_start) == (200, 50, 10)
    assert (s2.a4_bw_end, s2.a4_color_end, s2.a3_bw_end, s2.a3_bw_end_auto) == (300, 80, 20, 20)
    assert s2.total_prints == 140 and s2.device_ip == "10.9.0.3"
    assert s7.device_ip is None and s7.a4_bw_end == 0 and s7.inventory_last_ok is None
    assert sorted(r.order_number for r in (s1, s2, s7)) == [8, 9, 10], "after the month's last order number"
    assert all(r.normative_availability == 0 and r.total_requests == 0 for r in (s1, s2, s7))

    control = session.exec(select(MonthControl).where(MonthControl.month == OCT)).one()
    assert control.edit_until == default_edit_until(OCT, get_settings().tz) and not control.is_published
    log = session.exec(select(BulkChangeLog)).one()
    assert (log.operation_type, log.records_affected, log.ip_address) == ("bulk_sync", 3, "192.0.2.9")
    assert log.params["source"] == "contracts" and log.params["created"] == 3

    with pytest.raises(DomainValidationError, match="None of the chosen devices"):
        create_month_from_contracts(
            session, month=OCT, organization_ids=world["orgs"], status_ids=world["statuses"], now=NOW
        )


def test_a_closed_month_is_refused_and_inputs_are_checked(session: Session, world: dict) -> None:
    session.add(MonthControl(month=OCT, edit_until=datetime(2026, 11, 1, tzinfo=UTC)))
    session.commit()
    with pytest.raises(DomainValidationError, match="closed"):
        create_month_from_contracts(
            session, month=OCT, organization_ids=world["orgs"], status_ids=world["statuses"], now=NOW
        )
    session.rollback()
    for orgs, statuses in (([], [NO_STATUS]), (world["orgs"], []), (["x"], [1]), ([1], [-1]), ([{"a": 1}], [1])):
        with pytest.raises(DomainValidationError):
            preview_from_contracts(session, month=OCT, organization_ids=orgs, status_ids=statuses)
    assert session.exec(select(func.count()).select_from(MonthlyReport)).one() == 2
    assert session.exec(select(func.count()).select_from(BulkChangeLog)).one() == 0


def test_status_choice_and_choices(session: Session, world: dict) -> None:
    only_suspended = preview_from_contracts(
        session, month=OCT, organization_ids=world["orgs"], status_ids=[world["suspended"]]
    )
    assert (only_suspended.devices, only_suspended.new) == (1, 1)
    choices = contract_choices(session)
    assert [name for _id, name in choices["organizations"]] == ["Альфа", "Бета"]
    assert {name for _id, name in choices["statuses"]} == {"Активен", "Приостановлен"}
