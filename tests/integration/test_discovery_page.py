"""The /discover page's start handler and the worker's chunked scan: sizes are checked before anything is built."""

from __future__ import annotations

import tracemalloc

import pytest

from printer_app.services.errors import DomainValidationError
from printer_app.services.polling.discovery import discover_in_chunks
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401

TEN_MB = 10 * 1024 * 1024


def _queued() -> int:
    from workers.broker import broker

    return sum(broker.queues[name].qsize() for name in broker.queues)


@pytest.fixture
def empty_queues():
    from workers.broker import broker

    broker.flush_all()
    yield
    broker.flush_all()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0.0.0.0/0", "0.0.0.0/0 has 4,294,967,296 addresses; at most 4,096 can be scanned at once"),
        ("10.0.0.0/8", "10.0.0.0/8 has 16,777,216 addresses; at most 4,096 can be scanned at once"),
        (
            "10.0.0.0/20, 10.0.16.0/20",
            "These ranges have 8,188 addresses together; at most 4,096 can be scanned at once",
        ),
    ],
)
def test_start_refuses_huge_ranges_at_once_and_queues_nothing(
    signed_in: str,  # noqa: F811
    empty_queues,
    spec: str,
    message: str,
) -> None:
    from printer_app.state.inventory.discovery import DiscoveryState

    state = tab(DiscoveryState, signed_in, "/discover")
    state.targets = spec
    tracemalloc.start()
    try:
        result = run_handler(DiscoveryState.start, state)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result is None and state.error == f"targets: {message}"
    assert not state.job_id and _queued() == 0
    assert peak < TEN_MB, f"refusing {spec} allocated {peak:,} bytes"

    state.targets = "127.30.1.1-3"  # the same tab goes on working
    run_handler(DiscoveryState.start, state)
    assert state.error == "" and state.job_id and state.total == 3 and _queued() == 1


def test_worker_scan_refuses_huge_ranges_before_scanning() -> None:
    reports = []
    with pytest.raises(DomainValidationError) as refused:
        discover_in_chunks(["10.0.0.0/8"], progress=lambda *a: reports.append(a))
    assert "10.0.0.0/8 has 16,777,216 addresses" in str(refused.value) and reports == []


def test_worker_scan_reports_each_chunk(snmpsim) -> None:  # noqa: F811
    reports: list[tuple[int, int, list[str]]] = []
    found = discover_in_chunks(
        [f"{snmpsim.host}-3", snmpsim.host],
        chunk_size=2,
        community="brother_hl5370dw",
        port=snmpsim.port,
        timeout=0.5,
        progress=lambda scanned, total, so_far: reports.append((scanned, total, [f.ip for f in so_far])),
    )
    assert [f.ip for f in found] == [snmpsim.host]
    assert reports == [(2, 3, [snmpsim.host]), (3, 3, [snmpsim.host])]


def test_added_since_names_the_printers_added_after_the_scan_started_with_their_latest_poll(session) -> None:
    from datetime import UTC, datetime, timedelta

    from printer_app.models import InventoryTask
    from printer_app.services.polling.discovery import added_since
    from tests.factories import make_printer

    started = datetime.now(UTC)
    before = make_printer(session, ip_address="10.77.0.1", created_at=started - timedelta(hours=1))
    polled = make_printer(session, ip_address="10.77.0.2")
    waiting = make_printer(session, ip_address="10.77.0.3")
    make_printer(session, ip_address="10.77.0.4", is_active=False)
    for status, minutes in (("FAILED", 1), ("SUCCESS", 2)):
        session.add(
            InventoryTask(printer_id=polled.id, status=status, task_timestamp=started + timedelta(minutes=minutes))
        )
    session.flush()

    ips = ["10.77.0.1", "10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.9"]
    assert added_since(session, ips, started) == {"10.77.0.2": (polled.id, "SUCCESS"), "10.77.0.3": (waiting.id, None)}
    assert before.id not in {pid for pid, _ in added_since(session, ips, started).values()}
    assert added_since(session, [], started) == {}
