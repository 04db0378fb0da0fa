"""Column helpers shared by every model family: UTC timestamps and string-valued choices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field


def utcnow() -> datetime:
    """Timezone-aware now in UTC; everything is stored in UTC and shown in TIME_ZONE."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC that always comes back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def ts_field(*, nullable: bool = False, index: bool = False, auto: bool = True) -> Any:
    """A UTC timestamp column, set to now on insert unless `auto` is false."""
    return Field(
        default_factory=utcnow if auto else None,
        sa_type=UTCDateTime(),
        nullable=nullable,
        index=index,
    )


def choice_field(default: Any = None, *, length: int = 32, nullable: bool = False, index: bool = False) -> Any:
    """A string column holding a `Choice` value (plain VARCHAR: no database enum types to migrate)."""
    return Field(default=default, sa_type=sa.String(length), nullable=nullable, index=index)


def fk(target: str, *, nullable: bool = True, ondelete: str = "SET NULL", index: bool = True) -> Any:
    """A foreign key column with an explicit ON DELETE rule."""
    return Field(default=None, foreign_key=target, ondelete=ondelete, nullable=nullable, index=index)


def version_field() -> Any:
    """Optimistic concurrency: bumped by every user-visible change; a save naming an older version is refused."""
    return Field(default=1, sa_column_kwargs={"server_default": "1"}, nullable=False)
