"""The production layout of deploy/, run for real: nginx (deploy/nginx/printer-inventory.conf) in front of two
backends (`deploy/run backend PORT`), the frontend built once for the public URL (`deploy/run build-frontend`), one
worker group (`python -m workers`), PostgreSQL and a Redis of the module's own; a Chromium tab signed in through
nginx.

Faults are real: kill -9 of the backend a tab is connected to (and a graceful stop), kill -9 of the worker group in
the middle of Poll all. The failover time (kill -> the tab shows a live update again, with its filters) and the
recovery time (worker restart -> the run finished) are printed and kept in /tmp/e2e_production_times.txt.
"""

from __future__ import annotations

import ipaddress
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOT_DIR, AppServer, hydrated, new_context, unavailable
from tests.e2e.live_helpers import (
    ROWS,
    LiveApp,
    Sim,
    SimPrinter,
    learn_devices,
    max_task_id,
    new_tasks,
    row,
    seed_printers,
    time_zone_away_from_the_hour,
    write_device,
)
from tests.e2e.production_layout import NGINX, Backend, Nginx, build_frontend, render_site
from tests.workers_harness import RedisServer, WorkerGroup, free_tcp_port, make_broker, message, wait_for, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(1200)]

LIVE = [str(ipaddress.IPv4Address("127.0.0.2") + n) for n in range(16)]  # 127.0.0.2 - .17
DEAD = [str(ipaddress.IPv4Address("127.0.0.201") + n) for n in range(4)]  # no agent: 2 x SNMP_TIMEOUT each
SEARCH = "127.0.0.1"  # matches .10 - .17 of the live printers
SHOWN = sorted((ip for ip in LIVE if ip.startswith(SEARCH)), key=ipaddress.IPv4Address, reverse=True)
HEARTBEAT_MS = 10_000  # DRAMATIQ_HEARTBEAT_TIMEOUT_MS: a dead worker's messages are requeued after this long
RECOVERY_LIMIT = 90.0  # seconds from the worker's restart to the end of the run
TIMES = SCREENSHOT_DIR / "e2e_production_times.txt"
SOCKET_RECORD = "token_manager_socket_record_"  # Reflex's key of the process holding a tab's socket


@dataclass
class Layout:
    server: AppServer  # base_url: nginx
    redis: RedisServer
    backends: list[Backend]
    nginx: Nginx
    workers: WorkerGroup
    ids: dict[str, int]
    times: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        print(f"[production] {line}", file=sys.stderr)
        self.times.append(line)

    def logs(self) -> str:
        parts = [f"--- {b.name} ---\n{b.log.read_text(errors='replace')[-3000:]}" for b in self.backends]
        parts.append(f"--- nginx ---\n{self.nginx.error_log()[-3000:]}")
        parts.append(f"--- workers ---\n{self.workers.log_tail()}")
        return "\n".join(parts)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimFarm

    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    devices = learn_devices()
    printers = [SimPrinter(host=ip) for ip in LIVE] + [SimPrinter(host=ip, reachable=False) for ip in DEAD]
    data = tmp_path_factory.mktemp("prod_sim")
    for index, p in enumerate(printers[: len(LIVE)]):
        write_device(data, index, p, devices[index % len(devices)])
    with SnmpSimFarm([(tuple(LIVE), data)]) as farm:
        yield Sim(port=farm.port, printers=printers)


def _workers(env: dict[str, str], log_dir: Path) -> WorkerGroup:
    return WorkerGroup(
        "workers",
        ["--high-processes", "1", "--high-threads", "2", "--low-processes", "1", "--low-threads", "2"],
        env,
        log_dir,
    )


def _wait_workers(group: WorkerGroup, offset: int) -> None:
    def ready() -> bool:
        if not group.running:
            raise AssertionError(f"the worker group exited:\n{group.log_tail()}")
        return group.log_path.read_bytes()[offset:].count(b"ready for action") >= 2  # queues high and low

    wait_for(ready, timeout=90, what="the worker group")


@pytest.fixture(scope="module")
def layout(databases, sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    if NGINX is None:
        unavailable("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    tmp = tmp_path_factory.mktemp("production")
    pg_url = databases.create("postgresql")
    redis_server = RedisServer().start()
    port = free_tcp_port()
    env = worker_env(
        pg_url,
        redis_server.url,
        DRAMATIQ_HEARTBEAT_TIMEOUT_MS=str(HEARTBEAT_MS),
        APP_URL=f"http://127.0.0.1:{port}",
        SECRET_KEY="production-layout-" + "k" * 40,
        TRUSTED_PROXIES="127.0.0.1",
        COOKIE_SECURE="false",  # plain http on loopback
        GRANIAN_WORKERS="1",  # one process per backend: two cores serve everything here
        FRONTEND_DIR=str(tmp / "frontend"),
        # never the checkout's .web; E2E_WEB_WORKDIR (see conftest) keeps its npm packages between runs
        REFLEX_WEB_WORKDIR=os.environ.get("E2E_WEB_WORKDIR", "").rstrip("/") + "-production"
        if os.environ.get("E2E_WEB_WORKDIR")
        else str(tmp / "web"),
        TIME_ZONE=time_zone_away_from_the_hour(),
        PATH="/usr/local/bin:/usr/bin:/bin",  # without the venv: deploy/run must find its node itself
    )
    backends = [Backend(name, free_tcp_port(), env, tmp) for name in ("backend-a", "backend-b")]
    nginx = Nginx(tmp / "nginx", port)
    workers = _workers(env, tmp)
    layout = Layout(AppServer(nginx.url, pg_url, tmp / "server.log", env), redis_server, backends, nginx, workers, {})
    try:
        for backend in backends:
            backend.start()  # they need no build: started first, they boot while the frontend builds
        started = time.monotonic()
        build_frontend(env, tmp / "build.log")
        layout.note(f"frontend built in {time.monotonic() - started:.0f} s")
        for backend in backends:
            backend.wait_ready()
        nginx.start(render_site(backends, port, tmp / "frontend"))
        workers.start()
        _wait_workers(workers, 0)
        layout.ids.update(seed_printers(pg_url, sim))
        yield layout
    finally:
        TIMES.write_text("\n".join(layout.times) + "\n")
        workers.stop()
        nginx.stop()
        for backend in backends:
            backend.stop()
        redis_server.close()


@pytest.fixture
def tab(browser, layout: Layout) -> Iterator[Page]:
    expect.set_options(timeout=60_000)  # a failover may wait for a dead process's state lock (10 s) on a busy CI
    context = new_context(browser, layout.server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _ips(page: Page) -> list[str]:
    return page.locator(ROWS).evaluate_all("rows => rows.map(r => r.getAttribute('data-ip'))")


def _token(page: Page) -> str:
    return page.evaluate("window.sessionStorage.getItem('token')")


def _owner(layout: Layout, token: str) -> str | None:
    raw = layout.redis.client().get(SOCKET_RECORD + token)
    return pickle.loads(raw).instance_id if raw else None


def _assert_state_kept(page: Page, token: str) -> None:
    """Same session, same search, page size and sort: on the page and in its address."""
    assert _token(page) == token, "the tab was given a new session token: its state is gone"
    expect(page.locator("#filter-search")).to_have_value(SEARCH)
    expect(page.locator(ROWS)).to_have_count(len(SHOWN))
    assert _ips(page) == SHOWN
    expect(page.locator("#page-size")).to_contain_text("25")
    assert all(part in page.url for part in (f"q={SEARCH}", "desc=1", "size=25")), page.url


def test_a_tab_keeps_its_state_across_backend_crashes_and_a_graceful_stop(layout: Layout, tab: Page) -> None:
    page = tab
    page.goto("/printers")
    hydrated(page)
    expect(page.locator(ROWS)).to_have_count(len(LIVE) + len(DEAD))
    page.fill("#filter-search", SEARCH)
    expect(page.locator(ROWS)).to_have_count(len(SHOWN))
    page.click("#page-size")
    page.get_by_role("option", name="25", exact=True).click()
    expect(page.locator("#page-size")).to_contain_text("25")
    page.click("#sort-ip")  # IP is the default order: a click turns it around
    expect(page.locator(ROWS).first).to_have_attribute("data-ip", SHOWN[0])
    token = _token(page)
    _assert_state_kept(page, token)

    broker = make_broker(layout.redis.url)
    a, b = layout.backends
    targets = iter(SHOWN)
    # Round 1 may hit the backend the tab is not on; after it the tab is on b for sure (the only one left), so
    # rounds 2 (kill -9 of b) and 3 (a graceful stop of a) each move the tab.
    for n, (backend, how) in enumerate(((a, "kill -9"), (b, "kill -9"), (a, "graceful stop")), start=1):
        ip = next(targets)
        expect(row(page, ip)).to_contain_text("Never polled")
        owner = _owner(layout, token)
        killed = time.monotonic()
        backend.kill() if how == "kill -9" else backend.stop()
        # a poll result of a shown printer, from another process (as a colleague's "Poll now" would send it)
        broker.enqueue(message("high", "poll_printer_now", layout.ids[ip]))
        try:
            expect(row(page, ip)).to_contain_text("Success")  # shown only once the tab is served again
        except AssertionError as exc:
            raise AssertionError(f"round {n}: the tab got no live update after {how}:\n{layout.logs()}") from exc
        failover = time.monotonic() - killed
        _assert_state_kept(page, token)
        now_on = wait_for(lambda: _owner(layout, token), timeout=10, what="the tab's socket record")
        moved = now_on != owner
        layout.note(
            f"round {n}: {how} of {backend.name} ({'the tab was on it and moved' if moved else 'not the tab’s'}): "
            f"tab live again with its state after {failover:.1f} s"
        )
        if n > 1:
            assert moved, f"round {n}: the tab should have moved to the other backend"
        backend.start().wait_ready()

    page.click("#sort-ip")  # the tab still works: the order turns back
    expect(page.locator(ROWS).first).to_have_attribute("data-ip", SHOWN[-1])
    broker.close()


def test_poll_all_finishes_after_its_worker_is_killed_mid_run(layout: Layout, tab: Page) -> None:
    page = tab
    page.goto("/printers")
    hydrated(page)
    total = len(LIVE) + len(DEAD)
    expect(page.locator(ROWS)).to_have_count(total)
    r: redis.Redis = layout.redis.client()
    app = LiveApp(server=layout.server, ids=layout.ids, mode="production")
    first_task = max_task_id(app)
    page.click("#poll-all")
    batch = wait_for(lambda: r.get("pi:batch:current"), timeout=30, what="the poll-all run").decode()

    def done() -> int:
        return int(r.hget(f"pi:batch:{batch}", "done") or 0)

    wait_for(lambda: done() >= 3, timeout=60, interval=0.05, what="three printers of the run")
    layout.workers.kill()
    at_kill = done()
    assert at_kill < total, "the run finished before the worker was killed: nothing was tested"
    offset = layout.workers.log_path.stat().st_size
    restarted = time.monotonic()
    layout.workers.start()
    _wait_workers(layout.workers, offset)
    try:
        wait_for(lambda: done() >= total, timeout=RECOVERY_LIMIT, interval=0.1, what="the end of the run")
    except AssertionError as exc:
        raise AssertionError(f"{exc} ({done()} / {total} done):\n{layout.logs()}") from None
    recovery = time.monotonic() - restarted
    layout.note(
        f"Poll all: worker group killed at {at_kill} / {total}; run finished {recovery:.1f} s after its restart "
        f"(DRAMATIQ_HEARTBEAT_TIMEOUT_MS={HEARTBEAT_MS})"
    )
    expect(page.locator("#poll-all-count")).to_have_text(f"{total} / {total}")
    polled = Counter(task.printer_id for task in new_tasks(app, first_task))
    assert polled == Counter(layout.ids.values()), f"each printer must be polled exactly once: {polled}"
