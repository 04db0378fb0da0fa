"""The monthly report's formulas (docs/reports.md §10.2): K1, K2, a row's A4 / A3 page deltas and the duplicate
group key, the one definition that serves totals, edit restrictions, sync and live-update groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GroupKey = tuple[str, str] | tuple[str, int]


def k1(availability: float | None, downtime: float | None) -> float:
    """K1 = (A − D) / A × 100 with D floored at 0; 0 when A ≤ 0; clamped to [0, 100]."""
    a = float(availability or 0)
    if a <= 0:
        return 0.0
    d = max(float(downtime or 0), 0.0)
    return min(max((a - d) / a * 100.0, 0.0), 100.0)


def k2(on_time: float | None, total: float | None) -> float:
    """K2 = L / W × 100; 0 when W ≤ 0; clamped to [0, 100]."""
    w = float(total or 0)
    if w <= 0:
        return 0.0
    return min(max(float(on_time or 0) / w * 100.0, 0.0), 100.0)


def page_deltas(row: Mapping[str, Any]) -> tuple[int, int]:
    """(a4, a3) pages of a row: end − start of b/w plus colour per format; either may be negative."""

    def delta(name: str) -> int:
        return int(row.get(f"{name}_end") or 0) - int(row.get(f"{name}_start") or 0)

    return delta("a4_bw") + delta("a4_color"), delta("a3_bw") + delta("a3_color")


def fold(text: str | None) -> str:
    """Serial and inventory numbers as the group compares them: trimmed, case-folded."""
    return (text or "").strip().casefold()


def group_key(serial: str | None, inventory: str | None, row_id: int | None) -> GroupKey:
    """The duplicate group of a row within its month: (serial, inventory) folded; a row with neither stands alone
    (docs/reports.md §10.7, decided: such rows are not one big group)."""
    serial_f, inventory_f = fold(serial), fold(inventory)
    if not serial_f and not inventory_f:
        return ("#", int(row_id or 0))
    return (serial_f, inventory_f)


def group_totals(rows: list[Mapping[str, Any]]) -> dict[int, int]:
    """total_prints of each row of ONE group (rows with `id`, `order_number` and the counters): one row -> a4 + a3;
    several -> the first (by order_number, id) its a4, every later one its a3."""
    ordered = sorted(rows, key=lambda row: (int(row.get("order_number") or 0), int(row["id"])))
    if len(ordered) == 1:
        a4, a3 = page_deltas(ordered[0])
        return {int(ordered[0]["id"]): a4 + a3}
    totals = {}
    for position, row in enumerate(ordered):
        a4, a3 = page_deltas(row)
        totals[int(row["id"])] = a4 if position == 0 else a3
    return totals


def group_position(rows: list[Mapping[str, Any]], row_id: int) -> tuple[int, int]:
    """(position of `row_id` within its group ordered by (order_number, id), group size)."""
    ordered = sorted(rows, key=lambda row: (int(row.get("order_number") or 0), int(row["id"])))
    ids = [int(row["id"]) for row in ordered]
    return ids.index(row_id), len(ids)
