"""Who is signed in, checked on the server for every page load and every event handler that reads or changes data.

Every page state derives from `SessionState`. A handler is decorated (under `@rx.event`) with

    @requires("inventory.view_printer")        # a refusal answers with a toast, or the login page
    @requires_page("inventory.view_printer")   # for a page's on_load: a refusal shows the access-denied panel

or, where the check sits in the middle of a handler, starts with
`if (denied := self._deny("inventory.view_printer")) is not None: return denied`.

The check reads the `pi_session` cookie that the browser sent when its websocket connected (sign-in and sign-out are
full page navigations, so a new cookie always comes with a new connection) and looks the session up in the database
each time: a revoked session, an expired one, a deactivated user or an SSO user taken off the whitelist is refused
at their next event, open tabs included.

The `username` / `permissions` vars only decide what the page shows; they are never trusted for a decision.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.services.audit import Actor
from printer_app.services.auth import user_from_cookie_header
from printer_app.services.proxy import client_address
from printer_app.services.roles import PERMISSIONS, user_permissions

LOGIN_SCRIPT = (
    "window.location.assign('/auth/login?next='"
    " + encodeURIComponent(window.location.pathname + window.location.search))"
)


@dataclass(frozen=True)
class Principal:
    """The signed-in user of one event, with the permissions they hold right now."""

    user_id: int
    username: str
    display_name: str
    permissions: frozenset[str]
    is_superuser: bool

    def can(self, perm: str | None) -> bool:
        return perm is None or self.is_superuser or perm in self.permissions


def principal_for_cookie(cookie_header: str | None) -> Principal | None:
    """The session behind a Cookie header, or None when there is none or it no longer grants access."""
    with session_scope() as session:
        user = user_from_cookie_header(session, cookie_header)
        if user is None:
            return None
        perms = user_permissions(session, user)
        return Principal(user.id, user.username, user.full_name or user.username, frozenset(perms), user.is_superuser)


def permission_label(perm: str) -> str:
    return PERMISSIONS.get(perm, perm)


class SessionState(rx.State):
    """The parent of every page state: the signed-in user as shown, and whether the current page may render."""

    username: str = ""
    display_name: str = ""
    permissions: list[str] = []
    access: str = ""  # "" until the page's guard ran, then "ok" or "denied"
    access_message: str = ""
    _user_id: int | None = None  # who passed the last check of this event (for the change log)

    def _principal(self) -> Principal | None:
        principal = principal_for_cookie(self.router.headers.cookie)
        self._user_id = principal.user_id if principal else None
        if principal is None:
            self.username, self.display_name, self.permissions = "", "", []
        else:
            self.username, self.display_name = principal.username, principal.display_name
            self.permissions = sorted(principal.permissions) if not principal.is_superuser else sorted(PERMISSIONS)
        return principal

    def _deny(self, *perms: str) -> rx.event.EventSpec | list | None:
        """None when the signed-in user holds every one of `perms`; else the event that answers the refusal."""
        principal = self._principal()
        if principal is None:
            self.access = ""
            return rx.call_script(LOGIN_SCRIPT)
        missing = [p for p in perms if not principal.can(p)]
        if missing:
            return rx.toast.error(f"Not allowed: you need the permission “{permission_label(missing[0])}”.")
        return None

    def _deny_page(self, *perms: str) -> rx.event.EventSpec | list | None:
        """Like `_deny`, for a page's on_load: a refusal shows the access-denied panel instead of a toast."""
        principal = self._principal()
        if principal is None:
            self.access = ""
            return rx.call_script(LOGIN_SCRIPT)
        missing = [p for p in perms if not principal.can(p)]
        if missing:
            self.access = "denied"
            self.access_message = f"This page needs the permission “{permission_label(missing[0])}”."
            return []
        self.access, self.access_message = "ok", ""
        return None

    def _actor(self) -> Actor:
        """Who did it, from where: for the change log (call after a `_deny` check passed in the same event).

        The address is the event socket's peer; X-Forwarded-For counts only when that peer is a trusted proxy.
        """
        forwarded_for = self.router.headers.raw_headers.get("x-forwarded-for")
        return Actor(
            user_id=self._user_id,
            ip=client_address(self.router.session.client_ip or None, forwarded_for, get_settings().trusted_proxies),
            user_agent=(self.router.headers.user_agent or "")[:500],
        )

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.username)


def _guard(perms: tuple[str, ...], *, page: bool) -> Callable[[Callable], Callable]:
    def decorate(fn: Callable) -> Callable:
        def check(state: SessionState):
            return state._deny_page(*perms) if page else state._deny(*perms)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def guarded_async(self, *args, **kwargs):
                if (denied := check(self)) is not None:
                    return denied
                return await fn(self, *args, **kwargs)

            return guarded_async

        @functools.wraps(fn)
        def guarded(self, *args, **kwargs):
            if (denied := check(self)) is not None:
                return denied
            return fn(self, *args, **kwargs)

        return guarded

    return decorate


def requires(*perms: str) -> Callable[[Callable], Callable]:
    """Decorate an event handler (below `@rx.event`): it runs only for a signed-in user holding every `perm`."""
    return _guard(perms, page=False)


def requires_page(*perms: str) -> Callable[[Callable], Callable]:
    """Decorate a page's on_load handler: sign-in redirect, or the access-denied panel instead of the page."""
    return _guard(perms, page=True)
