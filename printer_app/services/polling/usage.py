"""Pages printed per day or per month, from the differences of the total counter between successful polls.

The rules, chosen so that a month's pages equal what the monthly report bills (last reading of the month minus the
last reading of the month before):
- A difference is counted on the local day (TIME_ZONE) of the poll that observed it. A printer that did not answer
  for three days shows those days' pages on the day it answered again; nothing is invented for the silent days.
- A counter that goes down (reset, replaced board) is a new start: that interval counts 0 pages and the lower value
  becomes the base for the next poll; it is never a negative number of pages.
- A day (month) without any successful poll has no value (None: no bar), a polled day where nothing was printed 0.
- The chart needs two readings: fewer, and `Usage.readings` says so (the page shows "no data yet", not axes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from printer_app.models import PageCounter

PERIODS = ("day", "month")


@dataclass
class UsageBar:
    """One day (or month, dated its first day): pages printed, and the counter at the period's last poll."""

    start: date
    pages: int | None  # None: no successful poll in the period
    counter: int | None  # the total counter read last in the period (the cumulative line)


@dataclass
class Usage:
    bars: list[UsageBar]
    readings: int  # successful polls with a total counter that the bars were computed from (incl. the base before)


def period_start(day: date, period: str) -> date:
    return day.replace(day=1) if period == "month" else day


def _next(start: date, period: str) -> date:
    if period == "day":
        return start + timedelta(days=1)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def pages_per_period(
    readings: Iterable[tuple[datetime, int]], *, tz: ZoneInfo, period: str, first: date, last: date
) -> Usage:
    """Bars for every period from the one holding `first` to the one holding `last` (local dates).

    `readings` are (UTC time, total counter) of successful polls, in any order; readings before `first` serve only
    as the base of the first difference.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    ordered = sorted(readings)
    starts: list[date] = []
    at = period_start(first, period)
    while at <= last:
        starts.append(at)
        at = _next(at, period)
    bars = {s: UsageBar(start=s, pages=None, counter=None) for s in starts}
    previous: int | None = None
    for when, value in ordered:
        key = period_start(when.astimezone(tz).date(), period)
        delta = 0 if previous is None or value < previous else value - previous
        previous = value
        bar = bars.get(key)
        if bar is None:  # the base before the range (or a reading after it)
            continue
        bar.counter = value
        bar.pages = (bar.pages or 0) + delta
    return Usage(bars=[bars[s] for s in starts], readings=len(ordered))


def usage(session: Session, *, printer_id: int, tz: ZoneInfo, period: str, first: date, last: date) -> Usage:
    """`pages_per_period` over the printer's stored counters, with the last reading before `first` as the base."""
    since = datetime.combine(first, time(), tz)
    until = datetime.combine(_next(period_start(last, period), period), time(), tz)
    base = select(PageCounter.recorded_at, PageCounter.total_pages).where(
        PageCounter.printer_id == printer_id, PageCounter.total_pages.is_not(None)
    )
    inside = session.exec(
        base.where(PageCounter.recorded_at >= since, PageCounter.recorded_at < until).order_by(PageCounter.recorded_at)
    ).all()
    before = session.exec(
        base.where(PageCounter.recorded_at < since).order_by(PageCounter.recorded_at.desc()).limit(1)
    ).all()
    return pages_per_period([*before, *inside], tz=tz, period=period, first=first, last=last)
