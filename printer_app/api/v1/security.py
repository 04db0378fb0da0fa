"""Who calls the JSON API and what they may do: a personal token (`Authorization: Bearer pi_...`) or the
browser's session cookie, then the same permission check as the pages.

Contract: `caller` answers the signed-in `Caller` or raises a 401 problem with `WWW-Authenticate: Bearer` (no
credentials, an unknown, revoked or expired token, a token of a deactivated user, an expired session cookie);
a Bearer header wins over the cookie. Every authenticated request spends one request of the caller's rate-limit
bucket (per token; per user for the cookie): 429 with Retry-After when empty. `requires(*perms)` is the route
dependency that adds the 403 problem (valid credentials, a permission missing) and lists the permissions in the
OpenAPI document (`x-permissions`), so the docs and the role-matrix test read them from one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from printer_app.api.permissions import AuthConfig
from printer_app.api.v1 import ratelimit
from printer_app.api.v1.problems import Problem
from printer_app.i18n import use_language
from printer_app.services.access import api_tokens, auth
from printer_app.services.access.principal import Principal, principal_of

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A personal API token from your profile page (/profile), sent as `Authorization: Bearer pi_...`.",
)
CHALLENGE = 'Bearer realm="printer-inventory"'
REASONS = {
    "missing": "Authentication required: send `Authorization: Bearer <token>` (create one on /profile).",
    "unknown": "The token is not valid.",
    "revoked": "The token was revoked.",
    "expired": "The token expired.",
    "inactive": "The token's user is deactivated.",
    "delisted": "The token's user is no longer on the sign-in whitelist.",
    "scheme": "Only Bearer tokens are accepted in the Authorization header.",
    "session": "The session expired; sign in again.",
}


@dataclass(frozen=True)
class Caller:
    """The signed-in user of one API request, and how they signed in (`token_id` None: the session cookie)."""

    principal: Principal
    token_id: int | None

    @property
    def user_id(self) -> int:
        return self.principal.user_id


def _config(request: Request) -> AuthConfig:
    return request.app.state.auth


def _unauthorized(reason: str) -> Problem:
    challenge = CHALLENGE if reason in ("missing", "session") else f'{CHALLENGE}, error="invalid_token"'
    return Problem(401, REASONS[reason], headers={"WWW-Authenticate": challenge})


def _from_token(config: AuthConfig, secret: str) -> tuple[Principal | None, int | None, str]:
    with config.session_factory() as session:
        token, user, reason = api_tokens.resolve(session, secret)
        if token is None:
            return None, None, reason
        principal = principal_of(session, user)
        return principal, token.id, "" if principal else "inactive"


def _from_cookie(config: AuthConfig, value: str) -> Principal | None:
    with config.session_factory() as session:
        return principal_of(session, auth.resolve_session(session, config.cookie.unsign(value)))


def caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Caller:  # a sync dependency: FastAPI runs it in a worker thread (database reads)
    config = _config(request)
    header = request.headers.get("authorization")
    if header and credentials is None:
        raise _unauthorized("scheme")
    if credentials is not None:
        principal, token_id, reason = _from_token(config, credentials.credentials.strip())
        if principal is None:
            raise _unauthorized(reason)
    else:
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        principal, token_id = (_from_cookie(config, cookie) if cookie else None), None
        if principal is None:
            raise _unauthorized("session" if cookie else "missing")
    key = f"token:{token_id}" if token_id is not None else f"user:{principal.user_id}"
    if wait := ratelimit.take(key):
        raise Problem(429, f"Too many requests; retry in {wait} s.", headers={"Retry-After": str(wait)})
    return Caller(principal=principal, token_id=token_id)


def requires(*perms: str) -> Callable[..., Caller]:
    """The route dependency: the caller, who must hold every one of `perms` (403 problem otherwise)."""

    def dependency(who: Caller = Depends(caller)) -> Caller:
        if missing := who.principal.missing(*perms):
            raise Problem(403, f"Permission required: {missing[0]}")
        return who

    return dependency


def documented(*perms: str) -> dict:
    """A route's OpenAPI extension naming the permissions it checks (`openapi_extra=documented(...)`)."""
    return {"x-permissions": list(perms)}


@contextmanager
def db(request: Request, who: Caller) -> Iterator[Session]:
    """A database session (committed on success) with the caller's language for messages."""
    with use_language(who.principal.language), _config(request).session_factory() as session:
        yield session
