"""How many printers per second does `poll-all` read and store? Compared, in the same run, with the tools of old.

N simulated printers (snmpsim on many 127.0.0.x endpoints, several simulator processes; a share of them point
at addresses with no agent) are polled end to end into a fresh database by `python -m printer_app poll-all`,
then in-process by `poll_printers`. The same printers, one after another, are read by FusionInventory's
`fusioninventory-netinventory` (what the original system's agent descends from) and by net-snmp
`snmpbulkwalk`/`snmpget` of the OIDs our poller reads, on a sample extrapolated to N.

    .venv/bin/python bench/poll_throughput.py --printers 200 [--db postgresql] [--sim-processes 4]
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from printer_app.cli.main import upgrade_database
from printer_app.db import make_engine
from printer_app.models import InventoryTask
from printer_app.models.choices import TaskStatus
from printer_app.services.inventory.printers import PrinterInput, create_printer
from printer_app.services.snmp import assemble as snmp_assemble
from printer_app.services.snmp import poller as snmp
from printer_app.services.snmp import vendors as snmp_vendors
from tests.snmpsim_server import (
    RECORDINGS_DIR,
    SnmpSimFarm,
    SnmpSimServer,
    host_slices,
    measure_capacity,
    write_device_recording,
)

TARGET_PER_SECOND = 50.0
PG_URL = os.environ.get("BENCH_POLL_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_poll")
FIRST_LIVE = ipaddress.IPv4Address("127.0.0.2")
FIRST_DEAD = ipaddress.IPv4Address("127.1.0.1")  # loopback, nothing listens there


@dataclass
class Device:
    """One of the ten recordings, as our poller reads it."""

    community: str
    serial: str
    mac: str | None
    manufacturer: str | None
    total: int | None


@dataclass
class BenchPrinter:
    """One simulated printer: where it is, what it is, and (after set-up) its database id."""

    host: str
    device: Device | None  # None: no agent at this address
    community: str = "public"
    serial: str = ""
    id: int = 0


def learn_devices() -> list[Device]:
    """Poll each recording once, to know the serial and MAC that every copy of it must make unique."""
    communities = sorted(path.stem for path in RECORDINGS_DIR.glob("*.snmprec"))
    with SnmpSimServer() as sim:
        targets = [snmp.SnmpTarget(sim.host, sim.port, community) for community in communities]
        results = asyncio.run(snmp.poll_many(targets))
    devices = []
    for community, result in zip(communities, results, strict=True):
        if isinstance(result, snmp.SnmpUnreachable):
            raise RuntimeError(f"recording {community} does not answer: {result}")
        devices.append(
            Device(community, result.serial or "", result.mac, result.manufacturer, result.counters.get("total"))
        )
    return devices


def write_device_file(data_dir: Path, index: int, printer: BenchPrinter) -> None:
    """Make simulated printer number ``index`` a device of its own, with a community of its own.

    Serial and MAC are made unique (the pipeline refuses a MAC used by another active printer), and a serial
    and a page counter are added where the recording lacks them (trimmed LibreNMS test data), so that every
    reachable printer goes the whole way: identity, history, counters and supplies stored.
    """
    device = printer.device
    add = {}
    if device.serial:
        printer.serial = f"{device.serial[:-4] if len(device.serial) > 4 else device.serial}{index:04d}"
        replace = {device.serial.encode(): printer.serial.encode()}
    else:
        printer.serial, replace = f"SIM{index:07d}", {}
        add[snmp_assemble.PRT_GENERAL_SERIAL] = f"4|{printer.serial}"
    if device.mac:
        mac = bytes.fromhex(device.mac.replace(":", ""))
        replace[mac] = mac[:3] + index.to_bytes(3, "big")
    if device.total is None:
        add[snmp_assemble.PRT_MARKER_LIFE_COUNT] = f"65|{10000 + index}"
    printer.community = f"{device.community}-{index:04d}"
    write_device_recording(data_dir, printer.community, device.community, replace, add)


def _plan(n: int, unreachable: float, devices: list[Device]) -> list[BenchPrinter]:
    """Printers in id order, the unreachable ones spread evenly; the reachable ones cycle over the recordings."""
    dead = round(n * unreachable)
    dead_at = {round(i * n / dead) for i in range(dead)} if dead else set()
    printers, live = [], 0
    for i in range(n):
        if i in dead_at:
            printers.append(BenchPrinter(host=str(FIRST_DEAD + len(printers) - live), device=None))
        else:
            printers.append(BenchPrinter(host=str(FIRST_LIVE + live), device=devices[live % len(devices)]))
            live += 1
    return printers


def _fresh_database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    url = make_url(PG_URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
    return url.render_as_string(hide_password=False)


def _create_printers(url: str, printers: list[BenchPrinter], port: int) -> None:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        for p in printers:
            row = create_printer(
                session, data=PrinterInput(ip_address=p.host, serial_number=p.serial, snmp_community=p.community)
            )
            row.snmp_port = port
            session.flush()
            p.id = row.id
        session.commit()
    engine.dispose()


def _tasks_since(url: str, first_task_id: int) -> list[tuple[int, str, str]]:
    """(printer id, status, error) of the tasks created from ``first_task_id`` on."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(
            select(InventoryTask.printer_id, InventoryTask.status, InventoryTask.error_message).where(
                InventoryTask.id >= first_task_id
            )
        ).all()
    engine.dispose()
    return list(rows)


def _next_task_id(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        last = session.exec(select(func.max(InventoryTask.id))).one()
    engine.dispose()
    return (last or 0) + 1


def _check(url: str, first_task_id: int, printers: list[BenchPrinter], label: str) -> str:
    """One line: the statuses of the run, and whether every printer got exactly one task (dead ones FAILED)."""
    tasks = _tasks_since(url, first_task_id)
    by_status = Counter(status for _, status, _ in tasks)
    per_printer = Counter(printer_id for printer_id, _, _ in tasks)
    live_ids = {p.id for p in printers if p.device}
    problems = [f"printer #{p.id}: {per_printer[p.id]} tasks" for p in printers if per_printer[p.id] != 1]
    dead = len(printers) - len(live_ids)
    if by_status[TaskStatus.FAILED] < dead:
        problems.append(f"only {by_status[TaskStatus.FAILED]} FAILED for {dead} unreachable printers")
    live_errors = Counter(error[:100] for pid, status, error in tasks if pid in live_ids and status != "SUCCESS")
    problems += [f"{count} reachable printers: {status}" for status, count in live_errors.most_common(3)]
    summary = ", ".join(f"{status} {count}" for status, count in sorted(by_status.items()))
    verdict = "OK, one task per printer" if not problems else "PROBLEM: " + "; ".join(problems[:5])
    return f"  {label}: {summary} -> {verdict}"


def _cpu_ticks(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def _measure(sim_pids: list[int]) -> Iterator[dict[str, float]]:
    """Wall time, CPU of this process and its waited children, and CPU of the simulators, of a block."""
    out: dict[str, float] = {}
    wall, own, sim = time.perf_counter(), time.process_time(), _cpu_ticks(sim_pids)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    yield out
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["wall"] = time.perf_counter() - wall
    out["cpu"] = time.process_time() - own + (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
    out["sim_cpu"] = _cpu_ticks(sim_pids) - sim


def _line(label: str, n: int, m: dict[str, float]) -> str:
    return (
        f"  {label:<44} {m['wall']:7.2f} s  {n / m['wall']:7.1f} printers/s   "
        f"CPU/printer: ours {1000 * m['cpu'] / n:5.1f} ms, simulator {1000 * m['sim_cpu'] / n:5.1f} ms"
    )


@contextmanager
def _counting_requests(counts: Counter) -> Iterator[None]:
    """Count the SNMP requests and varbinds answered, through the module seam the unit tests use too."""
    originals = {name: getattr(snmp, name) for name in ("get_cmd", "bulk_cmd", "next_cmd")}

    def wrap(name: str, command: Callable) -> Callable:
        async def counted(*args, **kwargs):
            answer = await command(*args, **kwargs)
            counts[name] += 1
            counts["varbinds"] += len(answer[3] or ())
            return answer

        return counted

    for name, command in originals.items():
        setattr(snmp, name, wrap(name, command))
    try:
        yield
    finally:
        for name, command in originals.items():
            setattr(snmp, name, command)


def _poll_in_process(url: str, printers: list[BenchPrinter], concurrency: int) -> None:
    from printer_app.services.polling.batch import poll_printers

    engine = make_engine(url)

    @contextmanager
    def sessions() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    poll_printers([p.id for p in printers], concurrency=concurrency, sessions=sessions)
    engine.dispose()


def _timed(command: list[str]) -> tuple[float, bool]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode == 0


def _mean_seconds(printers: list[BenchPrinter], one_printer: Callable[[BenchPrinter], float]) -> float | None:
    return sum(map(one_printer, printers)) / len(printers) if printers else None


def fusion_seconds(live: list[BenchPrinter], dead: list[BenchPrinter], port: int, wait: float) -> tuple:
    """Mean seconds per printer of ``fusioninventory-netinventory`` (reachable, unreachable)."""

    def one(p: BenchPrinter) -> float:
        command = ["fusioninventory-netinventory", "--host", p.host, "--port", str(port), "--community", p.community]
        return _timed([*command, "--timeout", f"{wait:g}"])[0]

    return _mean_seconds(live, one), _mean_seconds(dead, one)


def bulkwalk_seconds(live: list[BenchPrinter], dead: list[BenchPrinter], port: int, timeout: float, retries: int):
    """Mean seconds per printer of net-snmp reading what our poller reads (reachable, unreachable).

    The system group and every walked column with ``snmpbulkwalk``, the scalar and vendor OIDs with one
    ``snmpget``; a printer ends at its first failed command, as a careful script would.
    """

    def one(p: BenchPrinter) -> float:
        manufacturer = p.device.manufacturer if p.device else None
        vendor = snmp_vendors.VENDORS.get(manufacturer or "", snmp_vendors.VendorOids())
        scalars, groups = snmp_assemble.reads_for(manufacturer, vendor)
        columns = [oid for group in groups.values() for oid in group.values()]
        common = ["-v2c", "-c", p.community, "-On", "-m", "", "-t", f"{timeout:g}", "-r", str(retries)]
        common.append(f"{p.host}:{port}")
        commands = [["snmpbulkwalk", *common, "1.3.6.1.2.1.1"], ["snmpget", *common, *scalars]]
        commands += [["snmpbulkwalk", *common, column] for column in columns]
        total = 0.0
        for command in commands:
            seconds, ok = _timed(command)
            total += seconds
            if not ok:
                break
        return total

    return _mean_seconds(live, one), _mean_seconds(dead, one)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printers", type=int, default=200)
    parser.add_argument("--unreachable", type=float, default=0.1, help="share of printers with no agent")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--concurrency", type=int, default=24, help="poll-all --concurrency (64 floods the simulators on 2 cores)"
    )
    parser.add_argument("--baseline-sample", type=int, default=20, help="printers timed with the slow tools")
    parser.add_argument("--processes", type=int, default=1, help="poll-all --processes (0: one per core)")
    parser.add_argument("--sim-processes", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--timeout", type=float, default=2.0, help="SNMP_TIMEOUT, seconds per attempt")
    parser.add_argument("--retries", type=int, default=1, help="SNMP_RETRIES")
    args = parser.parse_args(argv)
    os.environ["SNMP_TIMEOUT"], os.environ["SNMP_RETRIES"] = str(args.timeout), str(args.retries)
    one_timeout = args.timeout * (args.retries + 1)
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="pi-bench-poll-") as tmp_name:
        tmp = Path(tmp_name)
        print("Learning the ten recordings' identities (one snmpsim)...", flush=True)
        devices = learn_devices()
        printers = _plan(args.printers, args.unreachable, devices)
        live = [p for p in printers if p.device]
        dead = [p for p in printers if not p.device]
        slices = host_slices([p.host for p in live], args.sim_processes)
        process_of = {host: number for number, hosts in enumerate(slices) for host in hosts}
        for index, p in enumerate(live):  # each simulator process serves its own printers' files only
            write_device_file(tmp / f"snmprec-{process_of[p.host]}", index, p)
        print(f"Starting {len(slices)} snmpsim processes for {len(live)} endpoints...", flush=True)
        started = time.perf_counter()
        with SnmpSimFarm([(hosts, tmp / f"snmprec-{number}") for number, hosts in enumerate(slices)]) as farm:
            print(f"  ready in {time.perf_counter() - started:.1f} s (port {farm.port})", flush=True)
            get_rps, bulk_rps = measure_capacity([(p.host, p.community) for p in live], farm.port)
            url = _fresh_database(args.db, tmp)
            upgrade_database(url)
            _create_printers(url, printers, farm.port)
            n = len(printers)
            print(
                f"\nPoll throughput: {n} printers ({len(live)} simulated, {len(dead)} unreachable), "
                f"{args.db}, concurrency {args.concurrency}, SNMP timeout {args.timeout} s x {args.retries + 1} "
                f"attempts, {cores} cores, {len(farm.servers)} snmpsim processes"
            )
            print(
                f"Simulator capacity (measured alone, all endpoints): {get_rps:,.0f} GET/s (1 varbind), "
                f"{bulk_rps:,.0f} GETBULK/s (48 varbinds)"
            )
            results = []

            first = _next_task_id(url)
            env = {**os.environ, "DATABASE_URL": url}
            with _measure(farm.pids) as m_cli:
                out = subprocess.run(
                    [sys.executable, "-m", "printer_app", "poll-all", "--concurrency", str(args.concurrency),
                     "--processes", str(args.processes)],
                    capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent,
                )  # fmt: skip
            if out.returncode != 0:
                print(out.stdout[-2000:], out.stderr[-2000:])
                return 1
            results.append(_line("poll-all (subprocess, end to end)", n, m_cli))
            checks = [_check(url, first, printers, "poll-all")]

            first = _next_task_id(url)
            with _measure(farm.pids) as m_all:
                _poll_in_process(url, printers, args.concurrency)
            results.append(_line("poll_printers in-process, all printers", n, m_all))
            checks.append(_check(url, first, printers, "poll_printers"))

            first = _next_task_id(url)
            with _measure(farm.pids) as m_live:
                _poll_in_process(url, live, args.concurrency)
            results.append(_line("poll_printers in-process, reachable only", len(live), m_live))
            checks.append(_check(url, first, live, "reachable only"))

            counts: Counter = Counter()
            targets = [snmp.SnmpTarget(p.host, farm.port, p.community) for p in live]
            with _measure(farm.pids) as m_snmp, _counting_requests(counts):
                asyncio.run(snmp.poll_many(targets, concurrency=args.concurrency))
            results.append(_line("poll_many, reachable only (SNMP, no database)", len(live), m_snmp))

            m_dead = {"wall": 0.0}
            if dead:
                first = _next_task_id(url)
                with _measure(farm.pids) as m_dead:
                    _poll_in_process(url, dead, args.concurrency)
                checks.append(_check(url, first, dead, "unreachable only"))

            sample_dead = dead[: round(args.baseline_sample * len(dead) / n)]
            sample_live = random.Random(1).sample(live, min(len(live), args.baseline_sample - len(sample_dead)))
            have_fusion = shutil.which("fusioninventory-netinventory")
            have_netsnmp = shutil.which("snmpbulkwalk") and shutil.which("snmpget")
            fusion = fusion_seconds(sample_live, sample_dead, farm.port, one_timeout) if have_fusion else None
            bulk = (
                bulkwalk_seconds(sample_live, sample_dead, farm.port, args.timeout, args.retries)
                if have_netsnmp
                else None
            )

        ours = n / m_cli["wall"]
        print("\nOurs (wall time, printers per second, CPU per printer of our process and of the simulators):")
        print("\n".join(results))
        print("\n".join(checks))
        per_printer = {k: v / len(live) for k, v in counts.items()}
        print(
            f"  SNMP requests per reachable printer: {per_printer.get('get_cmd', 0):.1f} GET + "
            f"{per_printer.get('bulk_cmd', 0):.1f} GETBULK + {per_printer.get('next_cmd', 0):.1f} GETNEXT, "
            f"{per_printer.get('varbinds', 0):.0f} varbinds answered"
        )
        if dead:
            print(
                f"  unreachable printers: {len(dead)} alone took {m_dead['wall']:.2f} s end to end "
                f"= {m_dead['wall'] / one_timeout:.2f} x one timeout ({one_timeout:g} s), "
                f"vs {len(dead) * one_timeout:g} s one after another"
            )
        verdict = "met" if ours >= TARGET_PER_SECOND else "NOT met"
        print(
            f"  target {TARGET_PER_SECOND:g} printers/s end to end: {verdict}. CPU bounds on this machine: our "
            f"process {n / m_cli['cpu']:.0f} printers/s (one process, one core), the simulators "
            f"{cores * n / m_cli['sim_cpu']:.0f} printers/s if they had all {cores} cores"
        )

        print(f"\nBaselines, one printer after another, timed on a sample extrapolated to {n} printers:")
        for name, timing, missing in (
            ("fusioninventory-netinventory", fusion, "not installed (Debian fusioninventory-agent-task-network)"),
            ("snmpbulkwalk + snmpget, same OIDs", bulk, "not installed (Debian snmp)"),
        ):
            if timing is None:
                print(f"  {name}: {missing}; skipped")
                continue
            live_s, dead_s = timing
            total = len(live) * live_s + len(dead) * (dead_s or 0.0)
            print(
                f"  {name:<34} {live_s:6.3f} s per reachable printer"
                + (f", {dead_s:5.2f} s per unreachable one" if dead_s is not None else "")
                + f" -> {total:7.1f} s for {n} = {n / total:6.1f} printers/s; ours is {ours / (n / total):5.1f}x faster"
            )
        print(
            f"  (sample: {len(sample_live)} reachable + {len(sample_dead)} unreachable printers; the same total wait "
            f"per unreachable printer as ours, {one_timeout:g} s; net-snmp stops a printer at its first timeout)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
