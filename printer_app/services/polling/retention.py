"""History retention (docs/inventory-and-polling.md §6.4): polls older than the retention period are thinned to one per
printer per day.

A day is a calendar day of TIME_ZONE, the day every page and report shows, so that a day of a monthly report
keeps the poll it would have shown before the thinning.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.models import InventoryTask
from printer_app.models.base import utcnow
from printer_app.services.days import local_day


def thin_history(session: Session, *, older_than_days: int = 90, tz: ZoneInfo | None = None, batch: int = 5000) -> int:
    """Delete all but the latest poll per printer per local calendar day (`tz`, default TIME_ZONE) among the polls
    of the whole days that ended more than `older_than_days` days ago.

    Counters and supplies go with their poll (ON DELETE CASCADE). Returns how many polls were deleted.
    """
    tz = tz or get_settings().tz
    cutoff = datetime.combine((utcnow() - timedelta(days=older_than_days)).astimezone(tz).date(), time(), tz)
    oldest = session.execute(
        select(func.min(InventoryTask.task_timestamp)).where(InventoryTask.task_timestamp < cutoff)
    ).scalar()
    if oldest is None:
        return 0
    dialect = session.get_bind().dialect.name
    day = local_day(InventoryTask.task_timestamp, tz=tz, dialect=dialect, since=oldest, until=cutoff)
    ranked = (
        select(
            InventoryTask.id,
            func.row_number()
            .over(
                partition_by=(InventoryTask.printer_id, day),
                order_by=(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc()),
            )
            .label("rank"),
        )
        .where(InventoryTask.task_timestamp < cutoff)
        .subquery()
    )
    doomed = [row[0] for row in session.execute(select(ranked.c.id).where(ranked.c.rank > 1)).all()]
    for start in range(0, len(doomed), batch):
        session.execute(delete(InventoryTask).where(InventoryTask.id.in_(doomed[start : start + batch])))
    return len(doomed)
