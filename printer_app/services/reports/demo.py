"""Demo monthly report: last month's sheet for the demo contract devices, made the way a user would make it
("create month from contracts", services/reports/from_contracts.py), then completed with plausible figures.

The demo's poll history covers the last `--days` days (30 by default), so last month usually has no poll or only
its last day's: where the month's polls give no reading, or one too close to the start to show a month's printing,
counters are derived from the printer's first reading after the month (end = that reading less a few days' pages,
start = end less a month's pages), on the counters the reading uses. A (hours in the month), D, L and W are drawn
so K1 / K2 show. Deterministic (seeded by serial) and idempotent: nothing happens when the month has rows.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import unicode_lower
from printer_app.models import ContractDevice, MonthControl, MonthlyReport, PageCounter, Printer
from printer_app.models.base import utcnow
from printer_app.services.reports.formulas import fold
from printer_app.services.reports.from_contracts import NO_STATUS, POLL_FIELDS, contract_choices
from printer_app.services.reports.from_contracts import create_month_from_contracts as create
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.months import month_bounds, previous_month

MIN_MONTH_PAGES = 200  # a start-to-end difference below this looks like "polled on one day only"


def demo_month(now: datetime | None = None) -> date:
    """Last month in the configured time zone."""
    today = (now or utcnow()).astimezone(get_settings().tz).date()
    return previous_month(today.replace(day=1))


def _first_readings_after(session: Session, serials: list[str], after: datetime) -> dict[str, dict[str, int]]:
    """Per folded serial, the counters of its printer's first reading after `after` (any printer of that serial)."""
    key = unicode_lower(sa.func.trim(Printer.serial_number))
    first = (
        sa.select(PageCounter.printer_id, sa.func.min(PageCounter.recorded_at).label("at"))
        .where(PageCounter.recorded_at > after)
        .group_by(PageCounter.printer_id)
        .subquery()
    )
    query = (
        sa.select(key.label("serial"), PageCounter)
        .join(Printer, Printer.id == PageCounter.printer_id)
        .join(first, sa.and_(first.c.printer_id == PageCounter.printer_id, first.c.at == PageCounter.recorded_at))
        .where(key.in_(serials))
        .order_by(Printer.is_active.desc(), Printer.id.desc())
    )
    found: dict[str, dict[str, int]] = {}
    for serial, counter in session.execute(query):
        found.setdefault(fold(serial), {f: int(getattr(counter, p) or 0) for f, p in POLL_FIELDS.items()})
    return found


def _complete(row: MonthlyReport, later: dict[str, int] | None, rng: random.Random, hours: int) -> None:
    ends = {name: getattr(row, f"{name}_end") for name in POLL_FIELDS}
    if not any(ends.values()) and later:  # no poll in the month: a few days before the first reading after it
        ends = {name: max(value - rng.randint(20, 400), 0) if value else 0 for name, value in later.items()}
        for name, value in ends.items():
            setattr(row, f"{name}_end", value)
    printed = sum(ends.values()) - sum(getattr(row, f"{name}_start") for name in POLL_FIELDS)
    if 0 <= printed < MIN_MONTH_PAGES:
        for name, value in ends.items():
            setattr(row, f"{name}_start", max(value - rng.randint(300, 4000), 0) if value else 0)
    row.normative_availability = float(hours)
    row.actual_downtime = float(rng.choice((0, 0, 0, 2, 5, 12, 30)))
    row.total_requests = rng.randint(0, 6)
    row.non_overdue_requests = max(row.total_requests - rng.choice((0, 0, 0, 1)), 0)


def load_reports_demo(session: Session, *, now: datetime | None = None) -> int:
    """Create last month's demo report (published, editable until the end of the current month); returns its rows,
    0 when the month already has rows or there is no contract device."""
    moment = now or utcnow()
    month = demo_month(moment)
    if session.execute(sa.select(MonthlyReport.id).where(MonthlyReport.month == month).limit(1)).first():
        return 0
    if not session.execute(sa.select(ContractDevice.id).limit(1)).first():
        return 0
    choices = contract_choices(session)
    statuses = [i for i, _name in choices["statuses"]] + [NO_STATUS]
    orgs = [i for i, _name in choices["organizations"]]
    this_month_end = month_bounds(moment.astimezone(get_settings().tz).date().replace(day=1), get_settings().tz)[1]
    result = create(session, month=month, organization_ids=orgs, status_ids=statuses, now=moment,
                    edit_until=this_month_end)  # fmt: skip
    rows = session.execute(sa.select(MonthlyReport).where(MonthlyReport.month == month)).scalars().all()
    month_end = month_bounds(month, get_settings().tz)[1]
    later = _first_readings_after(session, sorted({fold(r.serial_number) for r in rows}), month_end)
    hours = calendar.monthrange(month.year, month.month)[1] * 24
    for row in rows:
        rng = random.Random(f"demo-report-{fold(row.serial_number)}")
        _complete(row, later.get(fold(row.serial_number)), rng, hours)
    session.flush()
    recompute_month(session, month)
    control = session.execute(sa.select(MonthControl).where(MonthControl.month == month)).scalar_one()
    control.is_published = True
    session.flush()
    return result.created
