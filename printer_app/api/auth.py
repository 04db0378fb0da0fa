"""Sign-in beside the Reflex app: login page, local and OIDC (authlib) sign-in, logout, /auth/me, API guards.

Mount with `install(app)` on the Starlette app given to `rx.App(api_transformer=app)`. Sign-in and sign-out are
full page navigations: the Reflex websocket only sees the cookies present when it connected.
"""

from __future__ import annotations

import functools
import html
import inspect
import secrets
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from urllib.parse import urlencode

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from printer_app.config import Settings, get_settings
from printer_app.db import session_scope
from printer_app.models import User, UserSession
from printer_app.services import auth
from printer_app.services.roles import user_group_names, user_permissions

try:  # authlib talks through httpx2 when it is installed, else through httpx: catch that library's errors
    from httpx2 import HTTPError
except ImportError:
    from httpx import HTTPError

CSRF_COOKIE = "pi_csrf"
OIDC_STATE_COOKIE = "pi_oidc"  # authlib's state, nonce and PKCE verifier between /oidc/login and /oidc/callback
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class AuthConfig:
    """What the endpoints need, built once by `install` and kept on `app.state.auth`."""

    settings: Settings
    cookie: auth.SessionCookie
    csrf: URLSafeTimedSerializer
    session_factory: Callable[[], AbstractContextManager[Session]]
    oidc: StarletteOAuth2App | None  # None when SSO is not configured


def install(
    app: Starlette,
    *,
    settings: Settings | None = None,
    session_factory: Callable[[], AbstractContextManager[Session]] = session_scope,
) -> None:
    """Add the /auth routes and the short-lived OIDC state cookie middleware to `app`."""
    settings = settings or get_settings()
    secret = settings.resolved_secret_key()
    app.state.auth = AuthConfig(
        settings=settings,
        cookie=auth.SessionCookie(settings),
        csrf=URLSafeTimedSerializer(secret, salt="pi-csrf"),
        session_factory=session_factory,
        oidc=_oidc_client(settings),
    )
    app.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie=OIDC_STATE_COOKIE, max_age=900, path="/auth"
    )
    app.router.routes.extend(ROUTES)


def _oidc_client(settings: Settings) -> StarletteOAuth2App | None:
    if not settings.oidc_enabled:
        return None
    if "openid" not in settings.oidc_scopes.split():
        raise RuntimeError("OIDC_SCOPES must include 'openid'")
    extra = {} if settings.oidc_client_secret else {"token_endpoint_auth_method": "none"}
    return OAuth().register(
        name="oidc",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 15, **extra},
    )


def _config(request: Request) -> AuthConfig:
    return request.app.state.auth


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _safe_next(value: str | None) -> str:
    """Only same-site paths: "/printers?x=1" yes, "//evil.example", "https://..." or "/\\evil" no."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return "/"
    return value


# --- guards for JSON endpoints ---------------------------------------------------------------------------------


def _signed_in(config: AuthConfig, cookie_value: str | None) -> tuple[User | None, set[str]]:
    with config.session_factory() as session:
        user = auth.resolve_session(session, config.cookie.unsign(cookie_value))
        return user, (user_permissions(session, user) if user else set())


async def current_user(request: Request) -> tuple[User | None, set[str]]:
    """The signed-in user and their permissions ("app_label.codename"), or (None, set())."""
    config = _config(request)
    return await run_in_threadpool(_signed_in, config, request.cookies.get(auth.SESSION_COOKIE))


def require_permission(perm: str | None = None) -> Callable[[Endpoint], Endpoint]:
    """Guard a Starlette endpoint: 401 when not signed in, 403 without `perm`; sets request.state.user."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user, perms = await current_user(request)
            if user is None:
                return JSONResponse({"detail": "Not authenticated"}, status_code=401)
            if perm and not (user.is_superuser or perm in perms):
                return JSONResponse({"detail": f"Permission required: {perm}"}, status_code=403)
            request.state.user, request.state.permissions = user, perms
            if inspect.iscoroutinefunction(endpoint):
                return await endpoint(request)
            return await run_in_threadpool(endpoint, request)

        return guarded

    return decorate


@require_permission()
async def me(request: Request) -> Response:
    user: User = request.state.user
    config = _config(request)
    groups = await run_in_threadpool(_groups, config, user.id)
    return JSONResponse(
        {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "is_superuser": user.is_superuser,
            "groups": groups,
            "permissions": sorted(request.state.permissions),
        }
    )


def _groups(config: AuthConfig, user_id: int) -> list[str]:
    with config.session_factory() as session:
        return user_group_names(session, user_id)


# --- pages and the session cookie ------------------------------------------------------------------------------


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    style = (
        "body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;color:#1f2937}"
        "input,button,.sso{display:block;width:100%;box-sizing:border-box;margin:.4rem 0;padding:.6rem;font:inherit}"
        ".sso{text-align:center;background:#2563eb;color:#fff;text-decoration:none;border-radius:.4rem}"
        ".error{color:#b91c1c}.or{text-align:center;color:#6b7280}"
    )
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{style}</style></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def _message_page(title: str, message: str, status: int) -> HTMLResponse:
    link = '<p><a href="/auth/login">Back to sign-in</a></p>'
    return _page(title, f'<p class="error" role="alert">{html.escape(message)}</p>{link}', status)


def _login_page(
    request: Request, *, error: str = "", status: int = 200, next_url: str = "/", retry_after_minutes: int | None = None
) -> HTMLResponse:
    config = _config(request)
    token = request.cookies.get(CSRF_COOKIE, "")
    try:
        config.csrf.loads(token, max_age=86400)
    except BadSignature:
        token = config.csrf.dumps(secrets.token_urlsafe(16))
    esc = html.escape
    parts = [f'<p class="error" role="alert">{esc(error)}</p>' if error else ""]
    if config.oidc is not None:
        sso = "/auth/oidc/login?" + urlencode({"next": next_url})
        parts.append(f'<a class="sso" href="{esc(sso)}">Sign in with SSO</a><p class="or">or</p>')
    parts.append(
        '<form method="post" action="/auth/login">'
        f'<input type="hidden" name="csrf_token" value="{esc(token)}">'
        f'<input type="hidden" name="next" value="{esc(next_url)}">'
        '<label>Username<input name="username" autocomplete="username" required autofocus></label>'
        '<label>Password<input name="password" type="password" autocomplete="current-password" required></label>'
        "<button type=submit>Sign in</button></form>"
    )
    response = _page("Printer Inventory — sign in", "".join(parts), status)
    response.set_cookie(
        CSRF_COOKIE, token, max_age=86400, path="/auth", httponly=True, samesite="strict", secure=_https(request)
    )
    if retry_after_minutes:
        response.headers["Retry-After"] = str(60 * retry_after_minutes)
    return response


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _signed_in_redirect(request: Request, raw_token: str, next_url: str) -> RedirectResponse:
    config = _config(request)
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        config.cookie.sign(raw_token),
        max_age=config.cookie.max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_https(request),
    )
    return response


# --- local sign-in ---------------------------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    user, _ = await current_user(request)
    if user is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url=next_url)


async def login_submit(request: Request) -> Response:
    config = _config(request)
    async with request.form() as form:
        fields = {k: str(form.get(k) or "") for k in ("csrf_token", "next", "username", "password")}
    next_url = _safe_next(fields["next"])
    cookie_token = request.cookies.get(CSRF_COOKIE, "")
    try:
        config.csrf.loads(cookie_token, max_age=86400)
        valid_csrf = secrets.compare_digest(cookie_token, fields["csrf_token"])
    except BadSignature:
        valid_csrf = False
    if not valid_csrf:
        return _message_page("Sign-in refused", "The sign-in form expired; please reload the page and try again.", 403)
    raw, outcome = await run_in_threadpool(_local_login, config, request, fields)
    if raw is None:
        wait = outcome.retry_after_minutes
        return _login_page(
            request, error=outcome.error, status=429 if wait else 401, next_url=next_url, retry_after_minutes=wait
        )
    return _signed_in_redirect(request, raw, next_url)


def _local_login(config: AuthConfig, request: Request, fields: dict[str, str]) -> tuple[str | None, auth.LoginOutcome]:
    ip = _client_ip(request)
    with config.session_factory() as session:
        auth.end_session(session, config.cookie.unsign(request.cookies.get(auth.SESSION_COOKIE)))
        outcome = auth.authenticate_local(session, fields["username"], fields["password"], ip, settings=config.settings)
        if outcome.user is None:
            return None, outcome
        raw = auth.create_session(
            session,
            user=outcome.user,
            auth_method=auth.LOCAL,
            ip=ip,
            user_agent=request.headers.get("user-agent", ""),
            settings=config.settings,
        )
        return raw, outcome


# --- OIDC sign-in ----------------------------------------------------------------------------------------------


async def oidc_login(request: Request) -> Response:
    config = _config(request)
    if config.oidc is None:
        return _message_page("Single sign-on is not configured", "Sign in with a username and password.", 404)
    redirect_uri = config.settings.oidc_redirect_uri or str(request.url_for("auth_oidc_callback"))
    try:  # authlib keeps one pending sign-in per browser: the latest replaces an unfinished one
        response = await config.oidc.authorize_redirect(request, redirect_uri)
    except HTTPError:
        return _message_page("Sign-in unavailable", "The identity provider cannot be reached; try again later.", 502)
    request.session["next"] = _safe_next(request.query_params.get("next"))
    return response


async def oidc_callback(request: Request) -> Response:
    config = _config(request)
    if config.oidc is None:
        return _message_page("Single sign-on is not configured", "Sign in with a username and password.", 404)
    try:
        token = await config.oidc.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:  # no ID token, or no nonce was stored for this state: nothing was verified
            raise OAuthError(description="no verified ID token")
        if (await config.oidc.load_server_metadata()).get("userinfo_endpoint"):
            extra = await config.oidc.userinfo(token=token)
            if extra.get("sub") != claims.get("sub"):
                raise OAuthError(description="userinfo subject differs from the ID token")
            claims = {**extra, **claims}
    except MismatchingStateError:
        return _message_page("Sign-in refused", "The sign-in response does not match a request from this browser.", 400)
    except (OAuthError, JoseError) as exc:
        detail = getattr(exc, "description", None) or str(exc) or type(exc).__name__
        if request.query_params.get("error"):
            return _message_page("Sign-in refused", f"The identity provider refused the sign-in ({detail}).", 400)
        return _message_page("Sign-in refused", f"The sign-in response could not be verified ({detail}).", 400)
    except HTTPError:
        return _message_page("Sign-in unavailable", "The identity provider cannot be reached; try again later.", 502)
    next_url = request.session.pop("next", "/")
    raw, error = await run_in_threadpool(_oidc_login, config, request, claims, token.get("id_token"))
    if raw is None:
        return _message_page("Access denied", error, 403)
    return _signed_in_redirect(request, raw, next_url)


def _oidc_login(config: AuthConfig, request: Request, claims: dict, id_token: str | None) -> tuple[str | None, str]:
    with config.session_factory() as session:
        auth.end_session(session, config.cookie.unsign(request.cookies.get(auth.SESSION_COOKIE)))
        try:
            user = auth.login_oidc_user(session, claims)
        except auth.AccessDenied as exc:  # returned, not raised: the deactivation of a delisted user is kept
            return None, str(exc)
        return auth.create_session(
            session,
            user=user,
            auth_method=auth.OIDC,
            ip=_client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            id_token=id_token,
            settings=config.settings,
        ), ""


# --- logout ----------------------------------------------------------------------------------------------------


async def logout(request: Request) -> Response:
    """End the local session; for SSO sessions continue to the provider's end_session_endpoint when it has one."""
    config = _config(request)
    raw = config.cookie.unsign(request.cookies.get(auth.SESSION_COOKIE))
    ended = await run_in_threadpool(_end, config, raw)
    login_url = str(request.url_for("auth_login"))
    target = "/auth/login"
    if ended is not None and ended.auth_method == auth.OIDC and config.oidc is not None:
        try:
            end_session = (await config.oidc.load_server_metadata()).get("end_session_endpoint")
        except HTTPError:
            end_session = None
        if end_session:
            params = {"client_id": config.settings.oidc_client_id, "post_logout_redirect_uri": login_url}
            if ended.id_token:
                params["id_token_hint"] = ended.id_token
            target = f"{end_session}{'&' if '?' in end_session else '?'}{urlencode(params)}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_https(request))
    return response


def _end(config: AuthConfig, raw: str | None) -> UserSession | None:
    with config.session_factory() as session:
        return auth.end_session(session, raw)


ROUTES = [
    Route("/auth/login", login_page, methods=["GET"], name="auth_login"),
    Route("/auth/login", login_submit, methods=["POST"], name="auth_login_submit"),
    Route("/auth/oidc/login", oidc_login, methods=["GET"], name="auth_oidc_login"),
    Route("/auth/oidc/callback", oidc_callback, methods=["GET"], name="auth_oidc_callback"),
    Route("/auth/logout", logout, methods=["GET", "POST"], name="auth_logout"),
    Route("/auth/me", me, methods=["GET"], name="auth_me"),
]
