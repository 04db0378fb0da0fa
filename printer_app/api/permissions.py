"""Guards for JSON endpoints beside the pages: who is signed in, `require_permission`, and /auth/me.

They read the sign-in configuration (`AuthConfig`) that `api/auth.py`'s `install` keeps on `app.state.auth`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from authlib.integrations.starlette_client import StarletteOAuth2App
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from printer_app.config import Settings
from printer_app.models import User
from printer_app.services.access import auth
from printer_app.services.access.principal import Principal, principal_of
from printer_app.services.access.roles import user_group_names

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class AuthConfig:
    """What the endpoints need, built once by `install` and kept on `app.state.auth`."""

    settings: Settings
    cookie: auth.SessionCookie
    csrf: URLSafeTimedSerializer
    session_factory: Callable[[], AbstractContextManager[Session]]
    oidc: StarletteOAuth2App | None  # None when SSO is not configured


def _signed_in(config: AuthConfig, cookie_value: str | None) -> tuple[User | None, Principal | None]:
    with config.session_factory() as session:
        user = auth.resolve_session(session, config.cookie.unsign(cookie_value))
        return user, principal_of(session, user)


async def current_user(request: Request) -> tuple[User | None, Principal | None]:
    """The signed-in user and what they may do, or (None, None)."""
    config = request.app.state.auth
    return await run_in_threadpool(_signed_in, config, request.cookies.get(auth.SESSION_COOKIE))


def require_permission(perm: str | None = None) -> Callable[[Endpoint], Endpoint]:
    """Guard a Starlette endpoint: 401 when not signed in, 403 without `perm`; sets request.state.user."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user, principal = await current_user(request)
            if user is None or principal is None:
                return JSONResponse({"detail": "Not authenticated"}, status_code=401)
            if missing := principal.missing(perm):
                return JSONResponse({"detail": f"Permission required: {missing[0]}"}, status_code=403)
            request.state.user, request.state.principal = user, principal
            if inspect.iscoroutinefunction(endpoint):
                return await endpoint(request)
            return await run_in_threadpool(endpoint, request)

        return guarded

    return decorate


@require_permission()
async def me(request: Request) -> Response:
    user: User = request.state.user
    config = request.app.state.auth
    groups = await run_in_threadpool(_groups, config, user.id)
    return JSONResponse(
        {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "is_superuser": user.is_superuser,
            "groups": groups,
            "permissions": sorted(request.state.principal.permissions),
        }
    )


def _groups(config: AuthConfig, user_id: int) -> list[str]:
    with config.session_factory() as session:
        return user_group_names(session, user_id)
