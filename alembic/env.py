"""Alembic environment: metadata from printer_app.models, URL from the app settings (or -x url=...)."""

from __future__ import annotations

import warnings
from logging.config import fileConfig

from sqlmodel import SQLModel

import printer_app.models  # noqa: F401  (registers every table)
from alembic import context
from printer_app.config import get_settings
from printer_app.db import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata
# SQLite cannot reflect expression indexes; PostgreSQL compares them, so nothing goes unchecked.
warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified expression-based index")


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or get_settings().db_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
