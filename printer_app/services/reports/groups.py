"""Recomputing a month's computed columns (docs/reports.md §10.2): total_prints by duplicate group, K1 and K2 per
row. Every write path (upload, edits, sync, create-from-contracts) calls `recompute_month` in its own transaction
before committing, so what is stored is always consistent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models import MonthlyReport
from printer_app.services.reports.columns import COUNTER_FIELDS
from printer_app.services.reports.formulas import GroupKey, group_key, group_totals, k1, k2

_T = MonthlyReport.__table__
_READ = [
    _T.c.id,
    _T.c.order_number,
    _T.c.serial_number,
    _T.c.inventory_number,
    *(_T.c[name] for name in COUNTER_FIELDS),
    _T.c.total_prints,
    _T.c.normative_availability,
    _T.c.actual_downtime,
    _T.c.k1,
    _T.c.non_overdue_requests,
    _T.c.total_requests,
    _T.c.k2,
]


def month_groups(session: Session, month: date) -> dict[GroupKey, list[dict[str, Any]]]:
    """The month's rows (as dicts of the columns above) by duplicate group."""
    groups: dict[GroupKey, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(sa.select(*_READ).where(_T.c.month == month)).mappings():
        item = dict(row)
        groups[group_key(item["serial_number"], item["inventory_number"], item["id"])].append(item)
    return groups


def recompute_month(session: Session, month: date, keys: Iterable[GroupKey] | None = None) -> int:
    """Store total_prints, K1 and K2 of the month's rows (only of the groups `keys` when given) where they differ;
    returns how many rows changed. Runs in the caller's transaction (flushes, does not commit)."""
    session.flush()
    wanted = None if keys is None else set(keys)
    changes: list[dict[str, Any]] = []
    for key, rows in month_groups(session, month).items():
        if wanted is not None and key not in wanted:
            continue
        totals = group_totals(rows)
        for row in rows:
            new = {
                "total_prints": totals[row["id"]],
                "k1": round(k1(row["normative_availability"], row["actual_downtime"]), 6),
                "k2": round(k2(row["non_overdue_requests"], row["total_requests"]), 6),
            }
            if any(row[name] != value for name, value in new.items()):
                changes.append({"b_id": row["id"], **new})
    if changes:
        session.execute(
            _T.update()
            .where(_T.c.id == sa.bindparam("b_id"))
            .values(total_prints=sa.bindparam("total_prints"), k1=sa.bindparam("k1"), k2=sa.bindparam("k2")),
            changes,
        )
    return len(changes)
