"""History retention (DOMAIN 6): polls older than the retention period are thinned to one per printer per day."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session

from printer_app.models import InventoryTask
from printer_app.models.base import utcnow


def thin_history(session: Session, *, older_than_days: int = 90, batch: int = 5000) -> int:
    """Delete all but the latest poll per printer per UTC calendar day among polls older than the cut-off.

    Counters and supplies go with their poll (ON DELETE CASCADE). Returns how many polls were deleted.
    """
    cutoff = utcnow() - timedelta(days=older_than_days)
    day = func.date(InventoryTask.task_timestamp)
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
