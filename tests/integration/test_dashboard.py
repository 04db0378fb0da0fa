"""Dashboard figures: fleet counts, the emptiest supplies and poll outcomes per local day."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from printer_app.models.base import utcnow
from printer_app.models.choices import SupplyState, TaskStatus
from printer_app.services.inventory.dashboard import (
    LOW_SUPPLY_PERCENT,
    fleet_counts,
    lowest_supplies,
    organization_filter,
    poll_outcomes_per_day,
)
from printer_app.services.polling.history import SupplyReading
from tests.factories import make_model, make_org, make_poll, make_printer
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, tab  # noqa: F401

NOW = utcnow()


def test_fleet_counts(session: Session) -> None:
    ok = make_printer(session)
    make_poll(session, ok, at=NOW - timedelta(hours=1))
    stale = make_printer(session)  # succeeded long ago, failing now
    make_poll(session, stale, at=NOW - timedelta(hours=30))
    make_poll(session, stale, status=TaskStatus.FAILED, at=NOW - timedelta(hours=1))
    flapping = make_printer(session)  # succeeded 2 h ago, failed since: failing only, not also "OK in 24 h"
    make_poll(session, flapping, at=NOW - timedelta(hours=2))
    make_poll(session, flapping, status=TaskStatus.FAILED, at=NOW - timedelta(hours=1))
    quiet = make_printer(session)  # succeeded 30 h ago and not polled since
    make_poll(session, quiet, at=NOW - timedelta(hours=30))
    make_printer(session)  # never polled
    for status in (TaskStatus.VALIDATION_ERROR, TaskStatus.HISTORICAL_INCONSISTENCY):
        make_poll(session, make_printer(session), status=status, at=NOW - timedelta(hours=2))
    retired = make_printer(session, is_active=False)  # inactive printers are not failing nor unpolled
    make_poll(session, retired, status=TaskStatus.FAILED, at=NOW - timedelta(hours=1))
    make_printer(session, is_active=False)
    session.commit()

    counts = fleet_counts(session, now=NOW)

    assert (counts.total, counts.active) == (9, 7)
    assert (counts.ok_24h, counts.stale, counts.failing, counts.never_polled) == (1, 1, 4, 1)
    assert counts.ok_24h + counts.stale + counts.failing + counts.never_polled == counts.active


def test_fleet_counts_of_an_empty_database(session: Session) -> None:
    assert vars(fleet_counts(session)) == {
        "total": 0,
        "active": 0,
        "ok_24h": 0,
        "stale": 0,
        "failing": 0,
        "never_polled": 0,
    }


def _toner(color: str, percent: int | None, state: str = SupplyState.OK) -> SupplyReading:
    return SupplyReading(description=f"{color.title()} Toner", kind="toner", color=color, percent=percent, state=state)


def test_lowest_supplies_reads_latest_successful_poll_of_active_printers(session: Session) -> None:
    org = make_org(session, name="Baikal Medical")
    a = make_printer(session, organization_id=org.id)
    make_poll(session, a, at=NOW - timedelta(days=2), supplies=[_toner("black", 1)])  # superseded
    special = [
        SupplyReading(description="Drum", kind="drum", color="black", state=SupplyState.SOME_REMAINING),
        SupplyReading(description="Waste", kind="waste", state=SupplyState.UNKNOWN),
        SupplyReading(description="Staples", kind="staples", state=SupplyState.OTHER),
    ]
    make_poll(session, a, at=NOW - timedelta(days=1), supplies=[_toner("black", 40), _toner("cyan", 5), *special])
    b = make_printer(session)
    make_poll(session, b, supplies=[_toner("yellow", 3)])
    c = make_printer(session)  # its last poll failed: the supplies of the success before it still count
    make_poll(session, c, at=NOW - timedelta(hours=3), supplies=[_toner("magenta", 10)])
    make_poll(session, c, status=TaskStatus.FAILED, at=NOW - timedelta(hours=1))
    retired = make_printer(session, is_active=False)
    make_poll(session, retired, supplies=[_toner("black", 0)])
    session.commit()

    rows = lowest_supplies(session)

    assert [(r.printer_id, r.description, r.percent) for r in rows] == [
        (b.id, "Yellow Toner", 3),
        (a.id, "Cyan Toner", 5),
        (c.id, "Magenta Toner", 10),
        (a.id, "Black Toner", 40),
    ]
    assert (rows[1].organization, rows[1].ip_address, rows[1].color) == ("Baikal Medical", a.ip_address, "cyan")
    assert rows[0].organization == ""
    assert [r.percent for r in lowest_supplies(session, limit=2)] == [3, 5]


def _two_clients(session: Session):
    """Printers of two organizations and one without: a catalogue model, a legacy model text, and none."""
    baikal, lena = make_org(session, name="Baikal Medical"), make_org(session, name="Lena Shipping")
    model = make_model(session, maker="Kyocera", name="ECOSYS M2040dn")
    a = make_printer(session, organization_id=baikal.id, device_model_id=model.id)
    make_poll(session, a, supplies=[_toner("black", 4), _toner("cyan", 60)])
    b = make_printer(session, organization_id=lena.id, model="Legacy LaserJet 1320")
    make_poll(session, b, supplies=[_toner("black", 2)])
    c = make_printer(session)
    make_poll(session, c, supplies=[_toner("yellow", 7)])
    session.commit()
    return baikal, lena, a, b, c


def test_lowest_supplies_name_the_model_and_the_organization(session: Session) -> None:
    _, _, a, b, c = _two_clients(session)

    rows = {r.printer_id: r for r in lowest_supplies(session)}

    assert (rows[a.id].model, rows[a.id].organization) == ("Kyocera ECOSYS M2040dn", "Baikal Medical")
    assert (rows[b.id].model, rows[b.id].organization) == ("Legacy LaserJet 1320", "Lena Shipping")
    assert (rows[c.id].model, rows[c.id].organization) == ("", "")


def test_lowest_supplies_of_one_organization(session: Session) -> None:
    baikal, lena, a, b, c = _two_clients(session)

    def of(organization: str) -> list[tuple[int, int]]:
        return [(r.printer_id, r.percent) for r in lowest_supplies(session, organization=organization)]

    assert of("") == [(b.id, 2), (a.id, 4), (c.id, 7), (a.id, 60)]
    assert of(str(baikal.id)) == [(a.id, 4), (a.id, 60)]
    assert of(str(lena.id)) == [(b.id, 2)]
    assert of("none") == [(c.id, 7)]
    assert of(str(lena.id + baikal.id + 100)) == []  # no such organization: nothing, not everything
    # what a browser may send that names no organization: every printer's
    for forged in ("all", "1 OR 1=1", "-1", "0", "99999999999", " 1", "ＩＤ", None, 5):
        assert organization_filter(forged) == "", forged
        assert of(forged) == of(""), forged


@pytest.mark.usefixtures("app_db")
def test_dashboard_filter_and_show_all_link_follow_the_organization(session: Session) -> None:
    from printer_app.state.inventory.dashboard import DashboardState

    _, lena, a, b, c = _two_clients(session)
    cookie = session_cookie(session, username="root", superuser=True)
    state = tab(DashboardState, cookie, "/")
    run_handler(DashboardState.load, state)
    assert [s["printer_id"] for s in state.low_supplies] == [b.id, a.id, c.id, a.id]
    assert state.low_supplies[2]["organization"] == "—" and state.low_supplies[2]["model"] == "—"
    assert [name for _, name in state.organizations] == ["Baikal Medical", "Lena Shipping"]
    assert state.supplies_link == f"/printers?supply_below={LOW_SUPPLY_PERCENT}"

    run_handler(DashboardState.set_supply_org, state, str(lena.id))
    assert [(s["printer_id"], s["model"]) for s in state.low_supplies] == [(b.id, "Legacy LaserJet 1320")]
    assert state.supplies_link == f"/printers?supply_below={LOW_SUPPLY_PERCENT}&org={lena.id}"

    run_handler(DashboardState.set_supply_org, state, "none")
    assert [s["printer_id"] for s in state.low_supplies] == [c.id]
    assert state.supplies_link == f"/printers?supply_below={LOW_SUPPLY_PERCENT}&org=none"

    run_handler(DashboardState.set_supply_org, state, "javascript:alert(1)")
    assert state.supply_org == "" and len(state.low_supplies) == 4
    assert state.supplies_link == f"/printers?supply_below={LOW_SUPPLY_PERCENT}"


@pytest.mark.usefixtures("app_db")
def test_dashboard_filter_is_refused_without_the_dashboard(session: Session) -> None:
    from printer_app.state.inventory.dashboard import DashboardState

    _two_clients(session)
    cookie = session_cookie(session, username="nobody")  # signed in, in no group
    state = tab(DashboardState, cookie, "/")
    run_handler(DashboardState.set_supply_org, state, "none")
    assert state.low_supplies == [] and state.supply_org == ""


def test_lowest_supplies_without_colour_reports_other(session: Session) -> None:
    printer = make_printer(session)
    make_poll(session, printer, supplies=[SupplyReading(description="Fuser", kind="fuser", percent=7)])

    assert [(r.description, r.color) for r in lowest_supplies(session)] == [("Fuser", "other")]


@pytest.mark.parametrize("zone", ["Asia/Irkutsk", "UTC", "Asia/Kolkata", "America/Bogota"])
def test_poll_outcomes_are_counted_per_local_day(session: Session, zone: str) -> None:
    tz = ZoneInfo(zone)
    midnight = utcnow().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    today, yesterday = midnight.strftime("%m-%d"), (midnight - timedelta(days=1)).strftime("%m-%d")
    printer = make_printer(session)
    polls = [
        (TaskStatus.SUCCESS, midnight + timedelta(minutes=30)),  # today, though still "yesterday" in UTC east of it
        (TaskStatus.FAILED, midnight + timedelta(minutes=1)),
        (TaskStatus.SUCCESS, midnight - timedelta(minutes=30)),  # yesterday, though "today" in UTC west of it
        (TaskStatus.VALIDATION_ERROR, midnight - timedelta(hours=23)),
        (TaskStatus.SUCCESS, midnight - timedelta(days=6, hours=1)),  # before the 7-day window
    ]
    for status, at in polls:
        make_poll(session, printer, status=status, at=at)
    session.commit()

    days = poll_outcomes_per_day(session, tz=tz, days=7)

    assert len(days) == 7
    assert [d["day"] for d in days][-2:] == [yesterday, today]
    by_day = {d.pop("day"): d for d in days}
    assert set(by_day[today]) == {s.value for s in TaskStatus} - {TaskStatus.NEVER_RUN}
    assert (by_day[today]["SUCCESS"], by_day[today]["FAILED"]) == (1, 1)
    assert (by_day[yesterday]["SUCCESS"], by_day[yesterday]["VALIDATION_ERROR"]) == (1, 1)
    assert sum(sum(counts.values()) for counts in by_day.values()) == 4
