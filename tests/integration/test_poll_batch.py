"""End to end against real SNMP agents (snmpsim serving real printer recordings): CLI contract, pipeline, batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager

from sqlmodel import Session, select

from printer_app.models import PageCounter, Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.polling.batch import poll_printers, pollable_printer_ids
from printer_app.services.polling.discovery import discover
from printer_app.services.polling.pipeline import run_inventory_for_printer
from tests.factories import make_org, make_printer
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401


@contextmanager
def _scope(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.commit()


CONTRACT_KEYS = {
    "host",
    "sys_descr",
    "sys_object_id",
    "manufacturer",
    "model",
    "serial",
    "mac",
    "is_color",
    "counters",
    "supplies",
    "errors",
}


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "printer_app", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_cli_poll_json_contract(snmpsim):  # noqa: F811
    out = _cli("poll", snmpsim.host, "--port", str(snmpsim.port), "--community", "jetdirect_m252dw", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == CONTRACT_KEYS
    assert set(data["counters"]) == {"total", "bw_a4", "bw_a3", "color_a4", "color_a3", "raw"}
    assert data["is_color"] is True and data["mac"] == "3C:A8:2A:F6:38:AC"
    for supply in data["supplies"]:
        assert set(supply) == {"index", "description", "kind", "color", "level", "max", "percent", "state"}
        assert supply["percent"] is None or 0 <= supply["percent"] <= 100


def test_cli_poll_unreachable_exits_2_within_timeout(snmpsim):  # noqa: F811
    started = time.monotonic()
    _cli("poll", "--help")  # the interpreter's start-up and the imports, on this machine at this moment
    start_up = time.monotonic() - started
    started = time.monotonic()
    out = _cli(
        "poll",
        snmpsim.host,
        "--port",
        str(snmpsim.port),
        "--community",
        "nosuchdevice",
        "--json",
        "--timeout",
        "0.5",
        "--retries",
        "1",
    )
    elapsed = time.monotonic() - started
    assert out.returncode == 2
    # the engine was given the short attempts (the message is built from the target the engine waited on),
    # not the defaults (2.0 s x 2)
    assert "No SNMP response" in out.stderr and "within 0.5 s x 2 attempts" in out.stderr, out.stderr
    assert out.stdout == ""
    # and it did not hang: a loose bound, as the machine's load (the browser tests beside) varies the start-up
    assert elapsed < 2 * start_up + 10, (elapsed, start_up)


def test_pipeline_polls_a_real_agent(session, snmpsim):  # noqa: F811
    printer = make_printer(
        session,
        ip_address=snmpsim.host,
        snmp_community="ricoh_mpc3002",
        serial_number="W492KB03439",
        snmp_port=snmpsim.port,
    )
    task = run_inventory_for_printer(session, printer_id=printer.id)
    assert task.status == TaskStatus.SUCCESS, task.error_message
    assert task.match_rule == MatchRule.SN_MAC
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
    assert counter.total_pages == 271871 and counter.color_a4 == 271871  # colour MFP: all pages are colour
    assert (counter.toner_black, counter.toner_cyan) == ("40", "20")
    session.refresh(printer)
    assert printer.mac_address == "00:26:73:54:E2:6A"


def test_batch_polls_reachable_and_unreachable_printers(engine, session, snmpsim):  # noqa: F811
    org = make_org(session)
    good = [
        make_printer(session, ip_address=snmpsim.host, snmp_community=c, snmp_port=snmpsim.port, organization_id=org.id)
        for c in ("brother_hl5370dw",)
    ]
    dead = [
        make_printer(session, ip_address=f"127.0.0.{200 + i}", snmp_community="x", snmp_port=snmpsim.port)
        for i in range(5)
    ]
    inactive_org = make_org(session)
    skipped = make_printer(session, ip_address="127.0.0.250", organization_id=inactive_org.id)
    inactive_org.active = False  # deactivated after its printer was added
    session.add(inactive_org)
    session.commit()
    ids = pollable_printer_ids(session)
    assert skipped.id not in ids and {p.id for p in good + dead} <= set(ids)
    started = time.monotonic()
    stats = poll_printers([p.id for p in good + dead], concurrency=16, sessions=lambda: _scope(engine))
    elapsed = time.monotonic() - started
    assert stats.done == 6 and stats.statuses[TaskStatus.SUCCESS] == 1 and stats.statuses[TaskStatus.FAILED] == 5
    # Five dead printers in parallel cost one timeout sequence (2 s x 2 attempts), not five in a row (20 s). The bound
    # is three sequences: far from five, and not a race against a machine loaded by the browser tests beside it
    # (one sequence took 7 s there once).
    assert elapsed < 2.0 * 2 * 3
    session.expire_all()
    assert session.get(Printer, dead[0].id).last_poll_status == TaskStatus.FAILED


def test_discover_finds_the_agent_and_skips_silent_addresses(snmpsim):  # noqa: F811
    found = discover([f"{snmpsim.host}-3"], community="brother_hl5370dw", port=snmpsim.port, timeout=0.5)
    assert [f.ip for f in found] == [snmpsim.host]
    assert (found[0].serial, found[0].mac, found[0].total_pages) == ("B9J154306", "00:1B:A9:0B:A7:52", 7792)


def test_parallel_processes_poll_every_printer_once(db_url, engine, session, snmpsim, monkeypatch):  # noqa: F811
    from printer_app.models import InventoryTask
    from printer_app.services.polling.parallel import poll_printers_parallel

    printers = [
        make_printer(
            session,
            ip_address=snmpsim.host if i == 0 else f"127.0.0.{210 + i}",
            snmp_community="ricoh_mpc3002",
            snmp_port=snmpsim.port,
        )
        for i in range(17)
    ]
    session.commit()
    monkeypatch.setenv("DATABASE_URL", db_url)  # the spawned processes read the settings afresh
    monkeypatch.setenv("SNMP_TIMEOUT", "0.5")
    stats = poll_printers_parallel([p.id for p in printers], processes=2, concurrency=8)
    assert stats.done == 17 and stats.statuses[TaskStatus.SUCCESS] == 1 and stats.statuses[TaskStatus.FAILED] == 16
    session.expire_all()
    tasks = session.exec(select(InventoryTask)).all()
    assert sorted(t.printer_id for t in tasks) == sorted(p.id for p in printers)
