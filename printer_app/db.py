"""Engine and session helper shared by the UI, services, workers and CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import String, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, create_engine

from printer_app.config import get_settings

UNICODE_LOWER_SQLITE = "pi_lower"  # SQLite's own lower() changes ASCII letters only ("Ленина" stays as it is)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class unicode_lower(FunctionElement):
    """`lower(x)` for every letter on both databases: PostgreSQL's lower(), SQLite's registered pi_lower()."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower_default(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element, compiler, **kw) -> str:
    return f"{UNICODE_LOWER_SQLITE}({compiler.process(element.clauses, **kw)})"


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    """Build an engine; SQLite gets foreign keys, WAL and a busy timeout so threads can share it.

    `immediate` (SQLite only) starts every transaction with BEGIN IMMEDIATE: for writers running in several
    threads, where a deferred transaction that read first fails at once with "database is locked" if another
    writer committed in between; taking the write lock up front makes writers queue on the busy timeout.
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:
        if immediate:
            dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" below issues BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        dbapi_conn.create_function(UNICODE_LOWER_SQLITE, 1, _unicode_lower, deterministic=True)

    if immediate:

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@lru_cache
def get_engine(*, write: bool = False) -> Engine:
    """The process-wide engine; `write=True` gives the writers' engine (differs on SQLite only)."""
    url = get_settings().db_url
    if write and url.startswith("sqlite"):
        return make_engine(url, immediate=True)
    return get_engine() if write else make_engine(url)


@contextmanager
def session_scope(*, write: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error; `write=True` for background writers."""
    with Session(get_engine(write=write), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
