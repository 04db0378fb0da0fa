"""The one permission check: who is signed in, with the permissions they hold right now.

Page states (`state/session.py`) and the JSON endpoints (`api/auth.py`) both ask a `Principal`; nothing else decides
whether a user may do something.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from printer_app.models import User
from printer_app.services.access.roles import user_permissions


@dataclass(frozen=True)
class Principal:
    """The signed-in user of one request or event, with the permissions they hold right now."""

    user_id: int
    username: str
    display_name: str
    permissions: frozenset[str]
    is_superuser: bool
    language: str = "en"  # the user's choice of the UI language

    def can(self, perm: str | None) -> bool:
        """Does the user hold `perm` ("app_label.codename")? None asks only for a signed-in user."""
        return perm is None or self.is_superuser or perm in self.permissions

    def missing(self, *perms: str | None) -> list[str]:
        """The permissions of `perms` the user lacks, in the order asked."""
        return [p for p in perms if p is not None and not self.can(p)]


def principal_of(session: Session, user: User | None) -> Principal | None:
    """The principal of an active user; None for no user or a deactivated one."""
    if user is None or not user.is_active:
        return None
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.full_name or user.username,
        permissions=frozenset(user_permissions(session, user)),
        is_superuser=user.is_superuser,
        language=user.language,
    )
