"""What a sync from the inventory writes into one month row (docs/reports.md "Sync from inventory", DOMAIN 10.6):
the rule both the per-poll hook (`sync_poll`) and the month sync (`sync_month`) apply, so they cannot drift apart.

Contract of `plan_row` (pure, no I/O): given a row (its counters, `*_auto`, manual flags, device IP, last OK time),
its place in its duplicate group, its model spec and a poll reading (`last`, and for the month sync the first poll of
the period `first`), the columns to change:
- a counter field takes part only if `rules.group_fields(position, size)` and the enforcing spec allow it (a single
  row: all; the first row of several: the A4 pair; later rows: the A3 pair);
- a counter the poll did not read (None) is left alone;
- `*_end_auto` ← the poll's value; the end field ← the same unless its manual flag is set (`ends` False: only the
  auto values, the current-month refresh that ignores locks and auto-sync);
- start fields only from `first` and only while they are 0: a start someone entered is never overwritten;
- `device_ip`, `inventory_last_ok` ← the poll's; `inventory_autosync_at` ← `now` when given.
A poll lower than the stored end is stored as read (the total goes negative and the anomaly mark shows it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from printer_app.services.reports.rules import AUTO_OF, MANUAL_OF, as_utc, group_fields
from printer_app.services.reports.specs import Spec, allowed_fields

POLL_FIELDS = {"a4_bw": "bw_a4", "a4_color": "color_a4", "a3_bw": "bw_a3", "a3_color": "color_a3"}
ROW_COLUMNS = (
    "id",
    "month",
    "order_number",
    "serial_number",
    "inventory_number",
    "equipment_model",
    *(f"{base}_{period}" for base in POLL_FIELDS for period in ("start", "end")),
    *AUTO_OF.values(),
    *MANUAL_OF.values(),
    "device_ip",
    "inventory_last_ok",
    "inventory_autosync_at",
)


@dataclass(frozen=True)
class Reading:
    """One successful poll as the report sees it: when, from which address, and the 4 counters (None: not read)."""

    at: datetime
    ip: str | None
    counters: dict[str, int | None] = field(default_factory=dict)  # a4_bw / a4_color / a3_bw / a3_color

    @property
    def has_counters(self) -> bool:
        return any(value is not None for value in self.counters.values())


def reading_of(counter: Any, *, at: datetime, ip: str | None) -> Reading:
    """A Reading from a PageCounter-like object (attributes bw_a4, color_a4, bw_a3, color_a3)."""
    values = {base: getattr(counter, name) for base, name in POLL_FIELDS.items()}
    return Reading(at=at, ip=ip, counters={k: (int(v) if v is not None else None) for k, v in values.items()})


def plan_row(
    row: Mapping[str, Any],
    *,
    last: Reading,
    position: int,
    size: int,
    spec: Spec | None,
    first: Reading | None = None,
    ends: bool = True,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The columns of `row` this sync changes (only those whose value differs), per the module's contract."""
    allowed = group_fields(position, size) & allowed_fields(spec)
    new: dict[str, Any] = {}
    for base in POLL_FIELDS:
        end, start = f"{base}_end", f"{base}_start"
        value = last.counters.get(base)
        if value is not None and end in allowed:
            new[AUTO_OF[end]] = value
            if ends and not row.get(MANUAL_OF[end]):
                new[end] = value
        if first is not None and start in allowed and not row.get(start):
            first_value = first.counters.get(base)
            if first_value is not None:
                new[start] = first_value
    if last.ip:
        new["device_ip"] = last.ip[:45]
    new["inventory_last_ok"] = last.at
    if now is not None:
        new["inventory_autosync_at"] = now
    return {name: value for name, value in new.items() if not _same(row.get(name), value)}


def counter_changes(row: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[int, str, int | None, int | None]]:
    """The (row id, field, old, new) of the start and end counters `new` changes, for the change log."""
    return [
        (int(row["id"]), name, row.get(name), value)
        for name, value in new.items()
        if name.endswith(("_start", "_end")) and row.get(name) != value
    ]


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return as_utc(old) == as_utc(new)
    return old == new
