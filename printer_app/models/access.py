"""Access: users, groups (roles), permissions, the sign-in whitelist and the generic audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from printer_app.models.base import choice_field, fk, ts_field, version_field


class User(SQLModel, table=True):
    """A person who signs in, by OIDC or with a local password."""

    __table_args__ = (sa.Index("uq_user_username_ci", sa.func.lower(sa.text("username")), unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150)
    email: str = Field(default="", max_length=254)
    full_name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    is_staff: bool = Field(default=False)
    is_superuser: bool = Field(default=False)
    language: str = Field(default="en", max_length=8)
    last_login: datetime | None = ts_field(nullable=True, auto=False)
    date_joined: datetime = ts_field()
    version: int = version_field()


class Group(SQLModel, table=True):
    """A role: a named set of permissions (Russian display label kept beside the English name)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=150, unique=True)
    label_ru: str = Field(default="", max_length=150)


class Permission(SQLModel, table=True):
    """A permission codename within an app label (e.g. inventory.run_inventory)."""

    __table_args__ = (sa.UniqueConstraint("app_label", "codename", name="uq_permission_codename"),)
    id: int | None = Field(default=None, primary_key=True)
    app_label: str = Field(max_length=50)
    codename: str = Field(max_length=100)
    name: str = Field(default="", max_length=255)


class UserGroup(SQLModel, table=True):
    """Membership of a user in a group."""

    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True)
    group_id: int = Field(foreign_key="group.id", ondelete="CASCADE", primary_key=True)


class GroupPermission(SQLModel, table=True):
    """A permission granted to a group."""

    group_id: int = Field(foreign_key="group.id", ondelete="CASCADE", primary_key=True)
    permission_id: int = Field(foreign_key="permission.id", ondelete="CASCADE", primary_key=True)


class AllowedUser(SQLModel, table=True):
    """The OIDC whitelist: only active entries may sign in; initial groups apply to new users."""

    __table_args__ = (sa.Index("uq_alloweduser_username_ci", sa.func.lower(sa.text("username")), unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150)
    email: str = Field(default="", max_length=254)
    full_name: str = Field(default="", max_length=200)
    is_active: bool = Field(default=True)
    added_at: datetime = ts_field()
    added_by_id: int | None = fk("user.id")
    notes: str = Field(default="", sa_type=sa.Text)
    initial_groups: list[Any] = Field(default_factory=list, sa_type=JSON)
    version: int = version_field()


class EntityChangeLog(SQLModel, table=True):
    """Generic audit: who created, changed or deleted which object, field by field."""

    __table_args__ = (sa.Index("ix_entitychangelog_object", "object_type", "object_id"),)
    id: int | None = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=100)
    object_id: int
    action: str = choice_field(length=8)
    user_id: int | None = fk("user.id")
    timestamp: datetime = ts_field(index=True)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    object_repr: str = Field(default="", max_length=500)
    ip_address: str | None = Field(default=None, max_length=45)
    user_agent: str = Field(default="", max_length=500)


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries a random token, the row keeps only its SHA-256 (revocable)."""

    id: str = Field(primary_key=True, max_length=64, description="sha256 hex of the cookie's token")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    auth_method: str = Field(max_length=8, description="local or oidc")
    created_at: datetime = ts_field()
    expires_at: datetime = ts_field(index=True, auto=False)
    last_seen_at: datetime = ts_field()
    revoked_at: datetime | None = ts_field(nullable=True, auto=False)
    ip_address: str | None = Field(default=None, max_length=45)
    user_agent: str = Field(default="", max_length=500)
    id_token: str | None = Field(default=None, sa_type=sa.Text, description="id_token_hint for provider logout")


class LoginThrottle(SQLModel, table=True):
    """Recent failed local sign-ins of one (account, address) pair or one address, and until when it must wait."""

    key: str = Field(primary_key=True, max_length=250, description="account:<username>|<address> or address:<addr>")
    failures: int = Field(default=0)
    last_failure_at: datetime = ts_field(index=True)
    blocked_until: datetime | None = ts_field(nullable=True, auto=False)


class ApiToken(SQLModel, table=True):
    """A personal API token: the user sees the secret once; the row keeps only its SHA-256 and a short prefix."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True, description="sha256 hex of the secret")
    prefix: str = Field(max_length=16, description="the secret's first characters, to tell tokens apart")
    created_at: datetime = ts_field()
    expires_at: datetime | None = ts_field(nullable=True, auto=False)
    last_used_at: datetime | None = ts_field(nullable=True, auto=False)
    revoked_at: datetime | None = ts_field(nullable=True, auto=False)
