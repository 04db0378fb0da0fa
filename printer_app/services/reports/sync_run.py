"""The bookkeeping of a month sync run (docs/reports.md "Sync from inventory"), apart from the sync itself
(`sync_month`): who may start one, how it is reserved before a worker takes it, and what every tab hears of it.

- `check_month` refuses a month that does not exist, is closed or has auto-sync off (SyncRefused, its message
  shown to the user as is); `reserve` also takes the month's lock (`sync_lock`) for the run a job is about to queue
  and returns its token, `cancel` frees it when the queueing failed;
- `Reporter` publishes REPORT_SYNC_PROGRESS {"month", "done", "total", "status", "stats"} and keeps the latest beside
  the lock; it gathers the written rows and announces them (REPORTS_CHANGED) at most every ANNOUNCE_EVERY_S;
- `running_progress` is what a tab opened mid-run shows (None when no run holds the lock);
- `SyncStats` is the stats object (the CLI's `--json` prints exactly its keys).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from printer_app.db import session_scope
from printer_app.i18n import N_, gettext
from printer_app.services import events
from printer_app.services.reports import sync_lock
from printer_app.services.reports.months import is_editable, month_key
from printer_app.services.reports.visibility import month_control

ANNOUNCE_EVERY_S = 2.0
RUNNING = N_("a sync of this month is already running")
Progress = Callable[[dict[str, Any]], None]


class SyncRefused(Exception):
    """The month cannot be synced now; the message says why (shown to the user as is)."""


@dataclass
class SyncStats:
    """What a month sync did (the CLI's `--json` prints exactly these keys)."""

    updated_rows: int = 0
    groups_recomputed: int = 0
    skipped_serials: list[dict[str, str]] = field(default_factory=list)
    duplicate_groups: int = 0
    errors: list[str] = field(default_factory=list)


def check_month(session: Session, month: date) -> None:
    """SyncRefused unless the month exists, is open for editing and has auto-sync on."""
    control = month_control(session, month)
    key = month_key(month)
    if control is None:
        raise SyncRefused(gettext("Month {month} does not exist.", month=key))
    if not is_editable(control.edit_until):
        raise SyncRefused(gettext("Month {month} is closed for editing: it cannot be synced.", month=key))
    if not control.auto_sync_enabled:
        raise SyncRefused(gettext("Auto-sync is off for month {month}.", month=key))


def reserve(month: date) -> str:
    """Take the month's lock for a run about to be queued and show it as starting in every tab; returns the run's
    token (the worker's `sync_month` claims the lock again with it). SyncRefused like `sync_month`."""
    token = uuid.uuid4().hex
    with session_scope() as session:
        check_month(session, month)
    if not sync_lock.claim(month_key(month), token):
        raise SyncRefused(gettext(RUNNING))
    Reporter(month_key(month), None)(0, 0, "running", SyncStats())
    return token


def cancel(month: date, token: str) -> None:
    """Free a reserved run that could not be queued, and tell the tabs."""
    sync_lock.release(month_key(month), token)
    Reporter(month_key(month), None)(0, 0, "failed", SyncStats())


def running_progress(month: date) -> dict[str, Any] | None:
    """The progress of the month's sync running now (None when none runs): what a tab opened mid-run shows."""
    key = month_key(month)
    if sync_lock.holder(key) is None:
        return None
    found = sync_lock.progress(key)
    if found is None or found.get("status") != "running":
        return {"month": key, "done": 0, "total": 0, "status": "running", "stats": asdict(SyncStats())}
    return found


class Reporter:
    """Publishes the progress (REPORT_SYNC_PROGRESS) to every tab and keeps the latest for tabs opened later; and
    the changed rows (REPORTS_CHANGED, after their chunk committed) at most every ANNOUNCE_EVERY_S and at the end:
    every open month table re-reads its page on it, so one re-read per chunk would keep them busy all run long."""

    def __init__(self, key: str, callback: Progress | None) -> None:
        self.key, self.callback = key, callback
        self.pending: list[int] = []
        self.announced_at = time.monotonic()

    def changed(self, row_ids: list[int]) -> None:
        self.pending += row_ids
        if time.monotonic() - self.announced_at >= ANNOUNCE_EVERY_S:
            self.announce()

    def announce(self) -> None:
        if self.pending:
            payload = {"month": self.key, "row_ids": self.pending}
            events.publish(
                events.REPORTS_CHANGED, payload if len(self.pending) <= 1000 else {"month": self.key, "all": True}
            )
        self.pending, self.announced_at = [], time.monotonic()

    def __call__(self, done: int, total: int, status: str, stats: SyncStats, error: str = "") -> None:
        payload = {"month": self.key, "done": done, "total": total, "status": status, "stats": asdict(stats)}
        if error:
            payload["error"] = error
        sync_lock.save_progress(self.key, payload)
        events.publish(events.REPORT_SYNC_PROGRESS, payload)
        if self.callback is not None:
            self.callback(payload)
