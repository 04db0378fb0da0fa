"""Demo data: idempotent, plausible, and consistent with the printers' latest-poll summary."""

from __future__ import annotations

import itertools

from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.models import (
    Cartridge,
    City,
    ContractDevice,
    ContractStatus,
    DeviceModelCartridge,
    InventoryTask,
    Organization,
    PageCounter,
    Printer,
    ServiceProvider,
    SupplyLevel,
)
from printer_app.models.choices import TaskStatus
from printer_app.services.contracts.request_email import cartridge_request
from printer_app.services.inventory.demo import MODELS, ORGANIZATIONS, DemoStats, load_demo_data
from printer_app.services.inventory.printer_list import PrinterFilters, list_printers

CONTRACT_TABLES = (City, ContractStatus, ServiceProvider, Cartridge, DeviceModelCartridge, ContractDevice)


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_loading_twice_adds_nothing_the_second_time(session: Session) -> None:
    first = load_demo_data(session, printers=30, days=3, polls_per_day=2)
    session.commit()
    tables = (Organization, Printer, InventoryTask, PageCounter, SupplyLevel, *CONTRACT_TABLES)
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


def test_demo_contracts_fill_the_contracts_page(session: Session) -> None:
    load_demo_data(session, printers=60, days=1)
    session.commit()

    statuses = {s.name: s.color for s in session.exec(select(ContractStatus)).all()}
    assert set(statuses) == {"Активен", "Приостановлен", "Расторгнут"}
    assert all(len(c) == 7 and c.startswith("#") for c in statuses.values())
    providers = {p.code: p for p in session.exec(select(ServiceProvider)).all()}
    assert (
        providers["amb"].name == "АМБ" and providers["amb"].support_email and providers["amb"].issue_tracker == "okdesk"
    )
    assert providers["tonex"].issue_tracker == "none"
    printers = {p.id: p for p in session.exec(select(Printer)).all()}
    devices = session.exec(select(ContractDevice)).all()
    linked = [d for d in devices if d.printer_id is not None]
    assert len(linked) >= 0.75 * sum(p.organization_id is not None for p in printers.values())
    assert all(printers[d.printer_id].serial_number == d.serial_number for d in linked)
    assert all(printers[d.printer_id].organization_id == d.organization_id for d in linked)
    polled = {p.serial_number.lower() for p in printers.values()}
    assert sum(d.serial_number.lower() not in polled for d in devices) >= 3  # contracted, never polled
    by_serial: dict[str, set[int]] = {}
    for d in devices:
        by_serial.setdefault(d.serial_number.lower(), set()).add(d.organization_id)
    assert [s for s, orgs in by_serial.items() if len(orgs) > 1] != []  # one device moved between organizations
    assert all(d.service_start_month and d.service_start_month.day == 1 for d in devices)
    assert all(d.city_id and d.address and d.device_model_id and d.status_id for d in devices)
    primary = session.exec(select(DeviceModelCartridge).where(DeviceModelCartridge.is_primary)).all()
    assert {link.device_model_id for link in primary} == {p.device_model_id for p in printers.values()}

    _name, eml = cartridge_request(session, device_id=linked[0].id, sender="demo@example.ru")
    assert "Заявка на картридж".encode() not in eml and b"Subject: =?utf-8?" in eml  # encoded, ready to open


def test_demo_contracts_reuse_the_service_providers_seeded_by_code(session: Session) -> None:
    session.add(ServiceProvider(name="AMB Service", code="amb", issue_tracker="okdesk", support_email="sd@amb.ru"))
    session.commit()

    load_demo_data(session, printers=10, days=0)
    session.commit()

    amb = session.exec(select(ServiceProvider).where(ServiceProvider.code == "amb")).all()
    assert [(p.name, p.support_email) for p in amb] == [("AMB Service", "sd@amb.ru")]
    assert _count(session, ServiceProvider) == 2


def test_demo_report_of_last_month(session: Session) -> None:
    """`demo-data` also makes last month's report from the demo contracts, with counters (from polls, or derived from
    the first reading after the month when the history is shorter) and A, D, L, W so K1 / K2 show; published."""
    from printer_app.models import MonthControl, MonthlyReport
    from printer_app.services.reports.demo import demo_month, load_reports_demo
    from printer_app.services.reports.month_list import month_summaries

    load_demo_data(session, printers=40, days=5, polls_per_day=2)
    created = load_reports_demo(session)
    session.commit()
    month = demo_month()
    rows = session.exec(select(MonthlyReport).where(MonthlyReport.month == month)).all()
    serials = {d.serial_number.lower() for d in session.exec(select(ContractDevice)).all() if d.serial_number}
    assert created == len(rows) == len(serials), "one row per contracted serial"
    polled = [r for r in rows if r.serial_number.startswith("DEMO")]
    assert polled and all(r.total_prints >= 200 for r in polled), "a month's printing on every polled printer"
    assert all(r.normative_availability > 0 for r in rows) and any(r.k1 < 100 for r in rows)
    assert any(r.total_requests > 0 for r in rows)
    control = session.exec(select(MonthControl).where(MonthControl.month == month)).one()
    assert control.is_published
    summary = next(s for s in month_summaries(session) if s.month == month)
    assert summary.avg_k1 is not None and 90 <= summary.avg_k1 <= 100 and summary.total_prints > 0
    assert load_reports_demo(session) == 0, "idempotent"


def test_demo_report_uses_the_month_s_polls_when_history_covers_it(session: Session) -> None:
    from printer_app.models import MonthlyReport
    from printer_app.services.reports.demo import demo_month, load_reports_demo

    load_demo_data(session, printers=12, days=70, polls_per_day=1)
    load_reports_demo(session)
    session.commit()
    rows = session.exec(select(MonthlyReport).where(MonthlyReport.month == demo_month())).all()
    polled = [r for r in rows if r.device_ip]
    assert polled and all(r.inventory_last_ok is not None for r in polled)
    assert all(r.a4_bw_end + r.a4_color_end > r.a4_bw_start + r.a4_color_start for r in polled)


def test_demo_supplies_show_replacements_and_forecasts(session: Session) -> None:
    from printer_app.models import SupplyForecast, SupplyLifetime
    from printer_app.services.supplies.refresh import refresh_printers

    load_demo_data(session, printers=20, days=30, polls_per_day=2)
    ids = session.exec(select(Printer.id)).all()
    stats = refresh_printers(session, ids)
    assert stats.supplies >= 20 * 2  # a toner and a drum at least each
    replaced = session.exec(select(func.count()).where(SupplyLifetime.started_by_replacement)).one()
    assert replaced >= 10, "the demo fleet's cartridges were changed during the month"
    status = SupplyForecast.forecast_status
    forecasts = session.exec(select(status, func.count()).group_by(status)).all()
    assert dict(forecasts).get("ok", 0) >= stats.supplies * 0.6, forecasts
