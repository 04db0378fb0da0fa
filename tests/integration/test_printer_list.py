"""The printers list query: paging, every sort key and every filter, on a fleet of 120 printers per backend.

The fleet is built once per backend through the services and only read by the tests; each test compares the
service's answer with the same answer computed in Python from what the fleet was built with.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.db import make_engine
from printer_app.models import Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.inventory.health import FAILING
from printer_app.services.inventory.printer_list import (
    SORTABLE,
    PrinterFilters,
    filter_options,
    filtered_ids,
    list_printers,
    rows_by_ids,
)
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.polling.history import SupplyReading
from printer_app.services.validators import ip_to_int
from tests.factories import make_model, make_org, make_poll, make_printer
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, signed_in, tab  # noqa: F401
from workers import coordination

SIZE = 120
ORGS = ["alpha Clinic", "Beta Office", "gamma School", "Delta Plant"]
MODELS = [("HP", "LaserJet M404"), ("Canon", "LBP6670"), ("brother", "HL-5370DW")]
LOCATIONS = ["Корпус Б", "archive Room", "башня", "", "Zeta floor"]  # sorted alike by code point and by collation
RULES = [MatchRule.SN_MAC, MatchRule.MAC_ONLY, MatchRule.SN_ONLY, MatchRule.NONE]
# n % 6 -> the printer's poll history, oldest first (an empty list: never polled)
HISTORIES = [
    [],
    [TaskStatus.SUCCESS],
    [TaskStatus.SUCCESS, TaskStatus.FAILED],
    [TaskStatus.VALIDATION_ERROR],
    [TaskStatus.FAILED, TaskStatus.SUCCESS],
    [TaskStatus.HISTORICAL_INCONSISTENCY],
]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@dataclass
class Fleet:
    """The built database and, per printer id, the values the list should show, sort and filter by."""

    engine: Engine
    org_ids: dict[str, int]
    model_ids: list[int]
    expected: dict[int, dict[str, Any]] = field(default_factory=dict)

    def ids(self, **where: Any) -> set[int]:
        return {pid for pid, e in self.expected.items() if all(e[k] == v for k, v in where.items())}


def _counters(n: int) -> dict[str, int | None]:
    total = (n * 7919) % 50_000 + 100
    return {
        "total_pages": total,
        "bw_a4": total // 2 if n % 2 else None,
        "color_a4": total // 3 if n % 3 else 0,
        "bw_a3": n % 5 * 10,
        "color_a3": None if n % 2 else n,
    }


def _supplies(n: int) -> list[SupplyReading]:
    """Black toner n %; every second printer a cyan toner, every third a drum; some only as a state (no percent)."""
    supplies = [SupplyReading(description="Black Toner", kind="toner", color="black", percent=n % 100)]
    if n % 2:
        cyan = (n * 13) % 100 if n % 8 != 1 else None
        supplies.append(
            SupplyReading(
                description="Cyan Toner", kind="toner", color="cyan", percent=cyan, state="ok" if cyan else "low"
            )
        )
    if n % 3 == 1:
        supplies.append(SupplyReading(description="Drum Unit", kind="drum", color="black", percent=(n * 7) % 100))
    return supplies


def _build(session: Session, fleet: Fleet) -> None:
    orgs = {name: make_org(session, name=name) for name in ORGS}
    fleet.org_ids = {name: org.id for name, org in orgs.items()}
    models = [make_model(session, maker, name) for maker, name in MODELS]
    fleet.model_ids = [m.id for m in models]
    order = list(range(SIZE))
    random.Random(7).shuffle(order)  # ids must not follow IPs, or sorting by IP could pass by accident
    for n in order:
        org = None if n % 5 == 0 else ORGS[n // 2 % 4]
        model = None if n % 7 == 0 else n % 3
        legacy = "zeta Legacy" if n % 14 == 7 else ""
        printer = make_printer(
            session,
            ip_address=f"10.0.{n // 100}.{n % 100 + 1}",  # 10.0.0.9 and 10.0.0.10 both exist
            serial_number=f"SN{n * 37 % 1000:04d}",
            mac_address=None if n % 4 == 0 else f"02:00:00:00:{n * 53 % 256:02X}:{n:02X}",
            organization_id=fleet.org_ids[org] if org else None,
            device_model_id=fleet.model_ids[model] if model is not None else None,
            model=legacy,
            is_active=n % 10 != 3,
            location=LOCATIONS[n % 5],
        )
        expected = {
            "n": n,
            "organization": org.lower() if org else None,
            "org_id": fleet.org_ids[org] if org else None,
            "ip": ip_to_int(printer.ip_address),
            "ip_address": printer.ip_address,
            "serial": printer.serial_number,
            "mac": printer.mac_address,
            "model": " ".join(MODELS[model]).lower() if model is not None else legacy.lower(),
            "model_id": fleet.model_ids[model] if model is not None else None,
            "location": LOCATIONS[n % 5].lower(),
            "active": printer.is_active,
            "org_name": org,
            "maker": MODELS[model][0] if model is not None else None,
            "last_success": None,
            "last_poll": None,
            "status": None,
            "match_rule": None,
            "lowest_supply": None,
            "supplies": [],
            **dict.fromkeys(("total", "bw_a4", "color_a4", "bw_a3", "color_a3")),
        }
        history = HISTORIES[n % 6]
        for step, status in enumerate(history):
            at = T0 + timedelta(minutes=n * 37 % 500, hours=step - len(history))
            rule = RULES[n // 6 % 4]
            supplies = _supplies(n)
            make_poll(session, printer, status=status, at=at, match_rule=rule, counters=_counters(n), supplies=supplies)
            expected |= {"last_poll": at, "status": status}
            if status == TaskStatus.SUCCESS:
                c = _counters(n)
                known = [s.percent for s in supplies if s.percent is not None]
                expected |= {"match_rule": rule, "total": c.pop("total_pages"), **c, "last_success": at}
                expected |= {"lowest_supply": min(known, default=None), "supplies": supplies}
        fleet.expected[printer.id] = expected
    session.commit()


@pytest.fixture(scope="module")
def fleet(backend: str, databases) -> Iterator[Fleet]:
    engine = make_engine(databases.create(backend))
    fleet = Fleet(engine=engine, org_ids={}, model_ids=[])
    with Session(engine, expire_on_commit=False) as session:
        _build(session, fleet)
    yield fleet
    engine.dispose()


@pytest.fixture
def reader(fleet: Fleet) -> Iterator[Session]:
    with Session(fleet.engine) as session:
        yield session


def _ids(session: Session, **kwargs: Any) -> list[int]:
    filters = kwargs.pop("filters", PrinterFilters(active="all"))
    return [row.id for row in list_printers(session, filters=filters, page_size=200, **kwargs).rows]


def _expected_order(fleet: Fleet, key: str, descending: bool) -> list[int]:
    """ORDER BY key [DESC] NULLS LAST, id — as the service promises."""
    ids = sorted(fleet.expected)
    present = [i for i in ids if fleet.expected[i][key] is not None]
    missing = [i for i in ids if fleet.expected[i][key] is None]
    return sorted(present, key=lambda i: fleet.expected[i][key], reverse=descending) + missing  # stable: id breaks ties


# Sorting


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", sorted(SORTABLE))
def test_every_sort_key_orders_rows(fleet: Fleet, reader: Session, key: str, descending: bool) -> None:
    assert _ids(reader, sort=key, descending=descending) == _expected_order(fleet, key, descending)


def test_ip_sorts_numerically(reader: Session) -> None:
    rows = list_printers(reader, filters=PrinterFilters(active="all"), sort="ip", page_size=25).rows
    ips = [r.ip_address for r in rows]
    assert ips[8:11] == ["10.0.0.9", "10.0.0.10", "10.0.0.11"]


def test_unknown_sort_key_falls_back_to_ip(fleet: Fleet, reader: Session) -> None:
    assert _ids(reader, sort="no-such-column") == _expected_order(fleet, "ip", False)


# Paging


def test_pages_cover_the_list_once_in_order(fleet: Fleet, reader: Session) -> None:
    active = _expected_order(fleet, "ip", False)
    active = [i for i in active if fleet.expected[i]["active"]]
    seen = []
    first = list_printers(reader, filters=PrinterFilters(), page=1, page_size=25)
    assert (first.total, first.page_count) == (len(active), -(-len(active) // 25))
    for page in range(1, first.page_count + 1):
        result = list_printers(reader, filters=PrinterFilters(), page=page, page_size=25)
        assert result.page == page
        seen += [r.id for r in result.rows]
    assert seen == active
    assert len(result.rows) == len(active) - 25 * (first.page_count - 1)  # the short last page


@pytest.mark.parametrize("page_size", PAGE_SIZES)
def test_each_page_size_limits_rows(fleet: Fleet, reader: Session, page_size: int) -> None:
    result = list_printers(reader, filters=PrinterFilters(active="all"), page_size=page_size)
    assert result.page_size == page_size
    assert len(result.rows) == min(page_size, SIZE)


def test_unsupported_page_size_falls_back_to_50(reader: Session) -> None:
    result = list_printers(reader, filters=PrinterFilters(active="all"), page_size=7)
    assert (result.page_size, len(result.rows)) == (50, 50)


@pytest.mark.parametrize(("asked", "served"), [(0, 1), (-3, 1), (3, 3), (99, 3)])
def test_page_is_clamped_to_existing_pages(reader: Session, asked: int, served: int) -> None:
    result = list_printers(reader, filters=PrinterFilters(active="all"), page=asked, page_size=50)
    assert result.page_count == 3
    assert result.page == served
    assert len(result.rows) == (SIZE - 100 if served == 3 else 50)


def test_empty_result_is_one_empty_page(reader: Session) -> None:
    result = list_printers(reader, filters=PrinterFilters(search="no such printer"), page=4)
    assert (result.rows, result.total, result.page, result.page_count) == ([], 0, 1, 1)


# Filters


def _filtered(session: Session, **filters: Any) -> set[int]:
    filters.setdefault("active", "all")
    result = list_printers(session, filters=PrinterFilters(**filters), page_size=200)
    assert result.total == len(result.rows)
    return {row.id for row in result.rows}


def _searchable(e: dict[str, Any]) -> list[str]:
    """What the search looks in: organization, model (catalogue or legacy), manufacturer, serial, IP and MAC."""
    return [(v or "").lower() for v in (e["org_name"], e["model"], e["maker"], e["serial"], e["ip_address"], e["mac"])]


@pytest.mark.parametrize(
    "needle",
    [
        "10.0.1.",
        "10.0.0.1",
        "0.0.9",
        "sn003",
        " SN0037 ",
        "SN",
        "beta off",
        "CLINIC",
        "lbp66",
        "canon lbp",
        "BROTHER",
        "legacy",
        "02:00:00:00:35",
        ":0a",
    ],
)
def test_search_matches_any_field_a_printer_is_known_by(fleet: Fleet, reader: Session, needle: str) -> None:
    text = needle.strip().lower()
    expected = {i for i, e in fleet.expected.items() if any(text in v for v in _searchable(e))}
    assert expected
    assert _filtered(reader, search=needle) == expected


def test_search_treats_like_wildcards_literally(reader: Session) -> None:
    assert _filtered(reader, search="SN_0") == set()
    assert _filtered(reader, search="%") == set()


def test_filter_by_organization(fleet: Fleet, reader: Session) -> None:
    for name, org_id in fleet.org_ids.items():
        assert _filtered(reader, organization=str(org_id)) == fleet.ids(org_id=org_id), name
    assert _filtered(reader, organization="none") == fleet.ids(org_id=None)


def test_filter_by_model(fleet: Fleet, reader: Session) -> None:
    for model_id in fleet.model_ids:
        assert _filtered(reader, model=str(model_id)) == fleet.ids(model_id=model_id)


@pytest.mark.parametrize("rule", [*MatchRule, "UNSET"])
def test_filter_by_match_rule(fleet: Fleet, reader: Session, rule: str) -> None:
    """ "UNSET": no successful poll yet; "NONE" is a rule of its own, identity not verifiable (issue #11)."""
    expected = fleet.ids(match_rule=None if rule == "UNSET" else rule)
    assert expected
    assert _filtered(reader, match_rule=rule) == expected


@pytest.mark.parametrize("status", list(TaskStatus))
def test_filter_by_status(fleet: Fleet, reader: Session, status: TaskStatus) -> None:
    expected = fleet.ids(status=None if status == TaskStatus.NEVER_RUN else status)
    assert expected
    assert _filtered(reader, status=status) == expected


@pytest.mark.parametrize("group", ["ok24h", "stale", "failing", "never"])
def test_filter_by_status_group(fleet: Fleet, reader: Session, group: str) -> None:
    """The groups of services/inventory/health.py, at a moment when some last polls are recent and some not."""
    now = T0 + timedelta(hours=2)  # the fleet's polls spread over T0 - 10 h .. T0 + 8 h
    day_ago = now - timedelta(hours=24)

    def member(e: dict[str, Any]) -> bool:
        status = e["status"]
        return {
            "ok24h": status == TaskStatus.SUCCESS and e["last_poll"] is not None and e["last_poll"] >= day_ago,
            "stale": status == TaskStatus.SUCCESS and e["last_poll"] is not None and e["last_poll"] < day_ago,
            "failing": status in FAILING,
            "never": status is None,
        }[group]

    expected = {i for i, e in fleet.expected.items() if member(e)}
    result = list_printers(reader, filters=PrinterFilters(status=group, active="all"), page_size=200, now=now)
    assert {r.id for r in result.rows} == expected
    groups = [
        list_printers(reader, filters=PrinterFilters(status=g), now=now).total
        for g in ("ok24h", "stale", "failing", "never")
    ]
    assert sum(groups) == list_printers(reader, filters=PrinterFilters()).total  # they add up to the active count


def _with_supply(fleet: Fleet, below: int, kind: str = "", colour: str = "") -> set[int]:
    return {
        i
        for i, e in fleet.expected.items()
        if any(
            s.percent is not None
            and s.percent < below
            and (not kind or s.kind == kind)
            and (not colour or s.color == colour)
            for s in e["supplies"]
        )
    }


@pytest.mark.parametrize(
    ("below", "supply", "kind", "colour"),
    [
        (10, "", "", ""),
        (30, "toner", "toner", ""),
        (30, "toner:cyan", "toner", "cyan"),
        (50, "drum", "drum", ""),
        (0, "", "", ""),
        (100, "toner:black", "toner", "black"),
        (40, "no-such-supply", "", ""),  # an unknown kind (a forged URL) restricts nothing
    ],
)
def test_filter_by_a_supply_below(
    fleet: Fleet, reader: Session, below: int, supply: str, kind: str, colour: str
) -> None:
    expected = _with_supply(fleet, below, kind, colour)
    assert expected or below == 0
    assert _filtered(reader, supply_below=below, supply=supply) == expected


def test_supply_kind_alone_filters_nothing(fleet: Fleet, reader: Session) -> None:
    assert _filtered(reader, supply="drum") == set(fleet.expected)


def test_row_shows_its_lowest_supply(fleet: Fleet, reader: Session) -> None:
    rows = {r.id: r for r in list_printers(reader, filters=PrinterFilters(active="all"), page_size=200).rows}
    for printer_id, e in fleet.expected.items():
        assert rows[printer_id].lowest_supply == e["lowest_supply"], e["n"]
        if e["lowest_supply"] is not None:
            names = {s.description for s in e["supplies"] if s.percent == e["lowest_supply"]}
            assert rows[printer_id].lowest_supply_name in names


def test_only_ids_restricts_to_those_printers(fleet: Fleet, reader: Session) -> None:
    some = sorted(fleet.expected)[:5]
    assert _filtered(reader, only_ids=tuple(some)) == set(some)
    assert _filtered(reader, only_ids=()) == set()  # a run without failures shows none, not all


def test_filtered_ids_cover_every_page(fleet: Fleet, reader: Session) -> None:
    filters = PrinterFilters(search="10.0.0.")
    ids = filtered_ids(reader, filters=filters)
    assert len(ids) > 50
    assert set(ids) == {r.id for r in list_printers(reader, filters=filters, page_size=200).rows}


def test_narrowed_says_whether_a_filter_is_set() -> None:
    assert not PrinterFilters().narrowed
    assert not PrinterFilters(search="  ", supply="toner").narrowed  # a kind alone narrows nothing
    for changed in ({"search": "hp"}, {"status": "failing"}, {"active": "all"}, {"supply_below": 0}, {"only_ids": ()}):
        assert PrinterFilters(**changed).narrowed, changed


@pytest.mark.parametrize(("active", "flags"), [("active", {True}), ("inactive", {False}), ("all", {True, False})])
def test_filter_by_activity(fleet: Fleet, reader: Session, active: str, flags: set[bool]) -> None:
    expected = {i for i, e in fleet.expected.items() if e["active"] in flags}
    assert _filtered(reader, active=active) == expected


def test_default_filters_show_active_printers(fleet: Fleet, reader: Session) -> None:
    assert list_printers(reader, filters=PrinterFilters()).total == len(fleet.ids(active=True))


def test_filters_combine(fleet: Fleet, reader: Session) -> None:
    org_id = fleet.org_ids["Beta Office"]
    expected = fleet.ids(org_id=org_id, status=TaskStatus.FAILED, active=True)
    assert expected
    assert _filtered(reader, organization=str(org_id), status=TaskStatus.FAILED, active="active") == expected


# Row content and filter choices


def test_row_shows_names_counters_and_summary(fleet: Fleet, reader: Session) -> None:
    by_n = {e["n"]: pid for pid, e in fleet.expected.items()}
    rows = {r.id: r for r in list_printers(reader, filters=PrinterFilters(active="all"), page_size=200).rows}

    polled = rows[by_n[2]]  # success then failure: counters of the success, status of the failure
    assert (polled.organization, polled.model) == ("Beta Office", "brother HL-5370DW")
    assert (polled.total, polled.bw_a4, polled.color_a3) == (2 * 7919 + 100, None, 2)
    assert polled.toners == {"black": "2"}  # n = 2: black toner only
    assert (polled.lowest_supply, polled.lowest_supply_name) == (2, "Black Toner")
    assert polled.last_success_at == fleet.expected[by_n[2]]["last_success"]
    assert (polled.status, polled.match_rule, polled.no_counter) == (TaskStatus.FAILED, MatchRule.SN_MAC, False)
    assert polled.last_error.startswith("FAILED while polling")

    never = rows[by_n[0]]  # no organization, no model, never polled
    assert (never.organization, never.model, never.mac_address) == ("", "", "")
    assert (never.status, never.match_rule, never.total, never.toners) == (TaskStatus.NEVER_RUN, "", None, {})
    assert never.no_counter is False  # never polled is not "no page counter"

    assert rows[by_n[7]].model == "zeta Legacy"


def test_filter_options_list_organizations_and_models_by_name(fleet: Fleet, reader: Session) -> None:
    options = filter_options(reader)
    assert [name for _, name in options["organizations"]] == sorted(ORGS, key=str.lower)
    assert [name for _, name in options["models"]] == ["brother HL-5370DW", "Canon LBP6670", "HP LaserJet M404"]


def test_row_of_a_poll_without_page_counter_says_so(session: Session) -> None:
    printer = make_printer(session)
    toner = SupplyReading(description="Black Toner", kind="toner", color="black", percent=35)
    make_poll(session, printer, counters=dict.fromkeys(("total_pages", "bw_a4")), supplies=[toner])
    (row,) = rows_by_ids(session, [printer.id])
    assert (row.no_counter, row.total, row.bw_a4, row.toners) == (True, None, None, {"black": "35"})


# The page's state on the server: the URL read back, "Poll N shown", a run's failures, permissions


@pytest.fixture
def shown_fleet(app_db: str, session: Session) -> dict[str, int]:  # noqa: F811
    """Six printers of two organizations (ip -> id); two of them failed their last poll."""
    north, south = make_org(session, name="North Clinic"), make_org(session, name="South Depot")
    ids = {}
    for n in range(6):
        printer = make_printer(
            session,
            ip_address=f"10.9.0.{n + 1}",
            serial_number=f"ST{n}",
            organization_id=(north if n < 4 else south).id,
        )
        make_poll(session, printer, status=TaskStatus.FAILED if n in (1, 4) else TaskStatus.SUCCESS)
        ids[printer.ip_address] = printer.id
    session.commit()
    return ids


def _queued_poll_all() -> list[list]:
    """The arguments of the poll_all messages queued since the last call (they are taken off the queue)."""
    from dramatiq import Message

    from workers.broker import HIGH, broker

    queue, found = broker.queues.get(HIGH), []
    while queue is not None and not queue.empty():
        message = Message.decode(queue.get_nowait())
        if message.actor_name == "poll_all":
            found.append(list(message.args))
    return found


def test_url_is_read_on_load_and_hostile_values_are_left_out(shown_fleet: dict[str, int], signed_in: str) -> None:  # noqa: F811
    from printer_app.state.inventory.printers import PrintersState

    url = "/printers?q=north&status=failing&supply_below=250&supply=toner:black&sort=1;drop&page=x&size=7&run=../x"
    state = tab(PrintersState, signed_in, url)
    run_handler(PrintersState.load, state)
    assert (state.search, state.status, state.supply_below, state.supply) == ("north", "failing", "100", "toner:black")
    assert (state.sort, state.page, state.page_size, state.run) == ("ip", 1, 50, "")
    assert [r.ip_address for r in state.rows] == []  # the failing printer of North has no supply below 100 %
    assert state.url == "/printers?q=north&status=failing&supply_below=100&supply=toner%3Ablack"

    state = tab(PrintersState, signed_in, "/printers?q=north&status=failing")
    run_handler(PrintersState.load, state)
    assert [r.ip_address for r in state.rows] == ["10.9.0.2"]
    assert state.narrowed and state.poll_label == "Poll 1 shown"


def test_poll_shown_polls_what_the_server_finds_for_the_filters(
    shown_fleet: dict[str, int],
    signed_in: str,  # noqa: F811
    session: Session,
) -> None:
    from printer_app.state.inventory.printers import PrintersState

    _queued_poll_all()
    state = tab(PrintersState, signed_in, "/printers?q=north")
    run_handler(PrintersState.load, state)
    assert state.total == 4 and state.poll_label == "Poll 4 shown"
    state.page_size = 25
    run_handler(PrintersState.poll_shown, state)
    north = sorted(shown_fleet[f"10.9.0.{n}"] for n in (1, 2, 3, 4))
    assert _queued_poll_all() == [[north]]  # all pages of the filtered list, found on the server

    state = tab(PrintersState, signed_in, "/printers")
    run_handler(PrintersState.load, state)
    assert not state.narrowed and state.poll_label == "Poll all 6"
    run_handler(PrintersState.poll_shown, state)
    assert _queued_poll_all() == [[]]  # no filter: every pollable printer (the worker finds them)

    state = tab(PrintersState, signed_in, "/printers?q=no-such-printer")
    run_handler(PrintersState.load, state)
    assert "No printers match" in repr(run_handler(PrintersState.poll_shown, state))
    assert _queued_poll_all() == []


def test_the_worker_polls_only_the_pollable_printers_it_was_given(
    shown_fleet: dict[str, int], session: Session
) -> None:
    from workers import polls

    inactive = shown_fleet["10.9.0.6"]
    printer = session.get(Printer, inactive)
    printer.is_active = False
    session.commit()
    wanted = [shown_fleet["10.9.0.1"], inactive]
    batch_id, ids = polls.start_run(wanted)
    assert ids == [shown_fleet["10.9.0.1"]]  # an inactive printer is not polled even when asked for
    for printer_id in ids:
        coordination.batch_step(batch_id, failed=False, printer_id=printer_id)


def test_run_filter_lists_the_printers_that_failed_in_that_run(
    shown_fleet: dict[str, int],
    signed_in: str,  # noqa: F811
) -> None:
    from printer_app.state.inventory.printers import PrintersState
    from workers import jobs

    batch_id = coordination.start_batch(3)
    failed = [shown_fleet["10.9.0.2"], shown_fleet["10.9.0.5"]]
    coordination.batch_step(batch_id, failed=True, printer_id=failed[0])
    coordination.batch_step(batch_id, failed=False, printer_id=shown_fleet["10.9.0.1"])
    totals = coordination.batch_step(batch_id, failed=True, printer_id=failed[1])
    assert totals["failed"] == 2 and totals["finished_at"] > 0
    assert jobs.run_failures(batch_id) == sorted(failed)

    state = tab(PrintersState, signed_in, f"/printers?run={batch_id}")
    run_handler(PrintersState.load, state)
    assert state.run == batch_id and sorted(r.id for r in state.rows) == sorted(failed)
    run_handler(PrintersState.clear_run, state)
    assert state.total == 6 and state.url == "/printers"


def test_a_viewer_may_not_poll_the_shown_printers(shown_fleet: dict[str, int], session: Session) -> None:
    from printer_app.state.inventory.printers import PrintersState

    cookie = session_cookie(session, username="viewer", groups=("Viewer",))
    _queued_poll_all()
    state = tab(PrintersState, cookie, "/printers?q=north")
    run_handler(PrintersState.load, state)
    assert state.total == 4  # may look
    assert "inventory.run_inventory" not in state.permissions  # the page hides the buttons by this list
    assert "Not allowed" in repr(run_handler(PrintersState.poll_shown, state))
    assert _queued_poll_all() == []
