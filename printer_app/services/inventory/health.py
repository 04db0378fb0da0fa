"""Where each printer stands by its polls: one definition for the dashboard tiles and the printers list filter.

An active printer is in exactly one group, so the dashboard's tiles add up to the active count:
- ``ok24h``: its last poll succeeded, within the last 24 hours;
- ``stale``: its last poll succeeded, but more than 24 hours ago (nothing polled it since);
- ``failing``: its last poll failed (no answer, a validation error or a history inconsistency);
- ``never``: it was never polled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_

from printer_app.models import Printer
from printer_app.models.choices import TaskStatus

FAILING = (TaskStatus.FAILED, TaskStatus.VALIDATION_ERROR, TaskStatus.HISTORICAL_INCONSISTENCY)
FRESH = timedelta(hours=24)
GROUPS = ("ok24h", "stale", "failing", "never")


def in_group(group: str, *, now: datetime) -> ColumnElement[bool]:
    """SQL condition: the printer is in `group` (one of GROUPS) at `now`."""
    since = now - FRESH
    succeeded = Printer.last_poll_status == TaskStatus.SUCCESS
    if group == "ok24h":
        return and_(succeeded, Printer.last_poll_at >= since)
    if group == "stale":
        return and_(succeeded, Printer.last_poll_at < since)
    if group == "failing":
        return Printer.last_poll_status.in_(FAILING)
    if group == "never":
        return Printer.last_poll_status.is_(None)
    raise ValueError(f"unknown printer group {group!r}")
