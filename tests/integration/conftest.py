"""Fixtures of the integration tests that run real worker processes against PostgreSQL and a Redis of their own:
`redis_server`, `pg_url`, `db`, `env`, `high_worker`. All are module-scoped: one Redis, one database and one worker
group serve a module's tests (created only for the modules that ask for them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from printer_app.db import make_engine
from tests.conftest import unavailable
from tests.workers_harness import RedisServer, WorkerGroup, wait_for, worker_env


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A throw-away redis-server of the module's own."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def pg_url(databases) -> str:
    """A fresh PostgreSQL database at the newest schema."""
    return databases.create("postgresql")


@pytest.fixture(scope="module")
def db(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def env(pg_url: str, redis_server: RedisServer) -> dict[str, str]:
    """The environment of a worker process on that database and Redis."""
    return worker_env(pg_url, redis_server.url)


@pytest.fixture(scope="module")
def high_worker(env: dict[str, str], tmp_path_factory) -> Iterator[WorkerGroup]:
    """One worker process serving the high-priority queue with two threads, ready when the fixture returns."""
    group = WorkerGroup(
        "high",
        ["--high-processes", "1", "--high-threads", "2", "--low-processes", "0"],
        env,
        tmp_path_factory.mktemp("workers"),
    )
    group.start()
    try:
        wait_for(lambda: b"ready for action" in group.log_path.read_bytes(), timeout=60, what="the high worker")
        yield group
    finally:
        group.stop()
