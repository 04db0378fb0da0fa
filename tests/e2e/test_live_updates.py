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

import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func
from sqlmodel import select

from printer_app.models import InventoryTask
from printer_app.models.choices import TaskStatus, TriggeredBy
from printer_app.services.events import INVENTORY_UPDATE, POLL_ALL_PROGRESS
from printer_app.state.view import number
from tests.e2e.conftest import (
    SCREENSHOT_DIR,
    AppRun,
    prod_env,
    shot,
    unavailable,
)
from tests.e2e.live_helpers import (
    DEAD_EVERY,
    FIRST_DEAD,
    FIRST_LIVE,
    POLL_ALL_TIMEOUT,
    PRINTERS,
    ROWS,
    SIM_PROCESSES,
    WATCH_PROGRESS,
    WATCH_ROW,
    EventTap,
    LiveApp,
    Sim,
    SimPrinter,
    assert_clean_log,
    common_env,
    learn_devices,
    max_task_id,
    new_tasks,
    open_printers,
    report_app_log,
    row,
    seed_printers,
    tabs,
    toast,
    total_of,
    wait_workers_ready,
    write_device,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimFarm, host_slices

    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    devices = learn_devices()
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
        write_device(tmp / f"snmprec-{process_of[p.host]}", index, p, devices[index % len(devices)])
    with SnmpSimFarm([(hosts, tmp / f"snmprec-{n}") for n, hosts in enumerate(slices)]) as farm:
        yield Sim(port=farm.port, printers=printers)


@pytest.fixture(scope="module")
def embedded_app(sim: Sim) -> Iterator[LiveApp]:
    """Embedded mode (no REDIS_URL) on a fresh SQLite database holding exactly the simulated printers."""
    run = AppRun("live_embedded", extra_env=common_env())
    try:
        run.launch()  # init-db, then the build runs while we seed
        ids = seed_printers(run.server.db_url, sim)
        yield LiveApp(server=run.wait_ready(), ids=ids, mode="embedded")
    finally:
        report_app_log(run, "embedded")


@pytest.fixture(scope="module")
def prod_app(sim: Sim, databases, private_redis, tmp_path_factory) -> Iterator[LiveApp]:
    """Production mode: PostgreSQL, a private Redis (Reflex state + broker + pi:events) and `python -m workers`."""
    from tests.workers_harness import WorkerGroup, worker_env

    db_url = databases.create("postgresql")  # migrated
    env = prod_env(private_redis.url, **common_env())
    run = AppRun("live_prod", db_url=db_url, extra_env=env, init_db=False)
    log_dir = tmp_path_factory.mktemp("live_workers")
    args = ["--high-processes", "1", "--low-processes", "1"]
    workers = WorkerGroup("workers", args, worker_env(db_url, private_redis.url, **env), log_dir)
    tap = None
    try:
        run.launch()
        ids = seed_printers(db_url, sim)
        workers.start()
        server = run.wait_ready()
        wait_workers_ready(workers)
        tap = EventTap(private_redis.url)
        yield LiveApp(server=server, ids=ids, mode="prod", tap=tap)
    finally:
        if tap is not None:
            tap.close()
        workers.stop()
        report_app_log(run, "prod")
        (SCREENSHOT_DIR / "e2e_live_prod_workers.log").write_text(workers.log_tail(1_000_000))
        problems = [line for line in workers.log_tail(200_000).splitlines() if "Traceback" in line or "ERROR" in line]
        if problems:
            print(f"[live] worker log problems:\n{workers.log_tail()}", file=sys.stderr)


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
        for tab in (tab1, tab2):  # a result stored before a tab's listener attached is read when it attaches
            open_printers(tab)
        for n, printer in enumerate(printers):
            ip = printer.host
            before = max_task_id(app)
            for tab in (tab1, tab2):
                tab.evaluate(WATCH_ROW, ip)
            if n == 0:  # the other tab acknowledges the update once painted (backpressure: state/live/hub.py Acks)
                with tab2.expect_response(lambda r: r.url.endswith("/_live/ack")) as acked:
                    row(tab1, ip).locator(".poll-now").click()
                    expect(row(tab2, ip)).to_contain_text("Success")
                assert acked.value.status == 204
                assert int(tab2.locator("#live-seq").get_attribute("data-seq")) > 0
            else:
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
        # "Printer <IP>" until a poll learns its model; then the model is the title and the IP under it
        expect(tab.locator("#page-title, #page-subtitle").filter(has_text=printer.host).first).to_be_visible()
        history = tab.locator("#history-table tbody tr")
        expect(history).to_have_count(polls)
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
    opened during the run picks the run up (its listener reads the current batch) and follows it too. Tab 2 shows
    25 rows a page and switches from page 2 to page 1 during the run (its listener passes over the results of
    printers it does not show): at the end every row of its page 1 shows that printer's outcome."""
    with app.session() as s:
        from printer_app.services.polling.batch import pollable_printer_ids

        expected = len(pollable_printer_ids(s))
    assert expected == PRINTERS
    before = max_task_id(app)
    started = time.monotonic()
    with tabs(browser, app, count=3) as (tab1, tab2, late):
        for tab in (tab1, tab2):  # a result stored before a tab's listener attached is read when it attaches
            open_printers(tab)
        tab2.click("#page-size")
        tab2.get_by_role("option", name="25", exact=True).click()
        expect(tab2.locator(ROWS)).to_have_count(25)
        tab2.click("#page-next")
        expect(tab2.locator(ROWS)).to_have_count(PRINTERS - 25)
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
                tab2.click("#page-prev")  # to printers whose results the tab passed over so far
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
        for tab in (tab1, late):
            dead_ip = next(p.host for p in sim.printers if not p.reachable)
            expect(row(tab, dead_ip)).to_contain_text("Failed")  # rows changed live too
            expect(row(tab, sim.live[-1].host)).to_contain_text("Success")
        if not mid_shot:
            tab2.click("#page-prev")
        expect(tab2.locator("#page-info")).to_have_text("Page 1 of 2")
        expect(tab2.locator(ROWS)).to_have_count(25)
        for ip in tab2.locator(ROWS).evaluate_all("rows => rows.map((r) => r.dataset.ip)"):
            outcome = "Success" if statuses[app.ids[ip]] == TaskStatus.SUCCESS else "Failed"
            expect(row(tab2, ip)).to_contain_text(outcome)
        shot(tab1, f"live_{name}_poll_all_done_tab1")
        shot(tab2, f"live_{name}_poll_all_done_tab2")
    print(
        f"[live] {app.mode} poll all: {expected} printers ({len(failed)} failed) in {elapsed:.1f} s, "
        "seen in all three tabs",
        file=sys.stderr,
    )


# Records, in the page, when the "Poll now" button of one row turns into a spinner (disabled) and when it turns back
# (the result came), Date.now().
WATCH_SPINNER = """(ip) => {
    const button = () => document.querySelector(`tr.printer-row[data-ip="${ip}"] .poll-now`);
    window.__spinnerAt = window.__spinnerGoneAt = null;
    new MutationObserver(() => {
        const busy = button() && button().disabled;
        if (window.__spinnerAt === null && busy) window.__spinnerAt = Date.now();
        const came = window.__spinnerAt !== null && window.__spinnerGoneAt === null && !busy;
        if (came) window.__spinnerGoneAt = Date.now();
    }).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def spinner_while_the_device_is_silent(browser: Browser, app: LiveApp, printer: SimPrinter) -> None:
    """A "Poll now" of a printer that never answers (a poll of SNMP_TIMEOUT x 2 = 2 s) from tab 1: tab 2 shows the
    spinner on its row while the device is still silent, long before the result changes the row."""
    ip = printer.host
    with tabs(browser, app) as (tab1, tab2):
        for tab in (tab1, tab2):
            open_printers(tab)
        tab2.evaluate(WATCH_SPINNER, ip)
        before = max_task_id(app)
        clicked = tab1.evaluate("Date.now()")
        row(tab1, ip).locator(".poll-now").click()
        expect(row(tab2, ip).locator(".poll-now")).to_be_disabled()
        assert new_tasks(app, before) == [], "the poll was stored before the other tab showed its spinner"
        tab2.wait_for_function("window.__spinnerGoneAt !== null", timeout=30_000)
        (task,) = new_tasks(app, before)
        assert task.status == TaskStatus.FAILED
        expect(row(tab2, ip)).to_contain_text("Failed")
        spinner, gone = tab2.evaluate("window.__spinnerAt"), tab2.evaluate("window.__spinnerGoneAt")
        shown = f"{spinner - clicked}..{gone - clicked} ms"
        print(f"[live] {app.mode}: tab 2 showed the spinner {shown} after the click", file=sys.stderr)
        assert gone - spinner > 1000, "the other tab's spinner came with the result, not when the poll started"


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
    assert_clean_log(embedded_app)


def test_embedded_detail_poll_now_adds_history_row(browser: Browser, embedded_app: LiveApp, sim: Sim) -> None:
    detail_poll_now(browser, embedded_app, sim.live[5], "embedded")
    assert_clean_log(embedded_app)


def test_embedded_poll_all_progress_in_both_tabs(browser: Browser, embedded_app: LiveApp, sim: Sim) -> None:
    poll_all_two_tabs(browser, embedded_app, sim, "embedded")
    assert_clean_log(embedded_app)


def test_prod_poll_now_updates_both_tabs(browser: Browser, prod_app: LiveApp, sim: Sim) -> None:
    latencies = poll_now_two_tabs(browser, prod_app, sim.live[:5], "prod")
    print(_latency_summary("prod", latencies), file=sys.stderr)
    assert_clean_log(prod_app)


def test_prod_detail_poll_now_adds_history_row(browser: Browser, prod_app: LiveApp, sim: Sim) -> None:
    detail_poll_now(browser, prod_app, sim.live[5], "prod")
    assert_clean_log(prod_app)


def test_prod_poll_all_progress_in_both_tabs(browser: Browser, prod_app: LiveApp, sim: Sim) -> None:
    poll_all_two_tabs(browser, prod_app, sim, "prod")
    assert_clean_log(prod_app)


def test_embedded_other_tab_shows_the_spinner_before_the_device_answers(
    browser: Browser, embedded_app: LiveApp, sim: Sim
) -> None:
    spinner_while_the_device_is_silent(browser, embedded_app, next(p for p in sim.printers if not p.reachable))
    assert_clean_log(embedded_app)


def test_prod_other_tab_shows_the_spinner_before_the_device_answers(
    browser: Browser, prod_app: LiveApp, sim: Sim
) -> None:
    spinner_while_the_device_is_silent(browser, prod_app, next(p for p in sim.printers if not p.reachable))
    assert_clean_log(prod_app)
