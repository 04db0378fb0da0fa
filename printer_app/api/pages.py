"""The few plain HTML pages the /auth routes answer with (sign-in form, sign-out button, messages).

They look like the app (pages.css: its theme, the sidebar's brand) and are in the language of the `pi_lang` cookie
(the sidebar's switch sets it, and so does the switch on the sign-in page), else the browser's preferred language
(Accept-Language) when we have it, else DEFAULT_LANGUAGE: the endpoints run inside
`i18n.use_language(request_language(...))`.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Awaitable, Callable
from pathlib import Path
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

_STYLE = (Path(__file__).with_name("pages.css")).read_text(encoding="utf-8")
# The sidebar's brand icon (Lucide "printer-check", as components/layout.py shows it), inline: no request, no script.
_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28" viewBox="0 0 24 24" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">'
    '<path d="M13.5 22H7a1 1 0 0 1-1-1v-6a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v.5"/><path d="m16 19 2 2 4-4"/>'
    '<path d="M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v2"/>'
    '<path d="M6 9V3a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v6"/></svg>'
)


def request_language(request: Request, settings: Settings) -> str:
    """The language of an /auth page: the `pi_lang` cookie when it names one we have, else the first language of
    the browser's Accept-Language that we have, else DEFAULT_LANGUAGE."""
    return (
        i18n.supported(request.cookies.get(LANGUAGE_COOKIE))
        or accepted_language(request.headers.get("accept-language", ""))
        or settings.default_language
    )


def accepted_language(header: str) -> str | None:
    """The language we have that an Accept-Language header prefers most ("ru-RU,ru;q=0.9,en;q=0.8" -> "ru")."""
    choices = []
    for position, part in enumerate(header[:512].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        lang = i18n.supported(tag.strip().split("-")[0].lower())
        if lang and 0 < weight <= 1:
            choices.append((-weight, position, lang))
    return min(choices)[2] if choices else None


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


def page(title: str, body: str, status: int = 200, *, heading: str | None = None) -> HTMLResponse:
    """A page in the app's look: the brand over a card with the `heading` (else the `title`) and the `body`."""
    esc = html.escape
    brand = f'<div class="brand" id="brand">{_LOGO}<span>{esc(gettext("Printer Inventory"))}</span></div>'
    doc = (
        f'<!doctype html><html lang="{i18n.language()}"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
        f'<body><main class="shell">{brand}<div class="card"><h1>{esc(heading or title)}</h1>{body}</div></main>'
        "</body></html>"
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
    """English | Русский as the sidebar's switch shows them: the current one marked, the other a link that sets the
    cookie."""
    links = []
    for code, name in i18n.LANGUAGES.items():
        if code == i18n.language():
            links.append(f'<strong lang="{code}" aria-current="true">{html.escape(name)}</strong>')
        else:
            params = {"lang": code, **({"next": next_url} if next_url != "/" else {})}
            href = html.escape("/auth/login?" + urlencode(params))
            links.append(f'<a href="{href}" lang="{code}" hreflang="{code}" id="lang-{code}">{html.escape(name)}</a>')
    label = html.escape(gettext("Language"))
    switch = f'<span class="switch">{"".join(links)}</span>'
    return f'<nav class="languages" id="sign-in-languages" aria-label="{label}">{switch}</nav>'


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
    return page(gettext("Printer Inventory — sign in"), "".join(parts), status, heading=gettext("Sign in"))


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
