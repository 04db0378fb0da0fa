"""Slow password guessing down without letting strangers lock anyone out.

Failed local sign-ins are counted per (account, address) pair and, with a larger budget, per address. Past its
budget a key must wait before its next attempt: LOGIN_SLOWDOWN_SECONDS, doubling with every further failure, at
most LOGIN_FAILURE_WINDOW_MINUTES. A quiet window forgets a key's failures and a successful sign-in forgets its
pair, so failures at one address never hold the same account back at another.

Every attempt reserves its slot before its password is checked, in a transaction of its own whose first statement
writes the rows it is counted on: SQLite takes its write lock there, PostgreSQL locks the rows (in key order, so
two attempts never wait for each other crosswise). Parallel attempts, in any number of processes, queue there.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, delete, select

from printer_app.config import Settings
from printer_app.i18n import gettext, ngettext
from printer_app.models import LoginThrottle
from printer_app.models.base import utcnow

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _budgets(username: str, address: str | None, settings: Settings) -> dict[str, int]:
    """The keys one attempt counts on, with their budgets of failures before it slows down."""
    address = (address or "unknown")[:45]
    return {
        f"account:{username}|{address}": settings.login_failures_per_account,
        f"address:{address}": settings.login_failures_per_address,
    }


def _delay(failures: int, budget: int, settings: Settings) -> timedelta | None:
    if failures < budget:
        return None
    seconds = settings.login_slowdown_seconds * 2 ** min(failures - budget, 20)
    return min(timedelta(seconds=seconds), timedelta(minutes=settings.login_failure_window_minutes))


def _locked_rows(session: Session, keys: list[str], now: datetime) -> list[LoginThrottle]:
    """Create the missing rows, then lock all of them (the insert comes first: it takes SQLite's write lock)."""
    insert = _INSERTS[session.get_bind().dialect.name](LoginThrottle)
    session.exec(
        insert.values([{"key": key, "failures": 0, "last_failure_at": now} for key in keys]).on_conflict_do_nothing(
            index_elements=["key"]
        )
    )
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key).with_for_update()
    return list(session.exec(query).all())


def reserve_attempt(
    session: Session, *, username: str, address: str | None, settings: Settings, now: datetime | None = None
) -> int | None:
    """Count a sign-in attempt as failed before its password is checked: None if it may go on, else seconds to wait.

    Call it in a session of its own and commit at once, so that parallel attempts see this one.
    """
    budgets = _budgets(username, address, settings)
    rows = _locked_rows(session, sorted(budgets), now or utcnow())
    now = now or utcnow()  # read after the lock: an attempt that waited for it is measured from when it got it
    window = timedelta(minutes=settings.login_failure_window_minutes)
    for row in rows:
        if row.failures and now - row.last_failure_at >= window:
            row.failures, row.blocked_until = 0, None
    waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until and row.blocked_until > now]
    if waits:
        return math.ceil(max(waits))
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
        delay = _delay(row.failures, budgets[row.key], settings)
        row.blocked_until = now + delay if delay else None
    return None


def release_attempt(session: Session, *, username: str, address: str | None, settings: Settings) -> None:
    """The password was right: forget the pair's failures and give the address back the slot it reserved."""
    (pair_key, _), (address_key, address_budget) = sorted(_budgets(username, address, settings).items())
    session.exec(delete(LoginThrottle).where(LoginThrottle.key == pair_key))
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key == address_key).with_for_update()).first()
    if row is not None:
        row.failures = max(0, row.failures - 1)
        if row.failures < address_budget:
            row.blocked_until = None


def wait_message(seconds: int) -> str:
    """What the sign-in page says to an attempt that must wait."""
    if seconds < 120:
        wait = ngettext("{n} second", "{n} seconds", seconds)
    else:
        wait = ngettext("{n} minute", "{n} minutes", math.ceil(seconds / 60))
    return gettext("Too many failed sign-ins from this address; try again in {wait}.", wait=wait)


def purge_login_throttle(session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Delete the keys that have been quiet for a whole window (their failures are forgotten anyway)."""
    horizon = (now or utcnow()) - timedelta(minutes=settings.login_failure_window_minutes)
    return session.exec(delete(LoginThrottle).where(LoginThrottle.last_failure_at < horizon)).rowcount
