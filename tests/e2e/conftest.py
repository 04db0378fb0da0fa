"""Browser tests: the real app (`reflex run --env prod --single-port`) on a throw-away SQLite file, driven by Chromium.

One app server and one browser serve the whole session; every test gets a fresh browser context (so its own Reflex
client token and localStorage). The test process reads and seeds the same database through `db_session`.

The frontend is built in its own web directory (REFLEX_WEB_WORKDIR, a temp dir unless E2E_WEB_WORKDIR names one to
reuse) so a test run never rewrites the repository's `.web/` that a developer's `reflex run` may be serving.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.db import make_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 240  # seconds; a cold `npm install` + production build is slow
DEMO_PRINTERS = 122  # 120 of them active (demo data deactivates n % 97 == 5)
DEMO_DAYS = 15  # 2 polls a day: 30 polls per printer, two history pages at 25 rows
VIEWPORT = {"width": 1500, "height": 1000}
# Upper bounds for waiting on a state, not waits: a passing test never sleeps them. Generous because CI shares two
# cores with the app server, its node build, PostgreSQL and Chromium (15 s was seen to run out under a load of 15).
ACTION_TIMEOUT_MS = 45_000
EXPECT_TIMEOUT_MS = 30_000


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(reason: str) -> None:
    """Skip locally, fail on CI: browser tests must never pass by not running there."""
    if _on_ci():
        pytest.fail(f"{reason} (CI=true: e2e tests must not be skipped)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass(frozen=True)
class AppServer:
    base_url: str
    db_url: str
    log: Path
    env: dict[str, str]

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run `python -m printer_app ARGS` against the server's database."""
        result = subprocess.run(
            [sys.executable, "-m", "printer_app", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            pytest.fail(f"`python -m printer_app {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
        return result


def _server_env(db_url: str, data_dir: Path, web_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=db_url,
        DATA_DIR=str(data_dir),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_WEB_WORKDIR=str(web_dir),
        PYTHONUNBUFFERED="1",
        # No scheduled poll of every printer at the top of the hour in the middle of a test (two printer tests
        # counted polls and failing printers while it ran once).
        EMBEDDED_SCHEDULER="false",
    )
    return env


def _stop(proc: subprocess.Popen) -> None:
    """End the whole process group (reflex, granian workers, node) and reap the leader.

    SIGKILL at once: the server is thrown away with its database and directory, and a graceful stop waited up to
    15 s for its open sockets at every module's end (production_layout.py tests the graceful stop itself)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


class AppRun:
    """One `reflex run --env prod --single-port` of the real app, in a temp dir of its own (database, web dir, log).

    `launch()` starts it without waiting (so a caller can seed data or start other services while the frontend
    builds), `wait_ready()` waits until it answers and returns the AppServer, `stop()` ends the whole process group.
    """

    def __init__(
        self, name: str, *, db_url: str | None = None, extra_env: dict[str, str] | None = None, init_db: bool = True
    ):
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{name}_"))
        db_url = db_url or f"sqlite:///{self.tmp / 'e2e.db'}"
        reuse = os.environ.get("E2E_WEB_WORKDIR")
        if reuse:  # several servers may run at once: each needs a web directory of its own
            web_dir = Path(reuse).resolve()
            web_dir = web_dir if name == "printer_e2e" else web_dir.with_name(f"{web_dir.name}-{name}")
        else:
            web_dir = self.tmp / "web"
        env = _server_env(db_url, self.tmp, web_dir)
        env.update(extra_env or {})
        port = _free_port()
        self.log = self.tmp / "reflex.log"
        self.server = AppServer(base_url=f"http://localhost:{port}", db_url=db_url, log=self.log, env=env)
        self.port = port
        self.init_db = init_db
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def launch(self) -> AppRun:
        reflex_bin = VENV_BIN / "reflex"
        if not reflex_bin.exists():
            unavailable(f"{reflex_bin} is missing (run `make install`)")
        if self.init_db:
            self.server.cli("init-db")
        port = str(self.port)
        command = [str(reflex_bin), "run", "--env", "prod", "--single-port", "--frontend-port", port]
        command += ["--backend-port", port, "--loglevel", "warning"]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self.server.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: killpg stops node and the workers too
            )
        self.started = time.monotonic()
        return self

    def wait_ready(self) -> AppServer:
        server, proc = self.server, self.proc
        assert proc is not None, "launch() first"
        # In prod single-port mode the backend serves /ping and the built frontend; it listens only after the build.
        while not (_answers(f"{server.base_url}/ping") and _answers(f"{server.base_url}/")):
            if proc.poll() is not None:
                pytest.fail(f"reflex exited with code {proc.returncode} before answering:\n{_tail(self.log)}")
            if time.monotonic() - self.started > START_TIMEOUT:
                pytest.fail(f"the app did not answer on {server.base_url} within {START_TIMEOUT} s:\n{_tail(self.log)}")
            time.sleep(0.5)
        print(f"\n[e2e] app ready on {server.base_url} after {time.monotonic() - self.started:.0f} s", file=sys.stderr)
        return server

    def stop(self, keep_log: Path | None = None) -> None:
        """Stop the server and remove its temp dir (copying its log to `keep_log` first, when given)."""
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop(proc)
            if proc.poll() is None:
                print(f"[e2e] reflex (pid {proc.pid}) did not stop", file=sys.stderr)
        if keep_log is not None and self.log.exists():
            shutil.copyfile(self.log, keep_log)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def oidc_provider(app_run: AppRun):
    """The certified `oidc-provider` on loopback, knowing the e2e app's callback URL (test accounts in server.js)."""
    from tests.integration.oidc_fixtures import running_provider

    with running_provider(app_run.server.base_url) as provider:
        yield provider


@pytest.fixture(scope="session")
def app_run() -> Iterator[AppRun]:
    run = AppRun("printer_e2e")
    yield run
    run.stop()


@pytest.fixture(scope="session")
def app_server(app_run: AppRun, oidc_provider) -> AppServer:
    """The real app in production mode on a free port, with a fresh migrated SQLite database and SSO configured."""
    app_run.server.env.update(
        OIDC_ISSUER=oidc_provider.issuer,
        OIDC_CLIENT_ID=oidc_provider.client_id,
        OIDC_CLIENT_SECRET=oidc_provider.client_secret,
        OIDC_SCOPES="openid profile email",
    )
    return app_run.launch().wait_ready()


@pytest.fixture(scope="session")
def e2e_engine(app_server: AppServer) -> Iterator[Engine]:
    """An engine on the server's database, built from its URL (never from the cached settings)."""
    engine = make_engine(app_server.db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(e2e_engine: Engine) -> Callable[[], AbstractContextManager[Session]]:
    """`with db_session() as s:` — a short session that commits on success; open a new one for every read.

    Short sessions matter: a SQLite read transaction keeps its snapshot, so a long-lived session would not see what
    the app writes after it started.
    """

    @contextmanager
    def factory() -> Iterator[Session]:
        with Session(e2e_engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except Exception:
                session.rollback()
                raise

    return factory


@pytest.fixture(scope="session")
def demo_data(app_server: AppServer) -> int:
    """Demo organizations, models and DEMO_PRINTERS printers with history (127.20.x.y); returns the printer count."""
    app_server.cli("demo-data", "--printers", str(DEMO_PRINTERS), "--days", str(DEMO_DAYS))
    return DEMO_PRINTERS


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session (Debian's; never a downloaded build)."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


ADMIN_USER = "e2e-admin"
ADMIN_PASSWORD = "E2e-admin-password-2026"


def ensure_local_user(server: AppServer, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> None:
    """A superuser with a password in the server's database (once per server; roles bootstrapped first)."""
    done = _local_users.setdefault(server.db_url, set())
    if username not in done:
        server.cli("roles", "bootstrap")
        server.cli("users", "create-admin", "--username", username, "--password", password)
        done.add(username)


_local_users: dict[str, set[str]] = {}


def sign_in(context, server: AppServer, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> None:
    """Sign `context` in through the real login form (local account); its later pages carry the session cookie."""
    if username == ADMIN_USER:
        ensure_local_user(server)
    page = context.new_page()
    try:
        page.goto(f"{server.base_url}/auth/login?next=/auth/me")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/auth/me")
        assert any(c["name"] == "pi_session" for c in context.cookies()), "sign-in set no session cookie"
    finally:
        page.close()


# The e2e admin's signed-in storage (its session cookie) per server, from its first sign-in through the form. Later
# contexts start with it instead of signing in again (an argon2 verification and three page loads per test); the
# tests of signing in itself call `sign_in`, which always goes through the form.
_admin_storage: dict[str, dict] = {}


def _signed_in_as_admin(context) -> bool:
    """Does the context's session cookie still sign it in (a test may have signed that session out)?"""
    answer = context.request.get("/auth/me")
    return answer.ok and answer.json().get("username") == ADMIN_USER


def new_context(browser, server: AppServer, *, signed_in: bool = True):
    """A fresh browser context (own Reflex token and localStorage), signed in as the e2e admin unless told not."""
    stored = _admin_storage.get(server.base_url) if signed_in else None
    context = browser.new_context(viewport=VIEWPORT, base_url=server.base_url, storage_state=stored)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    if signed_in and not (stored and _signed_in_as_admin(context)):
        context.clear_cookies()
        sign_in(context, server)
        _admin_storage[server.base_url] = context.storage_state()
    return context


@pytest.fixture
def page(browser, app_server: AppServer, request):
    """A signed-in page in a new browser context (fresh Reflex session and localStorage); uncaught JS errors fail
    the test. Mark a test `@pytest.mark.anonymous` for a page that is not signed in."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    context = new_context(browser, app_server, signed_in=request.node.get_closest_marker("anonymous") is None)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


# ---- helpers shared by the e2e modules (plain functions; import them from tests.e2e.conftest) ----

SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOT_DIR", "/tmp"))


def hydrated(page) -> None:
    """Wait until the page's state is hydrated and its on_load handlers have run: an upload or a click sent before
    that can reach the server before the session is known (a loaded CI machine once lost a file drop that way)."""
    from playwright.sync_api import expect

    expect(page.locator("#page-title[data-hydrated='true']")).to_have_count(1)


def shot(page, name: str) -> Path:
    """Save a screenshot of the current page as /tmp/e2e_<name>.png (the team looks at these).

    Two animation frames are awaited first: right after `set_viewport_size` or a scroll, Chromium may not have
    repainted every part of the new layout yet, and the capture showed blank boxes where the DOM was complete (the
    "Cartridge lifetimes" heading and table header at 390 px)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done())))")
    path = SCREENSHOT_DIR / f"e2e_{name}.png"
    page.screenshot(path=str(path))
    return path


def seed_printer(db_session, ip: str, serial: str = "", **fields) -> int:
    """Create a printer through the service (same validation as the dialog); returns its id."""
    from printer_app.services.inventory.printers import PrinterInput, create_printer

    with db_session() as session:
        printer = create_printer(session, data=PrinterInput(ip_address=ip, serial_number=serial, **fields))
        session.flush()
        return printer.id


# ---- production mode: a private Redis (never the system one on 6379) and the worker processes ----


def own_server(name: str, **env: str) -> Iterator[AppServer]:
    """For a module-scoped fixture: an app server of the module's own (SQLite, workers embedded), stopped after it."""
    run = AppRun(name, extra_env=env)
    try:
        run.launch()
        yield run.wait_ready()
    finally:
        run.stop()


def sessions_of(server: AppServer) -> Iterator[Callable[[], AbstractContextManager[Session]]]:
    """For a module-scoped fixture: `with factory() as s:` short sessions on `server`'s database (commit at the end)."""
    engine = make_engine(server.db_url)

    @contextmanager
    def factory() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    yield factory
    engine.dispose()


@pytest.fixture(scope="module")
def private_redis():
    """A throw-away `redis-server` on a free port of 127.0.0.1 (no persistence), stopped with the module."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed (apt-get install redis-server)")
    from tests.workers_harness import RedisServer

    server = RedisServer().start()
    yield server
    server.close()


def prod_env(redis_url: str, **extra: str) -> dict[str, str]:
    """What production mode adds to an AppRun's environment: the Redis URL and a fixed signing key."""
    return {"REDIS_URL": redis_url, "SECRET_KEY": "e2e-" + "k" * 40, **extra}
