"""Sign-in beside the Reflex app: login page, local and OIDC (authlib) sign-in, logout (guards: api/permissions.py).

Mount with `install(app)` on the Starlette app given to `rx.App(api_transformer=app)`. Sign-in and sign-out are
full page navigations: the Reflex websocket only sees the cookies present when it connected.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from urllib.parse import urlencode, urlsplit

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from printer_app import i18n
from printer_app.api import pages
from printer_app.api.guard import SameOriginGuard, client_of, secure_cookies
from printer_app.api.pages import HTTPS_NEEDED, localized, message_page
from printer_app.api.permissions import AuthConfig, current_user, me
from printer_app.config import Settings, get_settings
from printer_app.db import session_scope
from printer_app.i18n import N_, gettext
from printer_app.models import UserSession
from printer_app.services.access import auth, login_throttle
from printer_app.services.access.proxy import Client

try:  # authlib talks through httpx2 when it is installed, else through httpx: catch that library's errors
    from httpx2 import HTTPError
except ImportError:
    from httpx import HTTPError

CSRF_COOKIE = "pi_csrf"
OIDC_STATE_COOKIE = "pi_oidc"  # authlib's state, nonce and PKCE verifier between /oidc/login and /oidc/callback


def install(
    app: Starlette,
    *,
    settings: Settings | None = None,
    session_factory: Callable[[], AbstractContextManager[Session]] = session_scope,
) -> None:
    """Add the /auth routes, the OIDC state cookie middleware and the same-origin guard to `app`."""
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
        SessionMiddleware,
        secret_key=secret,
        session_cookie=OIDC_STATE_COOKIE,
        max_age=900,
        path="/auth",
        https_only=secure_cookies(settings),
    )
    app.add_middleware(SameOriginGuard, settings=settings)  # outermost: also guards the Reflex app mounted inside
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


def _safe_next(value: str | None) -> str:
    """Only same-site paths: "/printers?x=1" yes, "//evil.example", "https://..." or "/\\evil" no."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return "/"
    return value


# --- pages and the session cookie ------------------------------------------------------------------------------


def _login_page(
    request: Request, *, error: str = "", status: int = 200, next_url: str = "/", retry_after: int | None = None
) -> HTMLResponse:
    config = _config(request)
    token = request.cookies.get(CSRF_COOKIE, "")
    try:
        config.csrf.loads(token, max_age=86400)
    except BadSignature:
        token = config.csrf.dumps(secrets.token_urlsafe(16))
    client, secure = _client(request), _secure(request)
    notice = gettext(HTTPS_NEEDED) if secure and not client.https and not _loopback(client) else ""
    response = pages.login_page(
        token=token, next_url=next_url, sso=config.oidc is not None, error=error, notice=notice, status=status
    )
    response.set_cookie(
        CSRF_COOKIE, token, max_age=86400, path="/auth", httponly=True, samesite="strict", secure=secure
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _client(request: Request) -> Client:
    return client_of(request.scope, _config(request).settings)


def _secure(request: Request) -> bool:
    return secure_cookies(_config(request).settings, _client(request))


def _loopback(client: Client) -> bool:
    """Browsers keep Secure cookies from http://localhost too (a developer's machine, the tests)."""
    return urlsplit(client.origin or "").hostname in ("localhost", "127.0.0.1", "::1")


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
        secure=_secure(request),
    )
    return response


# --- local sign-in ---------------------------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    if lang := i18n.supported(request.query_params.get("lang")):  # the English | Русский links
        return pages.choose_language(lang, next_url, secure=_secure(request))
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
        expired = gettext("The sign-in form expired; please reload the page and try again.")
        return message_page(N_("Sign-in refused"), expired, 403)
    raw, error, wait = await run_in_threadpool(_local_login, config, request, fields)
    if raw is None:
        return _login_page(request, error=error, status=429 if wait else 401, next_url=next_url, retry_after=wait)
    return _signed_in_redirect(request, raw, next_url)


def _local_login(config: AuthConfig, request: Request, fields: dict[str, str]) -> tuple[str | None, str, int | None]:
    """Reserve the attempt (a transaction of its own), then check the password: the new session's token, or the
    message and the seconds to wait."""
    client = _client(request)
    limits = {"username": auth.normalize_username(fields["username"]), "address": client.address}
    with config.session_factory() as session:
        wait = login_throttle.reserve_attempt(session, **limits, settings=config.settings)
    if wait is not None:
        return None, login_throttle.wait_message(wait), wait
    with config.session_factory() as session:
        auth.end_session(session, config.cookie.unsign(request.cookies.get(auth.SESSION_COOKIE)))
        outcome = auth.authenticate_local(session, fields["username"], fields["password"])
        if outcome.user is None:
            return None, outcome.error, None
        login_throttle.release_attempt(session, **limits, settings=config.settings)
        raw = auth.create_session(
            session,
            user=outcome.user,
            auth_method=auth.LOCAL,
            ip=client.address,
            user_agent=request.headers.get("user-agent", ""),
            settings=config.settings,
        )
        return raw, "", None


# --- OIDC sign-in ----------------------------------------------------------------------------------------------


async def oidc_login(request: Request) -> Response:
    config = _config(request)
    if config.oidc is None:
        return pages.sso_off_page()
    redirect_uri = config.settings.oidc_redirect_uri or str(request.url_for("auth_oidc_callback"))
    try:  # authlib keeps one pending sign-in per browser: the latest replaces an unfinished one
        response = await config.oidc.authorize_redirect(request, redirect_uri)
    except HTTPError:
        return pages.unreachable_page()
    request.session["next"] = _safe_next(request.query_params.get("next"))
    return response


async def oidc_callback(request: Request) -> Response:
    config = _config(request)
    if config.oidc is None:
        return pages.sso_off_page()
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
        mismatch = gettext("The sign-in response does not match a request from this browser.")
        return message_page(N_("Sign-in refused"), mismatch, 400)
    except (OAuthError, JoseError) as exc:
        detail = getattr(exc, "description", None) or str(exc) or type(exc).__name__
        if request.query_params.get("error"):
            refused = gettext("The identity provider refused the sign-in ({detail}).", detail=detail)
            return message_page(N_("Sign-in refused"), refused, 400)
        unverified = gettext("The sign-in response could not be verified ({detail}).", detail=detail)
        return message_page(N_("Sign-in refused"), unverified, 400)
    except HTTPError:
        return pages.unreachable_page()
    next_url = request.session.pop("next", "/")
    raw, error = await run_in_threadpool(_oidc_login, config, request, claims, token.get("id_token"))
    if raw is None:
        return message_page(N_("Access denied"), error, 403)
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
            ip=_client(request).address,
            user_agent=request.headers.get("user-agent", ""),
            id_token=id_token,
            settings=config.settings,
        ), ""


# --- logout ----------------------------------------------------------------------------------------------------


async def logout_page(request: Request) -> Response:
    """GET: a page with the sign-out button; following a link signs nobody out."""
    return pages.logout_page()


async def logout(request: Request) -> Response:
    """POST: end the local session; for SSO sessions continue to the provider's end_session_endpoint if it has one.

    Only a POST signs out (SameOriginGuard refused it if another site sent it): a link or an image cannot.
    """
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
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def _end(config: AuthConfig, raw: str | None) -> UserSession | None:
    with config.session_factory() as session:
        return auth.end_session(session, raw)


ROUTES = [  # the pages in the language of the pi_lang cookie (api/pages.py)
    Route("/auth/login", localized(login_page), methods=["GET"], name="auth_login"),
    Route("/auth/login", localized(login_submit), methods=["POST"], name="auth_login_submit"),
    Route("/auth/oidc/login", localized(oidc_login), methods=["GET"], name="auth_oidc_login"),
    Route("/auth/oidc/callback", localized(oidc_callback), methods=["GET"], name="auth_oidc_callback"),
    Route("/auth/logout", localized(logout_page), methods=["GET"], name="auth_logout_page"),
    Route("/auth/logout", logout, methods=["POST"], name="auth_logout"),
    Route("/auth/me", me, methods=["GET"], name="auth_me"),
]
