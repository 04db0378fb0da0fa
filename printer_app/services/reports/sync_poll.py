"""The per-poll sync (DOMAIN 10.6): a successful poll with counters refreshes the month rows of its serial.

Contract of `sync_after_poll` (called by the poll pipeline in a savepoint of the poll's transaction; the pipeline
logs and swallows any error, so it never fails or blocks the poll):
- rows whose serial equals the printer's (trimmed, case-folded) in
  - every month whose control has `edit_until` > now and auto-sync on: the full rule of `sync.plan_row`
    (`*_auto`, end fields unless manual, device IP, last OK time, auto-sync time); end changes logged (source
    auto_sync), the touched duplicate groups recomputed;
  - the current month (local time of the poll) whatever its lock or auto-sync: at least `*_auto`, device IP and
    the last OK time (DOMAIN's hook on every new counter record);
- REPORTS_CHANGED for the changed rows once the poll commits; returns their ids;
- a poll without counters (all None), or a printer without serial, changes nothing.
Cost: when no row has the serial (most polls), one query: the rows are found through the index
`ix_monthlyreport_month_serial_ci` (month, lower(serial_number)) with the months listed (the open months come from
the small MonthControl table in a subquery).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import unicode_lower
from printer_app.models import MonthControl, MonthlyReport
from printer_app.models.base import utcnow
from printer_app.models.choices import ChangeSource
from printer_app.services.reports.change_log import log_changes
from printer_app.services.reports.formulas import group_key, group_position
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.row_edit import announce
from printer_app.services.reports.specs import load_specs, normalise_model
from printer_app.services.reports.sync import ROW_COLUMNS, Reading, counter_changes, plan_row

_T = MonthlyReport.__table__


def current_month(moment: datetime) -> date:
    """The month (first day) `moment` falls in, in the configured time zone."""
    return moment.astimezone(get_settings().tz).date().replace(day=1)


def sync_after_poll(
    session: Session, *, serial: str | None, reading: Reading, now: datetime | None = None
) -> list[int]:
    """Apply a stored successful poll to the month rows of its serial (see the module); the changed rows' ids."""
    folded = (serial or "").strip().lower()
    if not folded or not reading.has_counters:
        return []
    now = now or utcnow()
    this_month = current_month(reading.at)
    open_months = sa.select(MonthControl.month).where(
        MonthControl.edit_until > now, MonthControl.auto_sync_enabled.is_(True)
    )
    months = sa.union(open_months, sa.select(sa.literal(this_month, sa.Date)))
    query = sa.select(*(_T.c[name] for name in ROW_COLUMNS)).where(
        unicode_lower(_T.c.serial_number) == folded, _T.c.month.in_(months)
    )
    rows = [dict(r) for r in session.execute(query).mappings()]
    if not rows:
        return []
    full = set(session.execute(open_months.where(MonthControl.month.in_({r["month"] for r in rows}))).scalars())
    specs = load_specs(session)
    by_group: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        by_group[(row["month"], group_key(row["serial_number"], row["inventory_number"], row["id"]))].append(row)
    changed: dict[date, list[int]] = defaultdict(list)
    touched: dict[date, set] = defaultdict(set)
    changes = []
    for (month, key), members in by_group.items():
        synced = month in full
        for row in members:
            position, size = group_position(members, row["id"])
            new = plan_row(
                row,
                last=reading,
                position=position,
                size=size,
                spec=specs.get(normalise_model(row["equipment_model"])),
                ends=synced,
                now=now if synced else None,
            )
            if not new:
                continue
            session.execute(_T.update().where(_T.c.id == row["id"]).values(**new, updated_at=now))
            changed[month].append(row["id"])
            row_changes = counter_changes(row, new)
            changes += row_changes
            if row_changes:
                touched[month].add(key)
    log_changes(session, changes, source=ChangeSource.AUTO_SYNC.value, at=now)
    for month, ids in changed.items():
        if touched[month]:
            recompute_month(session, month, keys=touched[month])
        announce(session, month, ids)
    return [row_id for ids in changed.values() for row_id in ids]
