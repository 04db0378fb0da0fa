"""Live updates in a real browser: "Poll now" and "Poll all" change every open tab without a reload.

Two app servers of their own (the session `app_server` holds demo printers nobody answers for):

* embedded mode: SQLite, no Redis, the Dramatiq workers and the scheduler run inside the app's backend;
* production mode: PostgreSQL, a private redis-server, the Reflex state in Redis (several backend workers) and
  the polls done by separate `python -m workers` processes that publish on the Redis channel `pi:events`.

The printers are snmpsim devices on 127.0.0.2 and up (each a copy of one of the real recordings with a serial,
MAC and community of its own; the pipeline refuses a MAC that another active printer has) served by a few
simulator processes, plus every tenth printer on a 127.0.0.2xx address where no agent listens (a FAILED poll).
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import sys
import threading
import time
from collections import Counter
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
from printer_app.models.choices import TaskStatus, TriggeredBy
from printer_app.services.events import INVENTORY_UPDATE, POLL_ALL_PROGRESS
from printer_app.state.view import number
from tests.e2e.conftest import (
    SCREENSHOT_DIR,
    AppRun,
    AppServer,
    new_context,
    prod_env,
    shot,
    unavailable,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

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


def _learn_devices() -> list[tuple[str, str, str | None, int | None]]:
    """(community, serial, MAC, total) of each recording, as our poller reads it."""
    from printer_app.services import snmp
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


def _write_device(data_dir: Path, index: int, printer: SimPrinter, device: tuple) -> None:
    """Make simulated printer `index` a device of its own: unique serial, MAC and community; a serial and a page
    counter added where the (trimmed) recording lacks them, so every reachable printer polls as a SUCCESS."""
    from printer_app.services import snmp_assemble
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


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimFarm, host_slices

    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    devices = _learn_devices()
    printers: list[SimPrinter] = []
    live = dead = 0
    for i in range(PRINTERS):
        if i % DEAD_EVERY == DEAD_EVERY - 1:
            printers.append(SimPrinter(host=str(FIRST_DEAD + dead), reachable=False))
            dead += 1
        else:
            printers.append(SimPrinter(host=str(FIRST_LIVE + live)))
            live += 1
    reachable = [p for p in printers if p.reachable]
    slices = host_slices([p.host for p in reachable], SIM_PROCESSES)
    process_of = {host: n for n, hosts in enumerate(slices) for host in hosts}
    tmp = tmp_path_factory.mktemp("live_sim")
    for index, p in enumerate(reachable):  # each simulator process serves its own printers' files only
        _write_device(tmp / f"snmprec-{process_of[p.host]}", index, p, devices[index % len(devices)])
    with SnmpSimFarm([(hosts, tmp / f"snmprec-{n}") for n, hosts in enumerate(slices)]) as farm:
        yield Sim(port=farm.port, printers=printers)


# --------------------------------------------------------------------------------------------- app servers


class EventTap:
    """Production: a subscriber of the Redis channel `pi:events` noting when each event was published (ms since the
    epoch, the clock of the browser's Date.now()), to split a live update's latency into poll and delivery."""

    def __init__(self, redis_url: str) -> None:
        import redis

        self._pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe("pi:events")
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


def _seed(db_url: str, sim: Sim) -> dict[str, int]:
    """Exactly the simulated printers (a fresh database: they are all its pollable printers)."""
    from printer_app.services.printers import PrinterInput, create_printer

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


def _time_zone_away_from_the_hour() -> str:
    """A zone whose next full hour is > 10 minutes away: the embedded scheduler's hourly dispatch (minute 0) would
    otherwise add polls of every printer in the middle of a test that counts them."""
    minute = datetime.now(UTC).minute
    return "Asia/Kolkata" if minute < 5 or minute >= 45 else "Asia/Irkutsk"  # UTC+5:30 / UTC+8


def _common_env() -> dict[str, str]:
    return {"SNMP_TIMEOUT": "1", "SNMP_RETRIES": "1", "TIME_ZONE": _time_zone_away_from_the_hour()}


@pytest.fixture(scope="module")
def embedded_app(sim: Sim) -> Iterator[LiveApp]:
    """Embedded mode (no REDIS_URL) on a fresh SQLite database holding exactly the simulated printers."""
    run = AppRun("live_embedded", extra_env=_common_env())
    try:
        run.launch()  # init-db, then the build runs while we seed
        ids = _seed(run.server.db_url, sim)
        yield LiveApp(server=run.wait_ready(), ids=ids, mode="embedded")
    finally:
        _report_app_log(run, "embedded")


@pytest.fixture(scope="module")
def prod_app(sim: Sim, databases, private_redis, tmp_path_factory) -> Iterator[LiveApp]:
    """Production mode: PostgreSQL, a private Redis (Reflex state + broker + pi:events) and `python -m workers`."""
    from tests.workers_harness import WorkerGroup, worker_env

    db_url = databases.create("postgresql")  # migrated
    env = prod_env(private_redis.url, **_common_env())
    run = AppRun("live_prod", db_url=db_url, extra_env=env, init_db=False)
    log_dir = tmp_path_factory.mktemp("live_workers")
    args = ["--high-processes", "1", "--low-processes", "1"]
    workers = WorkerGroup("workers", args, worker_env(db_url, private_redis.url, **env), log_dir)
    tap = None
    try:
        run.launch()
        ids = _seed(db_url, sim)
        workers.start()
        server = run.wait_ready()
        _wait_workers_ready(workers)
        tap = EventTap(private_redis.url)
        yield LiveApp(server=server, ids=ids, mode="prod", tap=tap)
    finally:
        if tap is not None:
            tap.close()
        workers.stop()
        _report_app_log(run, "prod")
        (SCREENSHOT_DIR / "e2e_live_prod_workers.log").write_text(workers.log_tail(1_000_000))
        problems = [line for line in workers.log_tail(200_000).splitlines() if "Traceback" in line or "ERROR" in line]
        if problems:
            print(f"[live] worker log problems:\n{workers.log_tail()}", file=sys.stderr)


def _wait_workers_ready(workers, timeout: float = 60) -> None:
    """Both dramatiq groups (queues high and low) booted their worker processes."""
    deadline = time.monotonic() + timeout
    while workers.log_tail(200_000).count("is ready for action") < 2:
        if not workers.running:
            pytest.fail(f"`python -m workers` exited:\n{workers.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the workers did not boot within {timeout:.0f} s:\n{workers.log_tail()}")
        time.sleep(0.2)


APP_LOG_PROBLEMS = ("Traceback", "Exception", "Error")


def _report_app_log(run: AppRun, name: str) -> None:
    """Stop the server, keeping its log beside the screenshots; show it when it holds anything suspicious."""
    keep = SCREENSHOT_DIR / f"e2e_live_{name}_app.log"
    run.stop(keep_log=keep)
    text = keep.read_text(errors="replace") if keep.exists() else ""
    if any(word in text for word in APP_LOG_PROBLEMS):
        print(f"\n[live] {name} app log (contains errors):\n{text[-6000:]}", file=sys.stderr)


def _assert_clean_log(app: LiveApp) -> None:
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


def settle(page: Page) -> None:
    """Give the tab's live listener (a background event started by on_load) a moment to attach to the hub."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)


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


# --------------------------------------------------------------------------------------------- scenarios


@dataclass
class Latency:
    total: float  # ms from the click in tab 1 to the row changing in tab 2
    delivery: float | None = None  # ms from the result's publication on pi:events to that change (production)


def poll_now_two_tabs(browser: Browser, app: LiveApp, printers: list[SimPrinter], name: str) -> list[Latency]:
    """Click "Poll now" on each printer's row in tab 1; both tabs' rows change without a reload, tab 1 toasts, the
    database has the new MANUAL task. Returns the latencies."""
    latencies = []
    with tabs(browser, app) as (tab1, tab2):
        for tab in (tab1, tab2):
            open_printers(tab)
            settle(tab)
        for n, printer in enumerate(printers):
            ip = printer.host
            before = max_task_id(app)
            for tab in (tab1, tab2):
                tab.evaluate(WATCH_ROW, ip)
            row(tab1, ip).locator(".poll-now").click()
            for tab in (tab1, tab2):
                expect(row(tab, ip)).to_contain_text("Success")
            expect(toast(tab1, f"{ip}: polled successfully")).to_be_visible()
            if n == 0:
                tab1.wait_for_timeout(400)  # let the toast finish sliding in
                shot(tab1, f"live_{name}_poll_now_tab1")
                shot(tab2, f"live_{name}_poll_now_tab2")
            expect(toast(tab2, f"{ip}: polled successfully")).to_have_count(0)  # only the asking tab is told

            tasks = new_tasks(app, before)
            assert [(t.printer_id, t.status, t.triggered_by) for t in tasks] == [
                (app.ids[ip], TaskStatus.SUCCESS, TriggeredBy.MANUAL)
            ]
            total = total_of(app, tasks[0].id)
            assert total is not None
            for tab in (tab1, tab2):
                expect(row(tab, ip)).to_contain_text(number(total))
                expect(row(tab, ip).locator(".poll-now")).to_be_enabled()  # the spinner is gone
                assert tab.evaluate("window.__noReload") is True, "the tab reloaded"
            clicked = tab1.evaluate("window.__clickedAt")
            seen = [tab.evaluate("window.__rowChangedAt") for tab in (tab1, tab2)]
            assert clicked and all(seen), (clicked, seen)
            latency = Latency(total=seen[1] - clicked)
            detail = ""
            if app.tap is not None:
                published = app.tap.published_at(INVENTORY_UPDATE, app.ids[ip], after=clicked)
                assert published is not None, "the result was not published on pi:events"
                latency.delivery = seen[1] - published
                detail = f"; published on pi:events {published - clicked:.0f} ms after the click"
            latencies.append(latency)
            print(
                f"[live] {app.mode} poll now {ip}: row changed {seen[0] - clicked} ms (tab 1), "
                f"{seen[1] - clicked} ms (tab 2) after the click{detail}",
                file=sys.stderr,
            )
    return latencies


def detail_poll_now(browser: Browser, app: LiveApp, printer: SimPrinter, name: str) -> None:
    printer_id = app.ids[printer.host]
    with app.session() as s:
        polls = s.exec(select(func.count(InventoryTask.id)).where(InventoryTask.printer_id == printer_id)).one()
    with tabs(browser, app, count=1) as (tab,):
        tab.goto(f"/printers/{printer_id}")
        expect(tab.locator("#page-title")).to_have_text(f"Printer {printer.host}")
        history = tab.locator("#history-table tbody tr")
        expect(history).to_have_count(polls)
        settle(tab)
        tab.evaluate("window.__noReload = true")
        tab.click("#poll-now")
        expect(history).to_have_count(polls + 1)
        expect(history.first).to_contain_text("Success")
        expect(toast(tab, f"{printer.host}: polled successfully")).to_be_visible()
        expect(tab.locator("#poll-now")).to_be_enabled()
        assert tab.evaluate("window.__noReload") is True, "the page reloaded"
        shot(tab, f"live_{name}_detail")


def poll_all_two_tabs(browser: Browser, app: LiveApp, sim: Sim, name: str) -> None:
    """Poll all from tab 1: both tabs show the run's progress to the end, failures match the database; a third tab
    opened during the run picks the run up (its listener reads the current batch) and follows it too."""
    with app.session() as s:
        from printer_app.services.poll_batch import pollable_printer_ids

        expected = len(pollable_printer_ids(s))
    assert expected == PRINTERS
    before = max_task_id(app)
    started = time.monotonic()
    with tabs(browser, app, count=3) as (tab1, tab2, late):
        for tab in (tab1, tab2):
            open_printers(tab)
            settle(tab)
        for tab in (tab1, tab2):
            tab.evaluate(WATCH_PROGRESS)
        clicked = tab1.evaluate("Date.now()")
        tab1.click("#poll-all")
        count = [tab.locator("#poll-all-count") for tab in (tab1, tab2)]
        for locator in count:
            expect(locator).to_be_visible()
        # one screenshot while the run is still going (the bar part-way), when the run is slow enough to catch
        mid_shot = False
        while not mid_shot and time.monotonic() - started < POLL_ALL_TIMEOUT / 1000:
            text = count[1].inner_text() or "0 / 0"
            done, total = (int(x) for x in text.split(" / "))
            if 0 < done <= total - 5:  # leave the run time to still be going when the screenshot is taken
                shot(tab2, f"live_{name}_poll_all_running")
                mid_shot = True
            elif done > total - 5 and total:
                break
            tab2.wait_for_timeout(100)
        late.goto("/printers")
        count.append(late.locator("#poll-all-count"))
        for locator in count:
            expect(locator).to_have_text(f"{expected} / {expected}", timeout=POLL_ALL_TIMEOUT)
        elapsed = (tab1.evaluate("Date.now()") - clicked) / 1000
        timeline = [(t - clicked, text) for t, text in tab2.evaluate("window.__progress") if text]
        print(f"[live] {app.mode} poll all, tab 2 progress (ms after the click, count): {timeline}", file=sys.stderr)
        if app.tap is not None:
            published = [
                (round(at - clicked), f"{p['done']} / {p['total']}")
                for at, kind, p in list(app.tap.events)
                if kind == POLL_ALL_PROGRESS and at > clicked
            ]
            print(f"[live] {app.mode} poll all, published on pi:events (ms, count): {published}", file=sys.stderr)

        tasks = new_tasks(app, before)
        per_printer = Counter(t.printer_id for t in tasks)
        assert sorted(per_printer) == sorted(app.ids.values()), "a printer was not polled (or an unknown one was)"
        assert set(per_printer.values()) == {1}, f"printers polled more than once: {per_printer}"
        statuses = {t.printer_id: t.status for t in tasks}
        dead = {app.ids[p.host] for p in sim.printers if not p.reachable}
        failed = {pid for pid, status in statuses.items() if status != TaskStatus.SUCCESS}
        assert failed == dead, f"unexpected outcomes: { ({pid: statuses[pid] for pid in failed ^ dead}) }"
        assert all(statuses[pid] == TaskStatus.FAILED for pid in dead)
        for tab in (tab1, tab2, late):
            expect(tab.locator("#poll-all-failed")).to_have_text(f"{len(failed)} failed")
            expect(tab.locator("#poll-all")).to_be_enabled()  # the run is over
            dead_ip = next(p.host for p in sim.printers if not p.reachable)
            expect(row(tab, dead_ip)).to_contain_text("Failed")  # rows changed live too
            expect(row(tab, sim.live[-1].host)).to_contain_text("Success")
        shot(tab1, f"live_{name}_poll_all_done_tab1")
        shot(tab2, f"live_{name}_poll_all_done_tab2")
    print(
        f"[live] {app.mode} poll all: {expected} printers ({len(failed)} failed) in {elapsed:.1f} s, "
        "seen in all three tabs",
        file=sys.stderr,
    )


def _latency_summary(mode: str, latencies: list[Latency]) -> str:
    def stats(values: list[float]) -> str:
        return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms"

    text = f"[live] {mode}, {len(latencies)} polls: click -> row changed in the other tab: "
    text += stats([x.total for x in latencies])
    deliveries = [x.delivery for x in latencies if x.delivery is not None]
    if deliveries:
        text += f"; published on pi:events -> row changed in the other tab: {stats(deliveries)}"
    return text


# --------------------------------------------------------------------------------------------- tests


def test_embedded_poll_now_updates_both_tabs(browser: Browser, embedded_app: LiveApp, sim: Sim) -> None:
    latencies = poll_now_two_tabs(browser, embedded_app, sim.live[:3], "embedded")
    print(_latency_summary("embedded", latencies), file=sys.stderr)
    _assert_clean_log(embedded_app)


def test_embedded_detail_poll_now_adds_history_row(browser: Browser, embedded_app: LiveApp, sim: Sim) -> None:
    detail_poll_now(browser, embedded_app, sim.live[5], "embedded")
    _assert_clean_log(embedded_app)


def test_embedded_poll_all_progress_in_both_tabs(browser: Browser, embedded_app: LiveApp, sim: Sim) -> None:
    poll_all_two_tabs(browser, embedded_app, sim, "embedded")
    _assert_clean_log(embedded_app)


def test_prod_poll_now_updates_both_tabs(browser: Browser, prod_app: LiveApp, sim: Sim) -> None:
    latencies = poll_now_two_tabs(browser, prod_app, sim.live[:5], "prod")
    print(_latency_summary("prod", latencies), file=sys.stderr)
    _assert_clean_log(prod_app)


def test_prod_detail_poll_now_adds_history_row(browser: Browser, prod_app: LiveApp, sim: Sim) -> None:
    detail_poll_now(browser, prod_app, sim.live[5], "prod")
    _assert_clean_log(prod_app)


def test_prod_poll_all_progress_in_both_tabs(browser: Browser, prod_app: LiveApp, sim: Sim) -> None:
    poll_all_two_tabs(browser, prod_app, sim, "prod")
    _assert_clean_log(prod_app)
