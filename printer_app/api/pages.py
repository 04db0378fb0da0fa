"""The few plain HTML pages the /auth routes answer with (sign-in form, sign-out button, messages).

They are in the language of the `pi_lang` cookie (the sidebar's switch sets it, and so do the links at the foot of
the sign-in page), else in DEFAULT_LANGUAGE: the endpoints run inside `i18n.use_language(request_language(...))`.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from printer_app import i18n
from printer_app.config import Settings
from printer_app.i18n import N_, gettext

LANGUAGE_COOKIE = "pi_lang"  # the same cookie the pages' SessionState.language_cookie reads (not httponly)
LANGUAGE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
HTTPS_NEEDED = N_(
    "This page was opened over plain HTTP, but the sign-in cookie is only sent over HTTPS: open the app at its "
    "https:// address (administrators: see COOKIE_SECURE)."
)
Endpoint = Callable[[Request], Awaitable[Response]]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;color:#1f2937}"
    "input,button,.sso{display:block;width:100%;box-sizing:border-box;margin:.4rem 0;padding:.6rem;font:inherit}"
    ".sso{text-align:center;background:#2563eb;color:#fff;text-decoration:none;border-radius:.4rem}"
    ".error{color:#b91c1c}.or{text-align:center;color:#6b7280}"
    ".languages{margin-top:1.5rem;text-align:center;font-size:.9rem;color:#6b7280}"
    ".languages a{color:inherit}.languages strong{color:#1f2937;font-weight:600}"
)


def request_language(request: Request, settings: Settings) -> str:
    """The language of an /auth page: the `pi_lang` cookie when it names one we have, else DEFAULT_LANGUAGE."""
    return i18n.supported(request.cookies.get(LANGUAGE_COOKIE)) or settings.default_language


def localized(endpoint: Endpoint) -> Endpoint:
    """Run an /auth endpoint in the language of its request (worker threads it starts inherit it)."""

    @functools.wraps(endpoint)
    async def run(request: Request) -> Response:
        with i18n.use_language(request_language(request, request.app.state.auth.settings)):
            return await endpoint(request)

    return run


def choose_language(lang: str, next_url: str, *, secure: bool) -> RedirectResponse:
    """`/auth/login?lang=ru`: remember the choice in the cookie and show the sign-in page again without the query."""
    query = "?" + urlencode({"next": next_url}) if next_url != "/" else ""
    response = RedirectResponse("/auth/login" + query, status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_AGE, path="/", samesite="lax", secure=secure, httponly=False
    )
    return response


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f'<!doctype html><html lang="{i18n.language()}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def message_page(title: str, message: str, status: int) -> HTMLResponse:
    """A refusal or error: `title` is a catalogued message (translated here), `message` already translated."""
    back = html.escape(gettext("Back to sign-in"))
    link = f'<p><a href="/auth/login">{back}</a></p>'
    return page(gettext(title), f'<p class="error" role="alert">{html.escape(message)}</p>{link}', status)


def sso_off_page() -> HTMLResponse:
    return message_page(N_("Single sign-on is not configured"), gettext("Sign in with a username and password."), 404)


def unreachable_page() -> HTMLResponse:
    message = gettext("The identity provider cannot be reached; try again later.")
    return message_page(N_("Sign-in unavailable"), message, 502)


def _language_links(next_url: str) -> str:
    """English | Русский: the current one in bold, the other a link that sets the cookie."""
    links = []
    for code, name in i18n.LANGUAGES.items():
        if code == i18n.language():
            links.append(f'<strong lang="{code}">{html.escape(name)}</strong>')
        else:
            params = {"lang": code, **({"next": next_url} if next_url != "/" else {})}
            href = html.escape("/auth/login?" + urlencode(params))
            links.append(f'<a href="{href}" lang="{code}" hreflang="{code}" id="lang-{code}">{html.escape(name)}</a>')
    return f'<p class="languages" id="sign-in-languages">{" | ".join(links)}</p>'


def login_page(
    *, token: str, next_url: str, sso: bool, error: str = "", notice: str = "", status: int = 200
) -> HTMLResponse:
    """The sign-in form (with the SSO button when configured); `token` is the form's CSRF token."""
    esc = html.escape
    parts = [f'<p class="error" role="alert">{esc(error)}</p>' if error else ""]
    parts.append(f'<p class="error" id="notice">{esc(notice)}</p>' if notice else "")
    if sso:
        sso_url = "/auth/oidc/login?" + urlencode({"next": next_url})
        sso_label, or_ = esc(gettext("Sign in with SSO")), esc(gettext("or"))
        parts.append(f'<a class="sso" href="{esc(sso_url)}">{sso_label}</a><p class="or">{or_}</p>')
    username, password, submit = esc(gettext("Username")), esc(gettext("Password")), esc(gettext("Sign in"))
    parts.append(
        '<form method="post" action="/auth/login">'
        f'<input type="hidden" name="csrf_token" value="{esc(token)}">'
        f'<input type="hidden" name="next" value="{esc(next_url)}">'
        f"<label>{username}"
        '<input name="username" autocomplete="username" required autofocus></label>'
        f"<label>{password}"
        '<input name="password" type="password" autocomplete="current-password" required></label>'
        f"<button type=submit>{submit}</button></form>"
    )
    parts.append(_language_links(next_url))
    return page(gettext("Printer Inventory — sign in"), "".join(parts), status)


def logout_page() -> HTMLResponse:
    """What GET /auth/logout shows (an old bookmark, a link): signing out takes this button, a POST."""
    esc = html.escape
    question, sign_out = esc(gettext("Sign out of Printer Inventory on this browser?")), esc(gettext("Sign out"))
    back = esc(gettext("Back to the app"))
    body = (
        f"<p>{question}</p>"
        '<form method="post" action="/auth/logout">'
        f'<button type="submit" id="confirm-sign-out">{sign_out}</button></form>'
        f'<p><a href="/">{back}</a></p>'
    )
    return page(gettext("Sign out"), body)
