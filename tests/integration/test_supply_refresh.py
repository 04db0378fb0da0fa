"""The supply refresh (services/supplies/refresh.py) on SQLite and PostgreSQL, over polls stored the way the poll
pipeline stores them: lifetimes and forecasts written, a re-run writes nothing, a supply the printer stopped
reporting loses its forecast (not its lifetimes), the rated yield comes from the contracts reference, the event
follows the commit; and the real path: an SNMP poll (snmpsim) queues `refresh_supplies`, the embedded worker runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models import (
    Cartridge,
    DeviceModelCartridge,
    Printer,
    SupplyAlert,
    SupplyAlertRule,
    SupplyForecast,
    SupplyLifetime,
)
from printer_app.services import events
from printer_app.services.polling.history import SupplyReading
from printer_app.services.supplies.refresh import refresh_fleet, refresh_printer
from printer_app.services.supplies.synthetic import Scenario, generate
from tests.factories import make_contract_device, make_model, make_poll, make_printer
from tests.integration.cli_runner import app_cli, json_out  # noqa: F401
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.snmpsim_server import SnmpSimServer

END = datetime(2026, 11, 30, 12, tzinfo=UTC)
NOW = END + timedelta(hours=1)
TONER = Scenario("toner", days=60, polls_per_day=2, pages_per_day=200, yield_pages=6_000, start_level=45, end=END)


def _history(session: Session, printer: Printer, *, drum: bool = True, days: int | None = None) -> object:
    """Polls of a black toner (replaced once or twice, see TONER), a drum at 1 % a week and a cyan toner of a web
    page (no index); returns the toner's synthetic truth."""
    truth = generate(TONER)
    readings = truth.readings if days is None else truth.readings[: days * 2]
    for n, r in enumerate(readings):
        supplies = [
            SupplyReading("Black Toner", kind="toner", color="black", percent=r.percent, state=r.state, supply_index=1)
        ]
        if drum:
            supplies.append(SupplyReading("Drum", kind="drum", percent=90 - n // 14, supply_index=2))
        supplies.append(SupplyReading("Cyan", kind="toner", color="cyan", percent=None, state="some_remaining"))
        make_poll(session, printer, at=r.at, counters={"total_pages": r.pages}, supplies=supplies)
    session.flush()
    return truth


def _forecasts(session: Session, printer_id: int) -> dict[str, SupplyForecast]:
    rows = session.exec(select(SupplyForecast).where(SupplyForecast.printer_id == printer_id)).all()
    return {row.supply_key: row for row in rows}


def _lifetimes(session: Session, printer_id: int) -> list[tuple]:
    query = (
        select(SupplyLifetime)
        .where(SupplyLifetime.printer_id == printer_id)
        .order_by(SupplyLifetime.supply_key, SupplyLifetime.started_at)
    )
    return [(lt.id, lt.supply_key, lt.started_at, lt.ended_at, lt.pages, lt.rated_yield) for lt in session.exec(query)]


def test_a_refresh_stores_lifetimes_and_a_forecast_per_supply(session: Session) -> None:
    printer = make_printer(session)
    truth = _history(session, printer)
    stats = refresh_printer(session, printer.id, now=NOW)
    session.commit()
    assert stats.supplies == 3 and stats.changed_printers == [printer.id]
    rows = _forecasts(session, printer.id)
    assert set(rows) == {"toner:black:1", "drum:-:2", "toner:cyan:d:cyan"}
    toner = rows["toner:black:1"]
    assert toner.forecast_status == "ok" and toner.replacements == len(truth.replaced_at) >= 1
    assert toner.lifetime_started_at == truth.replaced_at[-1]
    assert toner.days_to_empty == pytest.approx(truth.true_days_to_empty, rel=0.1, abs=0.2)
    assert toner.days_low <= toner.days_to_empty <= toner.days_high
    assert toner.pages_to_empty == pytest.approx(truth.true_pages_to_empty, rel=0.12)
    assert toner.last_seen_at == truth.readings[-1].at and toner.level_percent == truth.readings[-1].percent
    assert rows["toner:cyan:d:cyan"].forecast_status == "no_level"
    assert rows["drum:-:2"].kind == "drum" and rows["drum:-:2"].replacements == 0
    lifetimes = [lt for lt in _lifetimes(session, printer.id) if lt[1] == "toner:black:1"]
    assert [lt[2] for lt in lifetimes[1:]] == truth.replaced_at
    assert [lt[3] for lt in lifetimes] == [*truth.replaced_at, None]


def test_a_second_refresh_writes_nothing_and_keeps_the_ids(session: Session) -> None:
    printer = make_printer(session)
    _history(session, printer)
    refresh_printer(session, printer.id, now=NOW)
    session.commit()
    before = {k: (v.id, v.updated_at, v.days_to_empty) for k, v in _forecasts(session, printer.id).items()}
    lifetimes = _lifetimes(session, printer.id)
    again = refresh_printer(session, printer.id, now=NOW)
    session.commit()
    session.expire_all()
    assert (again.inserted, again.updated, again.deleted, again.changed_printers) == (0, 0, 0, [])
    assert {k: (v.id, v.updated_at, v.days_to_empty) for k, v in _forecasts(session, printer.id).items()} == before
    assert _lifetimes(session, printer.id) == lifetimes
    later = refresh_printer(session, printer.id, now=NOW + timedelta(days=2))  # the days count down
    assert later.updated >= 1 and later.inserted == later.deleted == 0


def test_new_polls_extend_the_rows_and_a_supply_no_longer_reported_loses_its_forecast(session: Session) -> None:
    printer = make_printer(session)
    _history(session, printer, days=40)
    refresh_printer(session, printer.id, now=NOW)
    drum_lifetimes = [lt for lt in _lifetimes(session, printer.id) if lt[1] == "drum:-:2"]
    toner = _forecasts(session, printer.id)["toner:black:1"]
    make_poll(
        session,
        printer,
        at=END + timedelta(minutes=30),
        counters={"total_pages": 10**6},
        supplies=[SupplyReading("Black Toner", kind="toner", color="black", percent=3, supply_index=1)],
    )
    stats = refresh_printer(session, printer.id, now=NOW)
    session.commit()
    rows = _forecasts(session, printer.id)
    assert set(rows) == {"toner:black:1"} and stats.deleted >= 2
    assert rows["toner:black:1"].id == toner.id and rows["toner:black:1"].level_percent == 3
    assert [lt for lt in _lifetimes(session, printer.id) if lt[1] == "drum:-:2"] == drum_lifetimes


def test_the_rated_yield_comes_from_the_linked_contract_devices_model(session: Session) -> None:
    printer = make_printer(session)
    model = make_model(session, "Kyocera", "ECOSYS P2040dn")
    cartridges = [
        Cartridge(name="TK-1160", part_number="TK-1160", color="black", capacity="7 200 стр."),
        Cartridge(name="TK-1160C", part_number="TK-1160C", color="cyan", capacity="2,5K"),
    ]
    session.add_all(cartridges)
    session.flush()
    session.add_all(DeviceModelCartridge(device_model_id=model.id, cartridge_id=c.id) for c in cartridges)
    make_contract_device(session, device_model_id=model.id, serial_number=printer.serial_number, printer_id=printer.id)
    _history(session, printer, days=20)
    refresh_fleet(lambda: _same(session), printer_ids=[printer.id], now=NOW)
    yields = {lt[1]: lt[5] for lt in _lifetimes(session, printer.id)}
    assert yields == {"toner:black:1": 7200, "drum:-:2": None, "toner:cyan:d:cyan": 2500}


class _same:
    """The test's own session as a session factory (the fleet refresh opens one per batch)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc) -> None:
        self.session.commit()


def test_supplies_changed_is_announced_after_the_commit_only(session: Session) -> None:
    printer = make_printer(session)
    _history(session, printer, days=10, drum=False)
    session.commit()
    heard: list[dict] = []
    unsubscribe = events.subscribe(lambda kind, data: heard.append(data) if kind == events.SUPPLIES_CHANGED else 0)
    try:
        refresh_printer(session, printer.id, now=NOW)
        session.flush()
        assert heard == []
        session.rollback()
        assert heard == [] and session.scalar(sa.select(sa.func.count()).select_from(SupplyForecast)) == 0
        refresh_printer(session, printer.id, now=NOW)
        session.commit()
        assert heard == [{"printer_ids": [printer.id]}]
    finally:
        unsubscribe()


@pytest.fixture
def app_database(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's own engine (session_scope: the poll and the actor) on the test database; embedded broker."""
    from workers.broker import broker

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    broker.flush_all()
    yield db_url
    broker.flush_all()
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_a_real_poll_queues_the_refresh_and_the_embedded_worker_runs_it(
    app_database: str,
    session: Session,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    from dramatiq import Worker

    from printer_app.models.choices import TriggeredBy
    from workers.broker import HIGH, LOW, broker
    from workers.polls import poll_and_remember

    printer = make_printer(session, ip_address=snmpsim.host, snmp_port=snmpsim.port, snmp_community="ricoh_mpc3002")
    session.add(SupplyAlertRule(name="Any level", below_percent=101, email_mode="off"))  # every supply with a level
    session.commit()
    task = poll_and_remember(printer.id, triggered_by=TriggeredBy.MANUAL)
    assert task.status == "SUCCESS"
    assert broker.queues[LOW].qsize() == 1  # the refresh waits for a worker; the poll did not
    heard: list[dict] = []
    unsubscribe = events.subscribe(lambda kind, data: heard.append(data) if kind == events.SUPPLIES_CHANGED else 0)
    worker = Worker(broker, queues={LOW}, worker_threads=1)
    worker.start()
    try:
        broker.join(LOW, timeout=30_000)
        worker.join()
    finally:
        worker.stop()
        unsubscribe()
    rows = _forecasts(session, printer.id)
    assert rows and all(r.last_seen_at == task.task_timestamp for r in rows.values())
    assert heard == [{"printer_ids": [printer.id]}]
    # The refresh evaluated the alert rules on the committed forecasts and queued the delivery of what it raised.
    session.expire_all()
    alerts = session.exec(select(SupplyAlert).where(SupplyAlert.printer_id == printer.id)).all()
    with_level = {key for key, row in rows.items() if row.level_percent is not None}
    assert with_level and {a.supply_key for a in alerts} == with_level
    assert broker.queues[HIGH].qsize() == 1


def test_the_cli_refreshes_the_fleet_and_a_rerun_writes_nothing(app_cli, session: Session) -> None:  # noqa: F811
    printer = make_printer(session)
    _history(session, printer, days=15)
    session.commit()
    first = json_out(app_cli("supplies", "refresh", "--json"))
    assert first["printers"] == 1 and first["supplies"] == 3 and first["inserted"] >= 3
    assert first["changed_printers"] == 1
    again = json_out(app_cli("supplies", "refresh", "--json"))
    assert again["inserted"] == again["deleted"] == 0
    text = app_cli("supplies", "refresh", "--printer-id", printer.id)
    assert text.exit_code == 0 and "1 printers, 3 supplies" in text.stdout
