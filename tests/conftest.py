"""Shared fixtures: integration tests run on SQLite and on PostgreSQL, each against the migrated schema.

PostgreSQL comes from TEST_DATABASE_URL: its server and credentials are used, every database is created fresh
under a random `pi_test_*` name and dropped when the session ends. Redis comes from TEST_REDIS_URL. When a
server cannot be reached its tests are skipped locally and fail on CI (CI=true): they never pass by not running.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
import redis
from argon2 import PasswordHasher, profiles
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, SQLModel

import printer_app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from printer_app.cli.main import upgrade_database
from printer_app.db import make_engine
from printer_app.services.access import auth

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"  # a database number the app itself does not use
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose service is missing, except on CI where that must fail loudly."""
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason} (CI=true: integration tests must not be skipped)", pytrace=False)
    pytest.skip(reason)


def _admin_connection(server: URL) -> psycopg.Connection:
    """Autocommit connection to the maintenance database: CREATE/DROP DATABASE cannot run in a transaction."""
    url = server.set(drivername="postgresql", database="postgres")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, connect_timeout=3)


class Databases:
    """Creates throw-away databases for this test session and removes them when it ends."""

    def __init__(self, request: pytest.FixtureRequest, root: Path):
        self._request = request
        self._root = root
        self._pg_names: list[str] = []
        self._pg_server: URL | None = None

    @property
    def pg_server(self) -> URL:
        if self._pg_server is None:  # asked lazily so SQLite-only runs never need the server
            self._pg_server = self._request.getfixturevalue("pg_server")
        return self._pg_server

    def create(self, backend: str, *, migrate: bool = True) -> str:
        """A new database on `backend`, empty or at the newest schema; returns its SQLAlchemy URL."""
        if backend == "sqlite":
            url = f"sqlite:///{self._root / f'{secrets.token_hex(4)}.db'}"
        else:
            name = f"pi_test_{secrets.token_hex(4)}"
            with _admin_connection(self.pg_server) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self._pg_names.append(name)
            url = self.pg_server.set(drivername="postgresql+psycopg", database=name)
            url = url.render_as_string(hide_password=False)
        if migrate:
            upgrade_database(url)
        return url

    def drop_all(self) -> None:
        if not self._pg_names:
            return
        with _admin_connection(self.pg_server) as conn:
            for name in self._pg_names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


APP_PASSWORD_HASHER = auth._hasher  # argon2-cffi's defaults, what production hashes with


@pytest.fixture(autouse=True)
def cheapest_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id at argon2-cffi's CHEAPEST profile ("for testing") in the unit and integration tests' own process.

    The app's defaults (64 MiB, 3 passes, 4 lanes) cost about a second per hash on the two shared cores, and the
    state and access tests sign in dozens of local users each (the role matrix: a dozen per test): that was the
    largest cost of the whole suite. The code path is the same (real argon2id hash, verify and needs-rehash);
    `app_password_hasher` puts the production parameters back for the tests of hashing itself, and the app servers,
    CLI runs and workers the tests start as subprocesses always use them. The browser tests keep the defaults
    (their users sign in at a server that would rehash a cheap hash).
    """
    if "e2e" in request.node.path.parts:
        yield
        return
    monkeypatch.setattr(auth, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    auth._dummy_hash.cache_clear()
    yield
    auth._dummy_hash.cache_clear()


@pytest.fixture
def app_password_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordHasher]:
    """The app's own password hasher (production parameters) for the test, instead of the cheap one."""
    monkeypatch.setattr(auth, "_hasher", APP_PASSWORD_HASHER)
    auth._dummy_hash.cache_clear()
    yield APP_PASSWORD_HASHER
    auth._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def pg_server() -> URL:
    """The PostgreSQL server under test; skips (or fails on CI) when it cannot be reached."""
    url = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL))
    try:
        with _admin_connection(url) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL at {url.render_as_string()} is unreachable: {exc}".strip())
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis under test (TEST_REDIS_URL); skips (or fails on CI) when it cannot be reached."""
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {url} is unreachable: {exc}")
    return url


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Makes extra databases on demand (fresh, migrated or not); PostgreSQL ones are dropped at session end."""
    factory = Databases(request, tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(databases: Databases) -> Path:
    """A migrated SQLite file, copied for every test (migrating takes far longer than copying)."""
    url = databases.create("sqlite")
    path = Path(url[len("sqlite:///") :])
    with sqlite3.connect(path) as conn:  # fold the WAL into the main file so a plain copy is complete
        conn.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture(scope="session")
def pg_engine(databases: Databases) -> Iterator[Engine]:
    """One migrated PostgreSQL database for the session, emptied before each test."""
    engine = make_engine(databases.create("postgresql"))
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    """Delete every row (children first) and restart the ids; far faster than TRUNCATE on near-empty tables."""
    tables = SQLModel.metadata.sorted_tables
    restarts = ", ".join(
        f"setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), 1, false)" for t in tables if "id" in t.c
    )
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '5s'"))  # a session a test left open shows up as an error
        for table in reversed(tables):
            conn.execute(table.delete())
        conn.execute(text(f"SELECT {restarts}"))


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Either "sqlite" or "postgresql"; module scope groups each module's tests by backend."""
    return request.param


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """An empty database at the newest schema on the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "t.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    engine: Engine = request.getfixturevalue("pg_engine")
    _empty_all_tables(engine)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def empty_db_url(backend: str, databases: Databases) -> str:
    """A database with no tables at all (for migration tests)."""
    return databases.create(backend, migrate=False)


@pytest.fixture
def engine(request: pytest.FixtureRequest, backend: str, db_url: str) -> Iterator[Engine]:
    """The engine of `db_url`, built by the app's own `make_engine` (SQLite pragmas, pool settings)."""
    if backend == "postgresql":
        yield request.getfixturevalue("pg_engine")
        return
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session like the app's (`session_scope`): no expiry on commit, the test decides when to commit."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
