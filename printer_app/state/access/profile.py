"""State of the profile page (/profile): the signed-in user's personal API tokens — create, see once, revoke.

Contract: every handler needs only a signed-in user and acts on that user's own tokens (services/access/
api_tokens.py refuses another user's token as "not found"). The secret of a new token is kept in `new_secret`
until the user dismisses it or leaves the page; it is never stored and never shown again.
"""

from __future__ import annotations

import reflex as rx

from printer_app.i18n import N_, gettext
from printer_app.models.base import utcnow
from printer_app.services.access import api_tokens
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.view import local_time

EXPIRY_CHOICES = [
    ("7", N_("7 days")),
    ("30", N_("30 days")),
    ("90", N_("90 days")),
    ("365", N_("1 year")),
    ("0", N_("Never")),
]
STATES = {"active": N_("Active"), "expired": N_("Expired"), "revoked": N_("Revoked")}


class ProfileState(SessionState):
    """The profile page."""

    tokens: list[dict[str, str]] = []  # id, name, prefix, created, expires, last_used, state, state_label
    name: str = ""
    days: str = "90"
    errors: dict[str, str] = {}
    new_secret: str = ""  # the secret of the token just created: shown once
    new_name: str = ""

    @rx.event
    @requires_page()
    async def load(self) -> None:
        self.new_secret, self.new_name, self.errors = "", "", {}
        await self._query()

    async def _query(self) -> None:
        rows = await with_session(api_tokens.list_tokens, user_id=self._user_id)
        now = utcnow()
        self.tokens = [
            {
                "id": str(t.id),
                "name": t.name,
                "prefix": t.prefix + "…",
                "created": local_time(t.created_at),
                "expires": local_time(t.expires_at) if t.expires_at else gettext("Never"),
                "last_used": local_time(t.last_used_at) if t.last_used_at else gettext("Not used yet"),
                "state": t.state(now),
                "state_label": gettext(STATES[t.state(now)]),
            }
            for t in rows
        ]

    @rx.event
    @requires()
    async def set_name(self, value: str) -> None:
        self.name = str(value)[:200]
        self.errors = {k: v for k, v in self.errors.items() if k != "name"}

    @rx.event
    @requires()
    async def set_days(self, value: str) -> None:
        self.days = str(value)[:10]

    @rx.event
    @requires()
    async def create(self):
        """Create the token; its secret is shown once, in this tab only."""

        def make(session):
            _, secret = api_tokens.create_token(session, user_id=self._user_id, name=self.name, days=self.days)
            return secret

        try:
            secret = await with_session(make)
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        self.new_secret, self.new_name, self.name, self.errors = secret, self.name.strip(), "", {}
        await self._query()
        return rx.toast.success(gettext("Token created: copy it now, it is shown only once."))

    @rx.event
    @requires()
    async def dismiss_secret(self) -> None:
        self.new_secret, self.new_name = "", ""

    @rx.event
    @requires()
    async def revoke(self, token_id: str):
        """Revoke one of the user's own tokens: the next request with it is refused (401)."""
        try:
            ident = int(token_id)
            await with_session(api_tokens.revoke_token, user_id=self._user_id, token_id=ident)
        except (TypeError, ValueError, NotFoundError):
            return rx.toast.error(gettext("This token does not exist."))
        await self._query()
        return rx.toast.success(gettext("Token revoked."))
