"""Demo data: idempotent, plausible, and consistent with the printers' latest-poll summary."""

from __future__ import annotations

import itertools

from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.models import InventoryTask, Organization, PageCounter, Printer, SupplyLevel
from printer_app.models.choices import TaskStatus
from printer_app.services.inventory.demo import MODELS, ORGANIZATIONS, DemoStats, load_demo_data
from printer_app.services.inventory.printer_list import PrinterFilters, list_printers


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_loading_twice_adds_nothing_the_second_time(session: Session) -> None:
    first = load_demo_data(session, printers=30, days=3, polls_per_day=2)
    session.commit()
    tables = (Organization, Printer, InventoryTask, PageCounter, SupplyLevel)
    before = [_count(session, t) for t in tables]

    second = load_demo_data(session, printers=30, days=3, polls_per_day=2)
    session.commit()

    assert first == DemoStats(organizations=len(ORGANIZATIONS), printers=30, polls=30 * 3 * 2)
    assert second == DemoStats()
    assert [_count(session, t) for t in tables] == before


def test_counts_are_plausible(session: Session) -> None:
    load_demo_data(session, printers=40, days=5, polls_per_day=3)
    session.commit()

    tasks = _count(session, InventoryTask)
    successes = session.exec(select(func.count()).where(InventoryTask.status == TaskStatus.SUCCESS)).one()
    assert tasks == 40 * 5 * 3
    assert 0.5 * tasks < successes < tasks
    assert _count(session, PageCounter) == successes  # one counter per successful poll
    assert successes * 2 <= _count(session, SupplyLevel) <= successes * 5  # toner(s) + drum
    printers = session.exec(select(Printer)).all()
    assert all(p.ip_address.startswith("127.20.") and p.ip_numeric for p in printers)
    assert len({p.mac_address for p in printers}) == 40
    assert {p.device_model_id for p in printers} and len({p.device_model_id for p in printers}) == len(MODELS)
    assert sum(p.organization_id is None for p in printers) == 4  # every 13th printer has no organization
    assert sum(not p.is_active for p in printers) == 1
    in_range = session.exec(select(func.count()).where(SupplyLevel.percent.between(0, 100))).one()
    assert in_range == _count(session, SupplyLevel)


def test_every_printer_points_at_its_latest_poll_and_counter(session: Session) -> None:
    load_demo_data(session, printers=25, days=4, polls_per_day=2)
    session.commit()

    for printer in session.exec(select(Printer)).all():
        latest_task = session.exec(
            select(InventoryTask)
            .where(InventoryTask.printer_id == printer.id)
            .order_by(InventoryTask.task_timestamp.desc())
        ).first()
        latest_counter = session.exec(
            select(PageCounter).where(PageCounter.printer_id == printer.id).order_by(PageCounter.recorded_at.desc())
        ).first()
        assert (printer.last_poll_at, printer.last_poll_status) == (latest_task.task_timestamp, latest_task.status)
        assert printer.last_counter_id == latest_counter.id, printer.ip_address
        assert printer.last_success_at == latest_counter.recorded_at
        assert printer.last_match_rule is not None


def test_counters_never_decrease(session: Session) -> None:
    load_demo_data(session, printers=10, days=10, polls_per_day=2)
    session.commit()

    rows = session.exec(select(PageCounter).order_by(PageCounter.printer_id, PageCounter.recorded_at)).all()
    for before, after in itertools.pairwise(rows):
        if before.printer_id == after.printer_id:
            assert after.total_pages >= before.total_pages


def test_zero_days_adds_printers_without_history_and_history_later(session: Session) -> None:
    assert load_demo_data(session, printers=5, days=0) == DemoStats(organizations=len(ORGANIZATIONS), printers=5)
    session.commit()
    assert _count(session, InventoryTask) == 0

    assert load_demo_data(session, printers=5, days=1, polls_per_day=2).polls == 10


def test_demo_fleet_fills_the_printers_page(session: Session) -> None:
    load_demo_data(session, printers=60, days=2)
    session.commit()

    page = list_printers(session, filters=PrinterFilters(), page_size=25)

    assert page.total == 59  # one demo printer is inactive
    assert len(page.rows) == 25
    assert page.rows[0].ip_address == "127.20.0.1"
