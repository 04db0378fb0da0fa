"""Which counters of a month row a user may edit, and why not (docs/reports.md §10.5, issue #17).

The allowed set = the month is editable ∩ permission (`edit_counters_start` → the 4 start fields,
`edit_counters_end` → the 4 end fields) ∩ duplicate-group position (first row of a group of several → A4 fields,
later rows → A3 fields) ∩ the model spec's fields, minus the end fields when the row is auto-locked.

Auto-lock of the end fields, first match wins:
1. the user has `override_auto_lock` → unlocked;
2. an active (not expired) SerialEditOverride of the serial → its flag (True unlocks, False locks);
3. the model spec allows manual edit → unlocked;
4. the last successful inventory poll is at most AUTO_LOCK_FRESHNESS_DAYS (7) old and any `*_end_auto` > 0 → locked;
5. otherwise unlocked.

`field_locks` gives, per counter field, None (editable) or the reason shown on hover; the first failing rule in the
order above names the reason. The group key and position come from `formulas` (THE duplicate group).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.i18n import gettext, ngettext
from printer_app.models import SerialEditOverride
from printer_app.models.base import utcnow
from printer_app.services.reports.columns import COUNTER_FIELDS, END_FIELDS, START_FIELDS
from printer_app.services.reports.formulas import fold
from printer_app.services.reports.specs import Spec, allowed_fields

EDIT_START = "monthly_report.edit_counters_start"
EDIT_END = "monthly_report.edit_counters_end"
OVERRIDE_LOCK = "monthly_report.override_auto_lock"
A4_FIELDS = frozenset(name for name in COUNTER_FIELDS if name.startswith("a4_"))
A3_FIELDS = frozenset(name for name in COUNTER_FIELDS if name.startswith("a3_"))
AUTO_OF = {name: f"{name}_auto" for name in END_FIELDS}  # a4_bw_end -> a4_bw_end_auto
MANUAL_OF = {name: f"{name}_manual" for name in END_FIELDS}  # a4_bw_end -> a4_bw_end_manual


@dataclass(frozen=True)
class Override:
    """An active SerialEditOverride: True unlocks the end fields, False locks them."""

    allow_manual_edit: bool
    expires_at: datetime | None
    reason: str


@dataclass(frozen=True)
class Lock:
    """The auto-lock verdict of a row's end fields and the words that explain it."""

    locked: bool
    reason: str


def group_fields(position: int, size: int) -> frozenset[str]:
    """The counters a row's place in its duplicate group allows: all for a single row, A4 for the first of
    several, A3 for every later one. The same split serves editing and sync."""
    if size <= 1:
        return frozenset(COUNTER_FIELDS)
    return A4_FIELDS if position == 0 else A3_FIELDS


def active_overrides(session: Session, serials: Collection[str] | None = None, now: datetime | None = None):
    """{folded serial: Override} of the overrides not expired at `now` (of `serials` when given)."""
    now = now or utcnow()
    wanted = None if serials is None else {fold(s) for s in serials if fold(s)}
    found: dict[str, Override] = {}
    for row in session.exec(select(SerialEditOverride)).all():
        key = fold(row.serial)
        if not key or (wanted is not None and key not in wanted):
            continue
        if row.expires_at is not None and as_utc(row.expires_at) <= now:
            continue
        found[key] = Override(row.allow_manual_edit, row.expires_at, row.reason or "")
    return found


def auto_lock(
    row: Mapping,
    *,
    permissions: Collection[str],
    spec: Spec | None,
    override: Override | None,
    now: datetime | None = None,
) -> Lock:
    """Whether the row's end fields are auto-locked for this user, by the precedence of the module docstring.
    `row` needs `inventory_last_ok` and the four `*_end_auto` values."""
    if OVERRIDE_LOCK in permissions:
        return Lock(False, "")
    if override is not None:
        if override.allow_manual_edit:
            return Lock(False, "")
        reason = override.reason.strip() or gettext("no reason given")
        return Lock(True, gettext("Locked for this serial number by an override: {reason}", reason=reason))
    if spec is not None and spec.allow_manual_edit:
        return Lock(False, "")
    last_ok = row.get("inventory_last_ok")
    now = now or utcnow()
    fresh = last_ok is not None and now - as_utc(last_ok) <= timedelta(days=get_settings().auto_lock_freshness_days)
    if fresh and any(int(row.get(auto) or 0) > 0 for auto in AUTO_OF.values()):
        return Lock(True, gettext("Auto-filled from the inventory {age}", age=_age(now - as_utc(last_ok))))
    return Lock(False, "")


def field_locks(
    row: Mapping,
    *,
    month_editable: bool,
    closed_reason: str,
    permissions: Collection[str],
    position: int,
    size: int,
    spec: Spec | None,
    override: Override | None,
    now: datetime | None = None,
) -> dict[str, str | None]:
    """{counter field: None when this user may edit it now, else the reason} for the 8 counters of `row`."""
    by_group = group_fields(position, size)
    by_spec = allowed_fields(spec)
    lock = auto_lock(row, permissions=permissions, spec=spec, override=override, now=now)
    out: dict[str, str | None] = {}
    for name in COUNTER_FIELDS:
        end = name in END_FIELDS
        if not month_editable:
            out[name] = closed_reason or gettext("The month is closed for editing.")
        elif name in START_FIELDS and EDIT_START not in permissions:
            out[name] = gettext("You may not edit start counters.")
        elif end and EDIT_END not in permissions:
            out[name] = gettext("You may not edit end counters.")
        elif name not in by_group:
            out[name] = (
                gettext("A3 fields belong to the later rows of this duplicate group.")
                if name in A3_FIELDS
                else gettext("A4 fields belong to the first row of this duplicate group.")
            )
        elif name not in by_spec:
            out[name] = gettext("The model {model} has no such counter.", model=spec.model_name if spec else "")
        elif end and lock.locked:
            out[name] = lock.reason
        else:
            out[name] = None
    return out


def allowed_set(locks: Mapping[str, str | None]) -> frozenset[str]:
    """The fields of `field_locks` that are editable."""
    return frozenset(name for name, reason in locks.items() if reason is None)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (a naive one is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _age(delta: timedelta) -> str:
    """ "today", "1 day ago", "3 days ago" (translated, with the language's plural forms)."""
    days = max(0, delta.days)
    if days == 0:
        return gettext("today")
    return ngettext("{n} day ago", "{n} days ago", days)
