"""Authentication: passwords, rate-limited local sign-in, OIDC sign-in through the whitelist, revocable sessions."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, update
from sqlmodel import Session, delete, select

from printer_app.config import Settings, get_settings
from printer_app.i18n import gettext
from printer_app.models import AllowedUser, Group, User, UserGroup, UserSession
from printer_app.models.base import utcnow
from printer_app.services.access.roles import DEFAULT_GROUP, find_groups
from printer_app.services.audit import flag_change, record_change
from printer_app.services.errors import DomainValidationError

SESSION_COOKIE = "pi_session"
MIN_PASSWORD_LENGTH = 10
LOCAL, OIDC = "local", "oidc"
_USERNAME_CLAIMS = ("preferred_username", "sub", "email", "name")
_SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is a hint, not worth a write on every request
_hasher = PasswordHasher()
log = logging.getLogger(__name__)


class AccessDenied(PermissionError):
    """Sign-in refused for a reason the user may read (not on the whitelist, account disabled)."""


# --- passwords -------------------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash (argon2-cffi's current defaults)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Does the password match? A missing hash still costs one verification, so timing hides unknown users."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password_strength(password: str, *, username: str = "") -> None:
    """Local passwords: at least 10 characters and not the username."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        message = gettext("Password must be at least {n} characters", n=MIN_PASSWORD_LENGTH)
        raise DomainValidationError({"password": message})
    if username and password.strip().lower() == username.lower():
        raise DomainValidationError({"password": gettext("Password must differ from the username")})


# --- usernames -------------------------------------------------------------------------------------------------


def normalize_username(value: str) -> str:
    """docs/access.md §11: lower-cased, "@" and "." become "_", at most 150 characters."""
    return (value or "").strip().lower().replace("@", "_").replace(".", "_")[:150]


def derive_username(claims: Mapping[str, object]) -> str:
    """The username for OIDC claims: the first non-empty of preferred_username, sub, email, name, normalized."""
    for claim in _USERNAME_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return normalize_username(value)
    return ""


# --- local sign-in ---------------------------------------------------------------------------------------------


@dataclass
class LoginOutcome:
    """The result of a local password check: the user, or a message to show."""

    user: User | None = None
    error: str = ""


def authenticate_local(session: Session, username: str, password: str) -> LoginOutcome:
    """Check a username and password (rate limiting is login_throttle's, before this check).

    A wrong password, an unknown user and a disabled account get the same answer after the same work.
    """
    name = normalize_username(username)
    user = session.exec(select(User).where(func.lower(User.username) == name)).first() if name else None
    if not verify_password(user.password_hash if user else None, password or "") or not user.is_active:
        return LoginOutcome(error=gettext("Wrong username or password."))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login = utcnow()
    return LoginOutcome(user=user)


def create_local_user(
    session: Session,
    *,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    is_superuser: bool = False,
    actor_id: int | None = None,
) -> User:
    """A user who signs in with a password (the first admin, or sites without SSO); audited."""
    name = normalize_username(username)
    if not name:
        raise DomainValidationError({"username": gettext("Username is required")})
    check_password_strength(password, username=name)
    if session.exec(select(User).where(func.lower(User.username) == name)).first():
        raise DomainValidationError({"username": gettext("User '{name}' already exists", name=name)})
    user = User(
        username=name,
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        is_staff=is_superuser,
        is_superuser=is_superuser,
        language=get_settings().default_language,
    )
    session.add(user)
    session.flush()
    record_change(session, obj=user, action="create", user_id=actor_id)
    return user


# --- OIDC sign-in ----------------------------------------------------------------------------------------------


def active_whitelist_entry(session: Session, username: str) -> AllowedUser | None:
    """The active whitelist entry for a username (ignoring case), if any."""
    query = select(AllowedUser).where(func.lower(AllowedUser.username) == username.lower(), AllowedUser.is_active)
    return session.exec(query).first()


def login_oidc_user(session: Session, claims: Mapping[str, object]) -> User:
    """The user for verified OIDC claims, created on first sign-in; only active whitelist entries get in.

    A delisted user who tries is deactivated (staff keep their account for local sign-in). Raises AccessDenied.
    """
    username = derive_username(claims)
    if not username:
        raise AccessDenied(gettext("The identity provider sent no usable username."))
    user = session.exec(select(User).where(func.lower(User.username) == username)).first()
    entry = active_whitelist_entry(session, username)
    if entry is None:
        if user is not None and user.is_active and not (user.is_staff or user.is_superuser):
            user.is_active = False
            end_user_sessions(session, user.id)
            record_change(
                session, obj=user, action="update", user_id=None, changes=flag_change("is_active", True, False)
            )
        raise AccessDenied(gettext("The account '{name}' is not allowed to use this application.", name=username))
    if user is None:
        user = User(username=username, language=get_settings().default_language)
        session.add(user)
        session.flush()
        groups = find_groups(session, entry.initial_groups or [], strict=False)
        session.add_all(UserGroup(user_id=user.id, group_id=g.id) for g in groups or _default_groups(session))
        _update_profile(user, claims, entry)
        record_change(session, obj=user, action="create", user_id=None)
    elif not user.is_active:
        raise AccessDenied(gettext("The account '{name}' is disabled.", name=username))
    else:
        _update_profile(user, claims, entry)
        if not session.exec(select(UserGroup).where(UserGroup.user_id == user.id)).first():
            session.add_all(UserGroup(user_id=user.id, group_id=g.id) for g in _default_groups(session))
    user.last_login = utcnow()
    session.flush()
    return user


def _default_groups(session: Session) -> list[Group]:
    groups = find_groups(session, [DEFAULT_GROUP], strict=False)
    if not groups:
        log.warning("Default group %r is missing: run `python -m printer_app roles bootstrap`", DEFAULT_GROUP)
    return groups


def _update_profile(user: User, claims: Mapping[str, object], entry: AllowedUser) -> None:
    full_name = claims.get("name") or " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name")).strip()
    user.email = str(claims.get("email") or user.email or entry.email)[:254]
    user.full_name = str(full_name or user.full_name or entry.full_name)[:200]


# --- sessions --------------------------------------------------------------------------------------------------


def _token_id(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def create_session(
    session: Session,
    *,
    user: User,
    auth_method: str,
    ip: str | None = None,
    user_agent: str = "",
    id_token: str | None = None,
    settings: Settings | None = None,
) -> str:
    """Start a session for the user; returns the raw token for the cookie (only its hash is stored)."""
    settings = settings or get_settings()
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            id=_token_id(raw),
            user_id=user.id,
            auth_method=auth_method,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_lifetime_days),
            ip_address=ip[:45] if ip else None,
            user_agent=(user_agent or "")[:500],
            id_token=id_token,
        )
    )
    session.flush()
    return raw


def resolve_session(session: Session, raw_token: str | None) -> User | None:
    """The signed-in user, or None (revoking the session) when it expired, was revoked, or the user lost access.

    Non-staff OIDC users must still be on the active whitelist: removal signs them out at their next request.
    The caller commits (revocation and last_seen_at are written).
    """
    if not raw_token:
        return None
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == _token_id(raw_token))
    ).first()
    if row is None or row[0].revoked_at is not None:
        return None
    user_session, user = row
    now = utcnow()
    delisted = (
        user_session.auth_method == OIDC
        and not (user.is_staff or user.is_superuser)
        and active_whitelist_entry(session, user.username) is None
    )
    if user_session.expires_at <= now or not user.is_active or delisted:
        user_session.revoked_at = now
        return None
    if now - user_session.last_seen_at > _SEEN_EVERY:
        user_session.last_seen_at = now
    return user


def end_session(session: Session, raw_token: str | None) -> UserSession | None:
    """Sign out: revoke the session; returns it (its id_token serves the provider's logout) or None."""
    if not raw_token:
        return None
    user_session = session.get(UserSession, _token_id(raw_token))
    if user_session is not None and user_session.revoked_at is None:
        user_session.revoked_at = utcnow()
    return user_session


def end_user_sessions(session: Session, user_id: int, *, auth_method: str | None = None) -> int:
    """Revoke every open session of a user (optionally only those of one sign-in method); returns how many."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if auth_method:
        query = query.where(UserSession.auth_method == auth_method)
    return session.exec(query.values(revoked_at=utcnow())).rowcount


def purge_sessions(session: Session, *, older_than_days: int = 30) -> int:
    """Delete sessions that expired or were revoked more than `older_than_days` ago; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    query = delete(UserSession).where((UserSession.expires_at < cutoff) | (UserSession.revoked_at < cutoff))
    return session.exec(query).rowcount


# --- the session cookie ----------------------------------------------------------------------------------------


class SessionCookie:
    """Signs the raw session token for the `pi_session` cookie; a tampered or too old value reads as None."""

    def __init__(self, settings: Settings | None = None):
        settings = settings or get_settings()
        self.max_age = settings.session_lifetime_days * 86400
        self._serializer = URLSafeTimedSerializer(settings.resolved_secret_key(), salt="pi-session")

    def sign(self, raw_token: str) -> str:
        return self._serializer.dumps(raw_token)

    def unsign(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            raw = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        return raw if isinstance(raw, str) else None

    def token_from_header(self, cookie_header: str | None) -> str | None:
        """The raw token from a Cookie header (what a Reflex state sees in `self.router.headers.cookie`)."""
        try:
            morsel = SimpleCookie(cookie_header or "").get(SESSION_COOKIE)
        except CookieError:
            return None
        return self.unsign(morsel.value if morsel else None)


def user_from_cookie_header(
    session: Session, cookie_header: str | None, *, settings: Settings | None = None
) -> User | None:
    """The signed-in user for a request's Cookie header, or None (for page loads and state event handlers)."""
    return resolve_session(session, SessionCookie(settings).token_from_header(cookie_header))
