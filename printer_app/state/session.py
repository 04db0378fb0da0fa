"""Who is signed in, checked on the server for every page load and every event handler that reads or changes data.

Every page state derives from `SessionState`. A handler is decorated (under `@rx.event`) with

    @requires("inventory.view_printer")        # a refusal answers with a toast, or the login page
    @requires_page("inventory.view_printer")   # for a page's on_load: a refusal shows the access-denied panel

Every handler has one: a test walks all handlers of the app and fails on one without, unless it is a pure form
setter on its allow-list (tests/integration/test_handler_guards.py). A permission that depends on the call is a
function of the state and the handler's arguments (`@requires(lambda s: "a" if s.editing_id else "b")`); a handler
that must act before its check says why with `@checks_inline(...)` and checks in its body (`await
self._deny_async(...)`). Guarded handlers are `async def`: the session lookup runs in a worker thread, never on the
event loop (a sync handler is refused when the module is imported).

The check reads the `pi_session` cookie that the browser sent when its websocket connected (sign-in and sign-out are
full page navigations, so a new cookie always comes with a new connection) and looks the session up in the database
each time: a revoked session, an expired one, a deactivated user or an SSO user taken off the whitelist is refused
at their next event, open tabs included.

The `username` / `permissions` vars only decide what the page shows; they are never trusted for a decision.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import reflex as rx
from reflex.istate.proxy import StateProxy

from printer_app import i18n
from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.services.access.auth import user_from_cookie_header
from printer_app.services.access.principal import Principal, principal_of
from printer_app.services.access.proxy import client_address
from printer_app.services.access.roles import PERMISSIONS
from printer_app.services.audit import Actor

T = TypeVar("T")
LANGUAGE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
LOGIN_SCRIPT = (
    "window.location.assign('/auth/login?next='"
    " + encodeURIComponent(window.location.pathname + window.location.search))"
)


def principal_for_cookie(cookie_header: str | None) -> Principal | None:
    """The session behind a Cookie header, or None when there is none or it no longer grants access (blocking)."""
    with session_scope() as session:
        return principal_of(session, user_from_cookie_header(session, cookie_header))


async def in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking work (the database, Redis) in a worker thread: a handler never blocks the event loop with it.

    Call it outside `async with self`: that block holds the tab's state lock, which every event of the tab waits for.
    """
    return await asyncio.to_thread(fn, *args, **kwargs)


async def with_session(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(session, *args, **kwargs)` in a worker thread inside one database session, committed when it returns."""

    def run() -> T:
        with session_scope() as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(run)


def permission_label(perm: str) -> str:
    """A permission's name in the language of the current event."""
    return i18n.gettext(PERMISSIONS[perm]) if perm in PERMISSIONS else perm


class SessionState(rx.State):
    """The parent of every page state: the signed-in user as shown, and whether the current page may render."""

    username: str = ""
    display_name: str = ""
    permissions: list[str] = []
    access: str = ""  # "" until the page's guard ran, then "ok" or "denied"
    access_message: str = ""
    language: str = i18n.SOURCE_LANGUAGE  # of the signed-in user's account; the pages' labels follow it
    language_cookie: str = rx.Cookie("", name="pi_lang", max_age=LANGUAGE_COOKIE_AGE, same_site="lax")
    _user_id: int | None = None  # who passed the last check of this event (for the change log)

    @rx.var(cache=True)
    def t(self) -> dict[str, str]:
        """Every label of the pages in the user's language: components read it through `components/i18n.t`."""
        return i18n.browser_messages(self.language)

    async def _principal_async(self) -> Principal | None:
        return self._apply_principal(await in_thread(principal_for_cookie, self.router.headers.cookie))

    def _apply_principal(self, principal: Principal | None) -> Principal | None:
        """Show who is signed in, and make their language the language of this event (its toasts and messages)."""
        self._user_id = principal.user_id if principal else None
        chosen = principal.language if principal else self.language_cookie
        self.language = i18n.supported(chosen) or get_settings().default_language
        i18n.set_language(self.language)
        if principal is not None and self.language_cookie != self.language:
            self.language_cookie = self.language  # the sign-in page after a sign-out speaks the account's language
        if principal is None:
            self.username, self.display_name, self.permissions = "", "", []
        else:
            self.username, self.display_name = principal.username, principal.display_name
            self.permissions = sorted(principal.permissions) if not principal.is_superuser else sorted(PERMISSIONS)
        return principal

    async def _deny_async(self, *perms: str, page: bool = False) -> rx.event.EventSpec | list | None:
        """None when the signed-in user holds every one of `perms`; else the event that answers the refusal (a toast,
        the sign-in page, or with `page` the access-denied panel). The session is looked up in a worker thread."""
        return self._refusal(await self._principal_async(), perms, page=page)

    def _refusal(
        self, principal: Principal | None, perms: tuple[str, ...], *, page: bool
    ) -> rx.event.EventSpec | list | None:
        if principal is None:
            self.access = ""
            return rx.call_script(LOGIN_SCRIPT)
        if missing := principal.missing(*perms):
            if not page:
                needed = permission_label(missing[0])
                return rx.toast.error(i18n.gettext("Not allowed: you need the permission “{perm}”.", perm=needed))
            self.access = "denied"
            self.access_message = i18n.gettext(
                "This page needs the permission “{perm}”.", perm=permission_label(missing[0])
            )
            return []
        if page:
            self.access, self.access_message = "ok", ""
        return None

    def _actor(self) -> Actor:
        """Who did it, from where: for the change log (call after a check passed in the same event).

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


Perm = str | Callable[..., str | tuple[str, ...] | None]  # a permission, or one chosen per call (state, args)


@dataclass(frozen=True)
class Guard:
    """How a handler is guarded, kept on its function (`guard_of`): the test of all handlers reads it."""

    perms: tuple[Perm, ...]
    page: bool = False
    inline: str = ""  # why the check is in the handler's body instead (`checks_inline`)


def guard_of(fn: Callable) -> Guard | None:
    """The guard of an event handler's function; None: it checks nothing."""
    return getattr(fn, "__guard__", None)


def _needed(perms: tuple[Perm, ...], state: SessionState, args: tuple, kwargs: dict) -> tuple[str, ...]:
    needed: list[str] = []
    for perm in perms:
        chosen = perm(state, *args, **kwargs) if callable(perm) else perm
        needed += [chosen] if isinstance(chosen, str) else list(chosen or ())
    return tuple(needed)


def _guard(perms: tuple[Perm, ...], *, page: bool) -> Callable[[Callable], Callable]:
    """Check before the handler runs; a background handler applies the answer under the state lock."""

    async def check_async(state: SessionState, args: tuple, kwargs: dict):
        """The session is looked up in a thread, outside the state lock; only the answer is applied under it."""
        needed = _needed(perms, state, args, kwargs)
        principal = await in_thread(principal_for_cookie, state.router.headers.cookie)
        if isinstance(state, StateProxy) and not state._is_mutable():
            async with state:
                return state._refusal(state._apply_principal(principal), needed, page=page)
        return state._refusal(state._apply_principal(principal), needed, page=page)

    def decorate(fn: Callable) -> Callable:
        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def guarded_stream(self, *args, **kwargs):
                if (denied := await check_async(self, args, kwargs)) is not None:
                    yield denied
                    return
                async for update in fn(self, *args, **kwargs):
                    yield update

            guarded: Callable = guarded_stream
        elif inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def guarded_async(self, *args, **kwargs):
                if (denied := await check_async(self, args, kwargs)) is not None:
                    return denied
                return await fn(self, *args, **kwargs)

            guarded = guarded_async
        else:  # its session lookup would block the event loop, which every tab of this process shares
            raise TypeError(f"{fn.__qualname__}: a guarded event handler must be `async def`")
        guarded.__guard__ = Guard(perms, page=page)
        return guarded

    return decorate


def requires(*perms: Perm) -> Callable[[Callable], Callable]:
    """Decorate an event handler (below `@rx.event`): it runs only for a signed-in user holding every `perm`.

    A perm may be chosen per call: a function of (state, *handler args) giving a permission, several, or None."""
    return _guard(perms, page=False)


def requires_page(*perms: Perm) -> Callable[[Callable], Callable]:
    """Decorate a page's on_load handler: sign-in redirect, or the access-denied panel instead of the page."""
    return _guard(perms, page=True)


def checks_inline(why: str) -> Callable[[Callable], Callable]:
    """Mark a handler that must do something before its `self._deny_async` check (say why); prefer `requires`."""

    def mark(fn: Callable) -> Callable:
        fn.__guard__ = Guard((), inline=why)
        return fn

    return mark
