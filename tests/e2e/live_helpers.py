"""What the live-update browser tests share: the simulated printers, the app servers' plumbing and browser
helpers (see test_live_updates.py)."""

from __future__ import annotations

import asyncio
import ipaddress
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func
from sqlmodel import Session, select

from printer_app.db import make_engine
from printer_app.models import InventoryTask, PageCounter
from tests.e2e.conftest import SCREENSHOT_DIR, AppRun, AppServer, new_context

PRINTERS = 30
DEAD_EVERY = 10  # printers 9, 19, 29 (0-based) have no agent: ~10 % FAILED polls
FIRST_LIVE = ipaddress.IPv4Address("127.0.0.2")
FIRST_DEAD = ipaddress.IPv4Address("127.0.0.201")
SIM_PROCESSES = 3  # one snmpsim answers ~40 requests/s and a poll is ~8 requests
ROWS = "tr.printer-row"
POLL_ALL_TIMEOUT = 90_000  # ms

# --------------------------------------------------------------------------------------------- simulator


@dataclass
class SimPrinter:
    host: str
    community: str = "public"
    serial: str = ""
    reachable: bool = True


def learn_devices() -> list[tuple[str, str, str | None, int | None]]:
    """(community, serial, MAC, total) of each recording, as our poller reads it."""
    from printer_app.services.snmp import poller as snmp
    from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimServer

    communities = sorted(path.stem for path in RECORDINGS_DIR.glob("*.snmprec"))
    with SnmpSimServer() as sim:
        targets = [snmp.SnmpTarget(sim.host, sim.port, community) for community in communities]
        with ThreadPoolExecutor(1) as pool:  # playwright's sync API keeps an event loop running in this thread
            results = pool.submit(asyncio.run, snmp.poll_many(targets)).result()
    devices = []
    for community, result in zip(communities, results, strict=True):
        if isinstance(result, snmp.SnmpUnreachable):
            raise RuntimeError(f"recording {community} does not answer: {result}")
        devices.append((community, result.serial or "", result.mac, result.counters.get("total")))
    return devices


def write_device(data_dir: Path, index: int, printer: SimPrinter, device: tuple) -> None:
    """Make simulated printer `index` a device of its own: unique serial, MAC and community; a serial and a page
    counter added where the (trimmed) recording lacks them, so every reachable printer polls as a SUCCESS."""
    from printer_app.services.snmp import assemble as snmp_assemble
    from tests.snmpsim_server import write_device_recording

    recording, serial, mac, total = device
    add: dict[str, str] = {}
    if serial:
        printer.serial = f"{serial[:-4] if len(serial) > 4 else serial}{index:04d}"
        replace = {serial.encode(): printer.serial.encode()}
    else:
        printer.serial, replace = f"SIM{index:07d}", {}
        add[snmp_assemble.PRT_GENERAL_SERIAL] = f"4|{printer.serial}"
    if mac:
        raw = bytes.fromhex(mac.replace(":", ""))
        replace[raw] = raw[:3] + index.to_bytes(3, "big")
    if total is None:
        add[snmp_assemble.PRT_MARKER_LIFE_COUNT] = f"65|{10000 + index}"
    printer.community = f"{recording}-{index:04d}"
    write_device_recording(data_dir, printer.community, recording, replace, add)


@dataclass
class Sim:
    port: int
    printers: list[SimPrinter]

    @property
    def live(self) -> list[SimPrinter]:
        return [p for p in self.printers if p.reachable]


# --------------------------------------------------------------------------------------------- app servers


class EventTap:
    """Production: a subscriber of the Redis channel `pi:events` noting when each event was published (ms since the
    epoch, the clock of the browser's Date.now()), to split a live update's latency into poll and delivery."""

    def __init__(self, redis_url: str) -> None:
        import redis

        from printer_app.config import Settings

        self._pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(f"{Settings(REDIS_URL=redis_url).namespace}:events")  # the app's events.channel()
        self._stop = threading.Event()
        self.events: list[tuple[float, str, dict]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from printer_app.services.events import decode

        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.2)
            if message and message["type"] == "message":
                self.events.append((time.time() * 1000, *decode(message["data"])))

    def published_at(self, kind: str, printer_id: int, after: float) -> float | None:
        return next(
            (at for at, k, p in list(self.events) if k == kind and p.get("printer_id") == printer_id and at > after),
            None,
        )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._pubsub.close()


@dataclass
class LiveApp:
    server: AppServer
    ids: dict[str, int]  # ip -> printer id
    mode: str
    tap: EventTap | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = make_engine(self.server.db_url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
        finally:
            engine.dispose()


def seed_printers(db_url: str, sim: Sim) -> dict[str, int]:
    """Exactly the simulated printers (a fresh database: they are all its pollable printers)."""
    from printer_app.services.inventory.printers import PrinterInput, create_printer

    engine = make_engine(db_url)
    ids = {}
    try:
        with Session(engine, expire_on_commit=False) as session:
            for p in sim.printers:
                data = PrinterInput(
                    ip_address=p.host, serial_number=p.serial, snmp_community=p.community, snmp_port=sim.port
                )
                printer = create_printer(session, data=data)
                session.flush()
                ids[p.host] = printer.id
            session.commit()
    finally:
        engine.dispose()
    return ids


def time_zone_away_from_the_hour() -> str:
    """A zone whose next full hour is > 10 minutes away: the embedded scheduler's hourly dispatch (minute 0) would
    otherwise add polls of every printer in the middle of a test that counts them."""
    minute = datetime.now(UTC).minute
    return "Asia/Kolkata" if minute < 5 or minute >= 45 else "Asia/Irkutsk"  # UTC+5:30 / UTC+8


def common_env() -> dict[str, str]:
    return {"SNMP_TIMEOUT": "1", "SNMP_RETRIES": "1", "TIME_ZONE": time_zone_away_from_the_hour()}


def wait_workers_ready(workers, timeout: float = 60) -> None:
    """Both dramatiq groups (queues high and low) booted their worker processes."""
    deadline = time.monotonic() + timeout
    while workers.log_tail(200_000).count("is ready for action") < 2:
        if not workers.running:
            pytest.fail(f"`python -m workers` exited:\n{workers.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the workers did not boot within {timeout:.0f} s:\n{workers.log_tail()}")
        time.sleep(0.2)


APP_LOG_PROBLEMS = ("Traceback", "Exception", "Error")


def report_app_log(run: AppRun, name: str) -> None:
    """Stop the server, keeping its log beside the screenshots; show it when it holds anything suspicious."""
    keep = SCREENSHOT_DIR / f"e2e_live_{name}_app.log"
    run.stop(keep_log=keep)
    text = keep.read_text(errors="replace") if keep.exists() else ""
    if any(word in text for word in APP_LOG_PROBLEMS):
        print(f"\n[live] {name} app log (contains errors):\n{text[-6000:]}", file=sys.stderr)


def assert_clean_log(app: LiveApp) -> None:
    text = app.server.log.read_text(errors="replace")
    assert "Traceback" not in text, f"the {app.mode} app logged an exception:\n{text[-6000:]}"


# --------------------------------------------------------------------------------------------- browser helpers


@contextmanager
def tabs(browser: Browser, app: LiveApp, count: int = 2) -> Iterator[list[Page]]:
    """`count` tabs, each in a browser context of its own (own Reflex client token); uncaught JS errors fail."""
    expect.set_options(timeout=20_000)
    contexts, pages, errors = [], [], []
    try:
        for _ in range(count):
            context = new_context(browser, app.server)
            contexts.append(context)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            pages.append(page)
        yield pages
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def row(page: Page, ip: str):
    return page.locator(f'{ROWS}[data-ip="{ip}"]')


def open_printers(page: Page) -> None:
    page.goto("/printers")
    expect(page.locator(ROWS)).to_have_count(PRINTERS)


# Records, in the page, when the data cells of one row first differ from what they show now (the last cell, the
# buttons, only shows a spinner) and when a "Poll now" button is clicked; both with the same clock (Date.now()).
WATCH_ROW = """(ip) => {
    const cells = () => {
        const r = document.querySelector(`tr.printer-row[data-ip="${ip}"]`);
        return r ? [...r.cells].slice(0, -1).map(c => c.innerText).join('|') : null;
    };
    const before = cells();
    window.__rowChangedAt = null;
    window.__clickedAt = null;
    window.__noReload = true;
    if (window.__rowObserver) window.__rowObserver.disconnect();  // watch one row at a time
    window.__rowObserver = new MutationObserver(() => {
        if (window.__rowChangedAt === null && cells() !== before) window.__rowChangedAt = Date.now();
    });
    window.__rowObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
    if (!window.__clickWatch) {
        window.__clickWatch = true;
        document.addEventListener('click', (e) => {
            if (e.target.closest('.poll-now, #poll-now')) window.__clickedAt = Date.now();
        }, true);
    }
}"""


# Records every text #poll-all-count shows, with Date.now(), from the click on "Poll all" on.
WATCH_PROGRESS = """() => {
    window.__progress = [];
    let last = null;
    const note = () => {
        const el = document.querySelector('#poll-all-count');
        const text = el ? el.innerText : null;
        if (text !== last) { last = text; window.__progress.push([Date.now(), text]); }
    };
    note();
    new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def toast(page: Page, text: str):
    return page.locator("[data-sonner-toast]").filter(has_text=text)


def max_task_id(app: LiveApp) -> int:
    with app.session() as s:
        return s.exec(select(func.max(InventoryTask.id))).one() or 0


def new_tasks(app: LiveApp, after: int) -> list[InventoryTask]:
    with app.session() as s:
        return list(s.exec(select(InventoryTask).where(InventoryTask.id > after).order_by(InventoryTask.id)).all())


def total_of(app: LiveApp, task_id: int) -> int | None:
    with app.session() as s:
        return s.exec(select(PageCounter.total_pages).where(PageCounter.task_id == task_id)).first()
