"""Personal API tokens: create (the secret is returned once), list, revoke, and resolve a Bearer secret to its user.

Contract: the secret is `pi_` + 40 URL-safe random characters; only its SHA-256 and its first characters (`prefix`)
are stored. `resolve` answers the token and its active user, or None with the reason (unknown, revoked, expired,
user deactivated, an SSO-only user no longer on the whitelist): every such case is a 401 for the API. A user only
ever lists or revokes their own tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import ApiToken, User
from printer_app.models.base import utcnow
from printer_app.services.access.auth import active_whitelist_entry
from printer_app.services.errors import DomainValidationError, NotFoundError

SECRET_PREFIX = "pi_"
PREFIX_SHOWN = 10  # "pi_" and 7 random characters: enough to tell a user's tokens apart, useless to guess
NAME_MAX = 100
EXPIRY_DAYS = (0, 7, 30, 90, 365)  # 0: never expires
MAX_TOKENS = 50  # live tokens per user
_USED_EVERY = timedelta(minutes=1)  # last_used_at is a hint: not worth a write on every request


@dataclass(frozen=True)
class TokenView:
    """A token as its owner sees it in the list (never the secret)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """active | expired | revoked."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, *, user_id: int, name: str, days: int | str, now: datetime | None = None):
    """A new token of this user: returns (its row, the secret). The caller commits; the secret is never stored."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = gettext("Give the token a name (what uses it)")
    elif len(name) > NAME_MAX:
        errors["name"] = gettext("The name is too long (at most {n} characters)", n=NAME_MAX)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = -1
    if days not in EXPIRY_DAYS:
        errors["days"] = gettext("Choose an expiry from the list")
    live = [t for t in list_tokens(session, user_id=user_id) if t.state(now) == "active"]
    if len(live) >= MAX_TOKENS:
        errors["form"] = gettext("You have {n} active tokens; revoke one first", n=len(live))
    if errors:
        raise DomainValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:PREFIX_SHOWN],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, *, user_id: int) -> list[TokenView]:
    """This user's tokens, newest first (revoked and expired ones too, marked by their dates)."""
    rows = session.exec(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())).all()
    return [TokenView(t.id, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at) for t in rows]


def revoke_token(session: Session, *, user_id: int, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke one of this user's tokens (another user's token is "not found"); revoking twice changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFoundError(gettext("Token #{id} does not exist", id=token_id))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    return token


def resolve(session: Session, secret: str, *, now: datetime | None = None) -> tuple[ApiToken | None, User | None, str]:
    """The token of a Bearer secret and its user, or (None, None, reason); marks it used. The caller commits."""
    now = now or utcnow()
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None, None, "unknown"
    row = session.exec(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_secret(secret))
    ).first()
    if row is None:
        return None, None, "unknown"
    token, user = row
    if token.revoked_at is not None:
        return None, None, "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return None, None, "expired"
    if not user.is_active:
        return None, None, "inactive"
    sso_only = user.password_hash is None and not (user.is_staff or user.is_superuser)
    if sso_only and active_whitelist_entry(session, user.username) is None:
        return None, None, "delisted"  # taken off the whitelist: their tokens go with their sessions
    if token.last_used_at is None or now - token.last_used_at > _USED_EVERY:
        token.last_used_at = now
    return token, user, ""
