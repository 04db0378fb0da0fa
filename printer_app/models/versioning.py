"""Optimistic concurrency: the `version` column moves on with every user-visible change, whoever makes it.

A form's save claims the next version with the one it loaded (`claim_next_version`); any other write (the poller
learning a MAC, an import, the CLI) is bumped by the flush listener below. Both are one atomic
`UPDATE ... SET version = version + 1` on the row, so two processes never hand out the same version, and a row is
bumped at most once per transaction. Timestamps, ids and the printer's poll summary are not user-visible changes:
a poll finishing never makes an open edit form stale.

Toggling active (printer, organization, user, whitelist entry) is a user-visible change and bumps the version, so
an edit form opened before it is refused. The toggle buttons themselves set an explicit state and carry no version:
setting a state twice changes nothing, so a click from a stale list loses nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session, attributes

_CLAIMED = "versioned_rows"  # session.info key: the (table, id) bumped in the current transaction
_UNVERSIONED = {
    "id",
    "version",
    "ip_numeric",  # follows ip_address
    "last_updated",
    "last_login",
    "password_hash",  # not shown anywhere
    "language",  # the user's own UI choice: no edit form shows it, so it makes none stale
    "last_poll_status",
    "last_error",
    "last_counter_id",
    "last_match_rule",
}


def is_versioned(obj: object) -> bool:
    table = getattr(type(obj), "__table__", None)
    return table is not None and "version" in table.c


def _visible_change(obj: Any) -> bool:
    """Whether a user-visible column of `obj` differs from what was loaded (equal re-assignments do not count)."""
    for column in type(obj).__table__.c:
        name = column.key
        if name in _UNVERSIONED or name.endswith("_at"):
            continue
        if attributes.get_history(obj, name).has_changes():
            return True
    return False


def claim_next_version(session: Session, obj: Any, expected: int) -> bool:
    """Move the row from version `expected` to the next one; False (nothing written) when it is no longer there.

    Call it before changing the object: on PostgreSQL the UPDATE waits for a concurrent writer of the row and
    then sees its committed version, so exactly one of two saves from the same version wins.
    """
    return _next_version(session, obj, expected) is not None


def _next_version(session: Session, obj: Any, expected: int | None) -> int | None:
    """`UPDATE ... SET version = version + 1 [WHERE version = expected] RETURNING version`, kept on the object."""
    table = type(obj).__table__
    statement = update(table).where(table.c.id == obj.id)
    if expected is not None:
        statement = statement.where(table.c.version == expected)
    statement = statement.values(version=table.c.version + 1).returning(table.c.version)
    new = session.connection().execute(statement).scalar_one_or_none()
    if new is not None:
        attributes.set_committed_value(obj, "version", new)
        session.info.setdefault(_CLAIMED, set()).add((table.name, obj.id))
    return new


@event.listens_for(Session, "before_flush")
def _bump_changed_rows(session: Session, _context, _instances) -> None:
    """Any other write of a user-visible column moves the version on too (unconditionally: nobody to refuse)."""
    claimed = session.info.setdefault(_CLAIMED, set())
    for obj in list(session.dirty):
        if not is_versioned(obj) or obj in session.deleted or (type(obj).__table__.name, obj.id) in claimed:
            continue
        if _visible_change(obj):
            _next_version(session, obj, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_claims(session: Session, _transaction) -> None:
    session.info.pop(_CLAIMED, None)
