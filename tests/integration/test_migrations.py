"""The Alembic revisions build exactly the schema the models describe, up and down, on both backends."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from alembic import command
from printer_app.cli.main import alembic_config, upgrade_database
from printer_app.db import make_engine

# SQLite cannot reflect expression indexes (lower(name), ...); their presence is checked by name below instead.
_SQLITE_EXPRESSION_INDEX_WARNINGS = (
    r"autogenerate skipping metadata-specified expression-based index",
    r"Skipped unsupported reflection of expression-based index",
)


def _alembic(url: str, action, revision: str) -> None:
    """Run an Alembic command on `url` through the project's own configuration."""
    cfg = alembic_config()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            action(cfg, revision)
    finally:
        engine.dispose()


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            for message in _SQLITE_EXPRESSION_INDEX_WARNINGS:
                warnings.filterwarnings("ignore", message=message)
            return compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()


def _index_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'index'"
            else:
                query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            return set(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _version(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_head_on_empty_database_creates_every_table(empty_db_url: str) -> None:
    upgrade_database(empty_db_url)

    assert _version(empty_db_url) == _head()
    assert _tables(empty_db_url) == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_models_and_migrations_do_not_differ(db_url: str) -> None:
    assert _differences(db_url) == []


def test_every_model_index_exists_in_the_migrated_database(db_url: str) -> None:
    expected = {ix.name for table in SQLModel.metadata.tables.values() for ix in table.indexes}
    assert expected - _index_names(db_url) == set()


def test_downgrade_to_base_then_upgrade_again(empty_db_url: str) -> None:
    upgrade_database(empty_db_url)

    _alembic(empty_db_url, command.downgrade, "base")
    assert _tables(empty_db_url) == {"alembic_version"}
    assert _version(empty_db_url) is None

    _alembic(empty_db_url, command.upgrade, "head")
    assert _version(empty_db_url) == _head()
    assert _differences(empty_db_url) == []


def test_upgrade_is_idempotent(db_url: str) -> None:
    upgrade_database(db_url)
    assert _version(db_url) == _head()
