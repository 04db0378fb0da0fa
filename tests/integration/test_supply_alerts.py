"""Raising supply alerts on SQLite and PostgreSQL: once per supply per cartridge lifetime, cleared by a replacement,
organization and global rules, kinds and the days-to-empty condition; the event after the commit."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models.supplies import SupplyAlert
from printer_app.services import events
from printer_app.services.supplies.alerts import evaluate_printer
from tests.alert_data import START, add_forecast, add_rule
from tests.factories import make_org, make_printer


def _alerts(session: Session) -> list[SupplyAlert]:
    return list(session.exec(select(SupplyAlert).order_by(SupplyAlert.id)))


def test_repeated_evaluations_raise_one_alert_per_supply_per_lifetime(session: Session) -> None:
    printer = make_printer(session)
    add_forecast(session, printer.id, level=12)
    add_forecast(session, printer.id, kind="drum", color=None, index=2, level=80)
    rule = add_rule(session, below_percent=20)
    session.commit()
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    try:
        first = evaluate_printer(session, printer.id)
        assert seen == []  # nothing announced before the commit
        session.commit()
        for _ in range(3):  # the next polls find the toner still low
            assert evaluate_printer(session, printer.id) == []
            session.commit()
    finally:
        unsubscribe()
    assert [(a.rule_id, a.supply_key, a.reason, a.level_percent) for a in first] == [
        (rule.id, "toner:black:1", "below_percent", 12)
    ]
    assert len(_alerts(session)) == 1
    assert seen == [(events.SUPPLY_ALERTS, {"alert_ids": [first[0].id], "printer_id": printer.id})]


def test_a_replacement_clears_the_alert_and_the_new_lifetime_raises_again(session: Session) -> None:
    printer = make_printer(session)
    toner = add_forecast(session, printer.id, level=10)
    add_rule(session)
    session.commit()
    (old,) = evaluate_printer(session, printer.id)
    session.commit()
    replaced_at = START + timedelta(days=20)
    toner.lifetime_started_at, toner.level_percent = replaced_at, 100  # a new cartridge
    session.commit()
    assert evaluate_printer(session, printer.id) == []
    session.commit()
    session.refresh(old)
    assert old.cleared_at is not None
    toner.level_percent = 15  # the new cartridge runs low in its turn
    session.commit()
    (new,) = evaluate_printer(session, printer.id)
    session.commit()
    assert new.id != old.id and new.lifetime_started_at == replaced_at and new.cleared_at is None
    assert evaluate_printer(session, printer.id) == []
    assert [a.cleared_at is None for a in _alerts(session)] == [False, True]


def test_organization_rules_apply_to_their_printers_and_global_rules_to_all(session: Session) -> None:
    mine, other = make_org(session, name="Mine"), make_org(session, name="Other")
    in_mine = make_printer(session, organization_id=mine.id)
    in_other = make_printer(session, organization_id=other.id)
    no_org = make_printer(session)
    for printer in (in_mine, in_other, no_org):
        add_forecast(session, printer.id, level=30, days=5)
    global_rule = add_rule(session, name="Everyone", below_percent=None, empty_within_days=7)
    mine_rule = add_rule(session, name="Mine 40 %", organization_id=mine.id, below_percent=40)
    add_rule(session, name="Off", below_percent=90, is_active=False)
    add_rule(session, name="Drums only", below_percent=90, kinds="drum")
    session.commit()
    raised = {
        p.id: [(a.rule_id, a.reason) for a in evaluate_printer(session, p.id)] for p in (in_mine, in_other, no_org)
    }
    session.commit()
    assert raised == {
        in_mine.id: [(global_rule.id, "empty_within_days"), (mine_rule.id, "below_percent")],
        in_other.id: [(global_rule.id, "empty_within_days")],
        no_org.id: [(global_rule.id, "empty_within_days")],
    }


def test_days_rule_needs_a_forecast_and_an_empty_supply_meets_both_conditions(session: Session) -> None:
    printer = make_printer(session)
    add_forecast(session, printer.id, level=40, days=None, status="not_enough_data")
    add_forecast(session, printer.id, color="cyan", index=2, level=None, days=None, status="empty", state="empty")
    add_rule(session, below_percent=None, empty_within_days=30)
    session.commit()
    raised = evaluate_printer(session, printer.id)
    assert [(a.supply_key, a.reason) for a in raised] == [("toner:cyan:2", "empty_within_days")]


def test_an_inactive_printer_raises_nothing(session: Session) -> None:
    printer = make_printer(session, is_active=False)
    add_forecast(session, printer.id, level=1)
    add_rule(session)
    session.commit()
    assert evaluate_printer(session, printer.id) == []


def test_two_evaluations_at_once_insert_one_alert(session: Session, engine: Engine, backend: str) -> None:
    """Two workers evaluating the same printer concurrently: the unique constraint and ON CONFLICT DO NOTHING."""
    printer = make_printer(session)
    add_forecast(session, printer.id, level=5)
    add_rule(session)
    session.commit()
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            with Session(engine) as own:
                barrier.wait()
                counts.append(len(evaluate_printer(own, printer.id)))
                own.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if backend == "sqlite" and errors:  # SQLite serialises writers: a locked database is the only acceptable error
        assert all("locked" in str(e) for e in errors), errors
    else:
        assert not errors, errors
    assert sum(counts) == 1
    assert len(_alerts(session)) == 1
