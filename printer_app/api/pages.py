"""The few plain HTML pages the /auth routes answer with (sign-in form, sign-out button, messages)."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from starlette.responses import HTMLResponse

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;color:#1f2937}"
    "input,button,.sso{display:block;width:100%;box-sizing:border-box;margin:.4rem 0;padding:.6rem;font:inherit}"
    ".sso{text-align:center;background:#2563eb;color:#fff;text-decoration:none;border-radius:.4rem}"
    ".error{color:#b91c1c}.or{text-align:center;color:#6b7280}"
)


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def message_page(title: str, message: str, status: int) -> HTMLResponse:
    link = '<p><a href="/auth/login">Back to sign-in</a></p>'
    return page(title, f'<p class="error" role="alert">{html.escape(message)}</p>{link}', status)


def login_page(
    *, token: str, next_url: str, sso: bool, error: str = "", notice: str = "", status: int = 200
) -> HTMLResponse:
    """The sign-in form (with the SSO button when configured); `token` is the form's CSRF token."""
    esc = html.escape
    parts = [f'<p class="error" role="alert">{esc(error)}</p>' if error else ""]
    parts.append(f'<p class="error" id="notice">{esc(notice)}</p>' if notice else "")
    if sso:
        sso_url = "/auth/oidc/login?" + urlencode({"next": next_url})
        parts.append(f'<a class="sso" href="{esc(sso_url)}">Sign in with SSO</a><p class="or">or</p>')
    parts.append(
        '<form method="post" action="/auth/login">'
        f'<input type="hidden" name="csrf_token" value="{esc(token)}">'
        f'<input type="hidden" name="next" value="{esc(next_url)}">'
        '<label>Username<input name="username" autocomplete="username" required autofocus></label>'
        '<label>Password<input name="password" type="password" autocomplete="current-password" required></label>'
        "<button type=submit>Sign in</button></form>"
    )
    return page("Printer Inventory — sign in", "".join(parts), status)


def logout_page() -> HTMLResponse:
    """What GET /auth/logout shows (an old bookmark, a link): signing out takes this button, a POST."""
    body = (
        "<p>Sign out of Printer Inventory on this browser?</p>"
        '<form method="post" action="/auth/logout"><button type="submit" id="confirm-sign-out">Sign out</button></form>'
        '<p><a href="/">Back to the app</a></p>'
    )
    return page("Sign out", body)
