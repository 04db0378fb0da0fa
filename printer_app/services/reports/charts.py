"""SLA and volume figures of the monthly report for the charts page and the dashboard card (docs/reports.md,
"Charts"). The figures come from aggregate queries (GROUP BY month, organization), not from the rows, so 12 months
x 5,000 rows stay under half a second (bench/monthly_report.py).

- K1 / K2 of an organization in a month: the average of its rows' stored K1 over the rows with A > 0, of K2 over
  the rows with W > 0; None ("no data") when there are none.
- Printed pages: end − start of each counter pair, summed per month and organization, under the duplicate-group
  rule of `total_prints` (§10.2, `formulas.group_key` / `group_position`): a group of one row counts all its pairs;
  in a group of several the first row (by order number, id) counts its A4 pairs, every later row its A3 pairs. The
  plain sums come from SQL; the groups of several rows are found by a GROUP BY on the serial and inventory number
  trimmed and lower-cased (`db.unicode_lower`), then regrouped by `formulas.group_key` itself and subtracted.
- Worst devices: the rows of one month with the lowest K1 among those with A > 0.
Only months the user may see count (`visibility.visible_months`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.db import unicode_lower
from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.formulas import group_key, group_position
from printer_app.services.reports.visibility import visible_months

_T = MonthlyReport.__table__
DEFAULT_MONTHS = 12
MAX_MONTHS = 36  # a wider range is cut to its newest months: the charts stay readable and quick
WORST_LIMIT = 10
VOLUME_KINDS = ("a4_bw", "a4_color", "a3_bw", "a3_color")


@dataclass(frozen=True)
class SlaFigure:
    """K1 / K2 averages of one organization in one month (None: no row with A > 0, resp. W > 0)."""

    month: date
    organization: str
    k1: float | None
    k1_rows: int
    k2: float | None
    k2_rows: int
    rows: int


@dataclass(frozen=True)
class VolumeFigure:
    """Pages printed by one organization in one month, split by format and colour mode."""

    month: date
    organization: str
    a4_bw: int
    a4_color: int
    a3_bw: int
    a3_color: int

    @property
    def total(self) -> int:
        return self.a4_bw + self.a4_color + self.a3_bw + self.a3_color


@dataclass(frozen=True)
class WorstDevice:
    """A row of the month with a low K1 (A > 0)."""

    id: int
    serial: str
    model: str
    organization: str
    address: str
    k1: float
    availability: float
    downtime: float


@dataclass
class Charts:
    """Everything the charts page shows for one choice of filters."""

    months: list[date]  # the months shown, oldest first
    available: list[date]  # every month the user may see, newest first (the range's choices)
    organizations: list[str]  # the organizations of those months (the filter's choices)
    sla: list[SlaFigure] = field(default_factory=list)
    volumes: list[VolumeFigure] = field(default_factory=list)
    worst_month: date | None = None
    worst: list[WorstDevice] = field(default_factory=list)


def chart_months(
    session: Session, *, can_manage: bool, month_from: date | None = None, month_to: date | None = None
) -> list[date]:
    """The visible months between `month_from` and `month_to` (either open), at most MAX_MONTHS of the newest,
    oldest first; without a range the DEFAULT_MONTHS newest months that exist."""
    return _pick(visible_months(session, can_manage=can_manage), month_from, month_to)


def _pick(months: list[date], month_from: date | None, month_to: date | None) -> list[date]:
    if month_from is None and month_to is None:
        return sorted(months[:DEFAULT_MONTHS])
    chosen = [m for m in months if (month_from is None or m >= month_from) and (month_to is None or m <= month_to)]
    return sorted(chosen[:MAX_MONTHS])


def _in(months: list[date], organizations: tuple[str, ...] | list[str]) -> list[sa.ColumnElement[bool]]:
    where = [_T.c.month.in_(months)]
    if organizations:
        where.append(_T.c.organization.in_(list(organizations)))
    return where


def _sla_columns() -> list[sa.ColumnElement]:
    with_a = _T.c.normative_availability > 0
    with_w = _T.c.total_requests > 0
    return [
        sa.func.avg(sa.case((with_a, _T.c.k1))).label("k1"),
        sa.func.count(sa.case((with_a, 1))).label("k1_rows"),
        sa.func.avg(sa.case((with_w, _T.c.k2))).label("k2"),
        sa.func.count(sa.case((with_w, 1))).label("k2_rows"),
        sa.func.count().label("rows"),
    ]


def _sla_figure(row: Any) -> SlaFigure:
    return SlaFigure(
        month=row.month,
        organization=row.organization,
        k1=float(row.k1) if row.k1 is not None else None,
        k1_rows=int(row.k1_rows),
        k2=float(row.k2) if row.k2 is not None else None,
        k2_rows=int(row.k2_rows),
        rows=int(row.rows),
    )


def _delta(kind: str) -> sa.ColumnElement:
    return _T.c[f"{kind}_end"] - _T.c[f"{kind}_start"]


def _duplicate_rows(session: Session, months: list[date]) -> list[dict[str, Any]]:
    """The rows of the months' duplicate groups (every organization: a group may span several), found by one
    GROUP BY on the folded serial and inventory number; the rows are then grouped again by `formulas.group_key`."""
    serial, inventory = sa.func.trim(_T.c.serial_number), sa.func.trim(_T.c.inventory_number)
    key = unicode_lower(serial + "\x1f" + inventory)  # one call of SQLite's Python lower() per row, not two
    if session.get_bind().dialect.name == "postgresql":
        ids = sa.func.string_agg(sa.cast(_T.c.id, sa.Text), ",")
    else:
        ids = sa.func.group_concat(_T.c.id, ",")
    groups = (
        sa.select(ids)
        .where(_T.c.month.in_(months), sa.or_(serial != "", inventory != ""))
        .group_by(_T.c.month, key)
        .having(sa.func.count() > 1)
    )
    wanted = [int(i) for (joined,) in session.execute(groups) for i in joined.split(",")]
    columns = [_T.c[name] for name in ("id", "month", "organization", "order_number", *_GROUP_FIELDS)]
    rows: list[dict[str, Any]] = []
    for chunk in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
        query = sa.select(*columns).where(_T.c.id.in_(wanted[chunk : chunk + 900]))
        rows.extend(dict(row) for row in session.execute(query).mappings())
    return rows


_GROUP_FIELDS = (
    "serial_number",
    "inventory_number",
    *(f"{kind}_{end}" for kind in VOLUME_KINDS for end in ("start", "end")),
)


def _group_corrections(rows: list[dict[str, Any]]) -> dict[tuple[date, str], dict[str, int]]:
    """What the duplicate-group rule takes away from the plain sums, per month and organization: the first row of a
    group of several counts no A3 pages, every later row no A4 pages."""
    groups: dict[tuple[date, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["month"], group_key(row["serial_number"], row["inventory_number"], row["id"]))].append(row)
    minus: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(VOLUME_KINDS, 0))
    for members in groups.values():
        if len(members) < 2:
            continue
        for row in members:
            position, _size = group_position(members, row["id"])
            left_out = "a3" if position == 0 else "a4"
            for kind in VOLUME_KINDS:
                if kind.startswith(left_out):
                    minus[(row["month"], row["organization"])][kind] += row[f"{kind}_end"] - row[f"{kind}_start"]
    return minus


def month_figures(
    session: Session, months: list[date], organizations: tuple[str, ...] = ()
) -> tuple[list[SlaFigure], list[VolumeFigure]]:
    """K1 / K2 averages and pages per month and organization (ordered by month, then organization), with the
    duplicate-group rule (module doc). One GROUP BY (month, organization) over every organization, one over the
    folded serials for the duplicate groups; the organization filter applies afterwards, so a row's place in its
    group does not depend on it."""
    if not months:
        return [], []
    query = (
        sa.select(
            _T.c.month,
            _T.c.organization,
            *_sla_columns(),
            *(sa.func.coalesce(sa.func.sum(_delta(kind)), 0).label(kind) for kind in VOLUME_KINDS),
        )
        .where(_T.c.month.in_(months))
        .group_by(_T.c.month, _T.c.organization)
    )
    wanted = set(organizations)
    rows = [row for row in session.execute(query) if not wanted or row.organization in wanted]
    minus = _group_corrections(_duplicate_rows(session, months)) if rows else {}
    rows.sort(key=lambda r: (r.month, r.organization.casefold(), r.organization))
    sla = [_sla_figure(row) for row in rows]
    volumes = []
    for row in rows:
        taken = minus.get((row.month, row.organization), {})
        volumes.append(
            VolumeFigure(row.month, row.organization, *(int(getattr(row, k)) - taken.get(k, 0) for k in VOLUME_KINDS))
        )
    return sla, volumes


def worst_devices(
    session: Session, month: date, organizations: tuple[str, ...] = (), *, limit: int = WORST_LIMIT
) -> list[WorstDevice]:
    """The `limit` rows of `month` with the lowest K1 among those with A > 0 (ties by order number, id)."""
    query = (
        sa.select(
            _T.c.id,
            _T.c.serial_number,
            _T.c.equipment_model,
            _T.c.organization,
            _T.c.address,
            _T.c.k1,
            _T.c.normative_availability,
            _T.c.actual_downtime,
        )
        .where(*_in([month], organizations), _T.c.normative_availability > 0)
        .order_by(_T.c.k1, _T.c.order_number, _T.c.id)
        .limit(limit)
    )
    return [WorstDevice(*row) for row in session.execute(query)]


def charts(
    session: Session,
    *,
    can_manage: bool,
    organizations: tuple[str, ...] = (),
    month_from: date | None = None,
    month_to: date | None = None,
    worst_month: date | None = None,
    worst_limit: int = WORST_LIMIT,
) -> Charts:
    """The charts' figures for the filters; `worst_month` outside the shown months falls back to the newest."""
    available = visible_months(session, can_manage=can_manage)
    months = _pick(available, month_from, month_to)
    result = Charts(months=months, available=available, organizations=[])
    if not months:
        return result
    every_sla, every_volume = month_figures(session, months)
    names = {f.organization for f in every_sla}
    result.organizations = sorted(names, key=lambda name: (name.casefold(), name))
    wanted = set(organizations)
    result.sla = [f for f in every_sla if not wanted or f.organization in wanted]
    result.volumes = [f for f in every_volume if not wanted or f.organization in wanted]
    result.worst_month = worst_month if worst_month in months else months[-1]
    result.worst = worst_devices(session, result.worst_month, organizations, limit=worst_limit)
    return result


def lowest_sla(session: Session, *, can_manage: bool, limit: int = 5) -> list[SlaFigure]:
    """The dashboard card: K1 / K2 of the newest visible month per organization, the `limit` lowest K1 first
    (organizations without data last). One query: the month is a subquery."""
    newest = sa.select(sa.func.max(_T.c.month))
    if not can_manage:
        newest = newest.where(_T.c.month.in_(sa.select(MonthControl.month).where(MonthControl.is_published.is_(True))))
    query = (
        sa.select(_T.c.month, _T.c.organization, *_sla_columns())
        .where(_T.c.month == newest.scalar_subquery())
        .group_by(_T.c.month, _T.c.organization)
    )
    figures = [_sla_figure(row) for row in session.execute(query)]
    figures.sort(key=lambda f: (f.k1 is None, f.k1 or 0.0, f.k2 if f.k2 is not None else 101.0, f.organization))
    return figures[:limit]
