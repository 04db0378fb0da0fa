"""The month list (docs/reports.md §10.6 "Month list figures"): one summary per month, computed with a few SQL
aggregates over all months at once (never row by row in Python), so the list stays fast with a year of large months.

Decisions:
- average K1 counts only rows with A > 0, average K2 only rows with W > 0 (a row without SLA input has K = 0 by the
  formula, which would drag the average down for no reason); None when no row qualifies;
- completion: a row is complete when every end field it may hold is non-zero — the model spec's fields
  (`specs.allowed_fields`) within the duplicate-group position's format (first row of several: A4, later rows: A3,
  a group of one: both); a row that may hold no end field at all counts as complete;
- auto-fill potential: rows with a `device_ip`; actual auto-fill: of those, rows without any manual flag and with
  some end field non-zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.db import unicode_lower
from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.columns import END_FIELDS
from printer_app.services.reports.months import is_editable, month_key
from printer_app.services.reports.specs import allowed_fields, load_specs, normalise_model

_T = MonthlyReport.__table__
_MANUAL = [_T.c[f"{name}_manual"] for name in END_FIELDS]
_PLACE_FIELDS = {
    "single": frozenset(END_FIELDS),
    "first": frozenset(f for f in END_FIELDS if f.startswith("a4_")),
    "later": frozenset(f for f in END_FIELDS if f.startswith("a3_")),
}


@dataclass
class MonthSummary:
    """One month as the list shows it; percentages 0–100, None when the month has no row to base them on."""

    month: date
    key: str
    rows: int = 0
    organizations: int = 0
    total_prints: int = 0
    avg_k1: float | None = None
    avg_k2: float | None = None
    completion: float | None = None
    autofill_potential: float | None = None
    autofill_actual: float | None = None
    edit_until: datetime | None = None
    editable: bool = False
    published: bool = False
    auto_sync: bool = True
    metrics: dict[str, int] = field(default_factory=dict)  # the counts behind the percentages


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100.0 / whole, 1) if whole else None


def _figures(session: Session, months: list[date] | None) -> dict[date, dict]:
    """rows, organizations, total prints, K1 / K2 averages and the auto-fill counts per month: one query."""
    has_ip = sa.and_(_T.c.device_ip.is_not(None), _T.c.device_ip != "")
    no_manual = sa.and_(*(col.is_(False) for col in _MANUAL))
    some_end = sa.or_(*(_T.c[name] > 0 for name in END_FIELDS))
    query = sa.select(
        _T.c.month,
        sa.func.count().label("rows"),
        sa.func.count(sa.distinct(sa.case((_T.c.organization != "", _T.c.organization)))).label("organizations"),
        sa.func.coalesce(sa.func.sum(_T.c.total_prints), 0).label("total_prints"),
        sa.func.avg(sa.case((_T.c.normative_availability > 0, _T.c.k1))).label("avg_k1"),
        sa.func.avg(sa.case((_T.c.total_requests > 0, _T.c.k2))).label("avg_k2"),
        sa.func.sum(sa.case((has_ip, 1), else_=0)).label("with_ip"),
        sa.func.sum(sa.case((sa.and_(has_ip, no_manual, some_end), 1), else_=0)).label("actual"),
    ).group_by(_T.c.month)
    if months is not None:
        query = query.where(_T.c.month.in_(months))
    return {row.month: row._asdict() for row in session.execute(query)}


def _complete_rows(session: Session, months: list[date] | None) -> dict[date, int]:
    """Complete rows per month (see the module's decision). SQL counts the rows per (month, model, group position,
    which end fields are non-zero); Python only applies the specs to those few combinations."""
    serial = unicode_lower(sa.func.trim(_T.c.serial_number))
    inventory = unicode_lower(sa.func.trim(_T.c.inventory_number))
    alone = sa.case((sa.and_(serial == "", inventory == ""), _T.c.id), else_=0)  # formulas.group_key: stands alone
    partition = (_T.c.month, serial, inventory, alone)
    filled = [sa.case((_T.c[name] > 0, 1), else_=0).label(name) for name in END_FIELDS]
    ranked = sa.select(
        _T.c.month,
        _T.c.equipment_model,
        *filled,
        sa.func.row_number().over(partition_by=partition, order_by=(_T.c.order_number, _T.c.id)).label("pos"),
        sa.func.count().over(partition_by=partition).label("size"),
    )
    if months is not None:
        ranked = ranked.where(_T.c.month.in_(months))
    ranked = ranked.subquery()
    place = sa.case((ranked.c.size == 1, "single"), (ranked.c.pos == 1, "first"), else_="later").label("place")
    columns = [ranked.c.month, ranked.c.equipment_model, place, *(ranked.c[name] for name in END_FIELDS)]
    query = sa.select(*columns, sa.func.count().label("n")).group_by(*columns)
    specs = load_specs(session)
    complete: dict[date, int] = defaultdict(int)
    for row in session.execute(query):
        mapping = row._mapping
        needed = allowed_fields(specs.get(normalise_model(row.equipment_model))) & _PLACE_FIELDS[row.place]
        if all(mapping[name] for name in needed):
            complete[row.month] += row.n
    return complete


def month_summaries(
    session: Session, months: list[date] | None = None, *, with_metrics: bool = True
) -> list[MonthSummary]:
    """A summary of each month that has rows or a control row (only of `months` when given), newest first.
    Without `with_metrics` the completion query is skipped (the user may not see it)."""
    figures = _figures(session, months)
    control_query = sa.select(MonthControl)
    if months is not None:
        control_query = control_query.where(MonthControl.month.in_(months))
    controls = {c.month: c for c in session.exec(control_query).scalars()}
    complete = _complete_rows(session, months) if with_metrics else {}
    summaries = []
    for month in sorted(set(figures) | set(controls), reverse=True):
        fig, control = figures.get(month, {}), controls.get(month)
        rows = int(fig.get("rows") or 0)
        summary = MonthSummary(
            month=month,
            key=month_key(month),
            rows=rows,
            organizations=int(fig.get("organizations") or 0),
            total_prints=int(fig.get("total_prints") or 0),
            avg_k1=None if fig.get("avg_k1") is None else round(float(fig["avg_k1"]), 2),
            avg_k2=None if fig.get("avg_k2") is None else round(float(fig["avg_k2"]), 2),
            edit_until=control.edit_until if control else None,
            editable=is_editable(control.edit_until) if control else False,
            published=control.is_published if control else False,
            auto_sync=control.auto_sync_enabled if control else True,
        )
        if with_metrics:
            with_ip, actual = int(fig.get("with_ip") or 0), int(fig.get("actual") or 0)
            summary.metrics = {"complete": complete.get(month, 0), "with_ip": with_ip, "actual": actual}
            summary.completion = _percent(complete.get(month, 0), rows)
            summary.autofill_potential = _percent(with_ip, rows)
            summary.autofill_actual = _percent(actual, with_ip)
        summaries.append(summary)
    return summaries


def visible_summaries(session: Session, *, can_manage: bool, with_metrics: bool) -> list[MonthSummary]:
    """The summaries a user may see: published months, or every month with `can_manage_month_visibility`."""
    return [s for s in month_summaries(session, with_metrics=with_metrics) if can_manage or s.published]
