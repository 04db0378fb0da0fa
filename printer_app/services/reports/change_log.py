"""The per-field counter change log of month rows (docs/reports.md §10.1 CounterChangeLog): who, when, which
counter, old -> new, from where (manual edit, Excel upload, inventory sync, revert). A change to the same value is
not logged. Every writer of counters (edit, reset, revert, sync) logs through `log_changes` in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from printer_app.models import CounterChangeLog
from printer_app.models.base import utcnow
from printer_app.models.choices import ChangeSource
from printer_app.services.audit import Actor
from printer_app.services.reports.columns import COUNTER_FIELDS

Change = tuple[int, str, int | None, int | None]  # (report id, counter field, old, new)


def log_changes(
    session: Session,
    changes: Iterable[Change],
    *,
    source: str = ChangeSource.MANUAL.value,
    actor: Actor | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> int:
    """Add one CounterChangeLog line per real change (old != new) of a counter field; returns how many.
    Flushes nothing; the caller's transaction commits the lines with the values."""
    at = at or utcnow()
    actor = actor or Actor()
    count = 0
    for report_id, field, old, new in changes:
        if field not in COUNTER_FIELDS or old == new:
            continue
        session.add(
            CounterChangeLog(
                report_id=report_id,
                user_id=actor.user_id,
                field_name=field,
                old_value=old,
                new_value=new,
                timestamp=at,
                ip_address=(actor.ip or None) and str(actor.ip)[:45],
                user_agent=(actor.user_agent or "")[:500],
                change_source=str(source),
                comment=comment[:2000],
            )
        )
        count += 1
    return count
