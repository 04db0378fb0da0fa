"""Calendar days of TIME_ZONE in SQL: the one day boundary of pages, reports and retention (storage is UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement


def local_day(
    column: ColumnElement, *, tz: ZoneInfo, dialect: str, since: datetime, until: datetime
) -> ColumnElement[str]:
    """'YYYY-MM-DD' of a UTC timestamp column in `tz`, exact for rows from `since` to `until`.

    PostgreSQL knows the zone. SQLite does not: its rows are shifted by the zone's UTC offset of the period they fall
    in (one period per daylight-saving change between `since` and `until`).
    """
    if dialect == "postgresql":
        return func.to_char(func.timezone(tz.key, column), "YYYY-MM-DD")
    periods = offset_periods(tz, since, until)

    def shifted(offset_s: int) -> ColumnElement[str]:
        return func.strftime("%Y-%m-%d", column, f"{offset_s:+d} seconds")

    if len(periods) == 1:
        return shifted(periods[0][1])
    whens = [(column < end, shifted(offset)) for (_, offset), (end, _) in pairwise(periods)]
    return case(*whens, else_=shifted(periods[-1][1]))


def offset_periods(tz: ZoneInfo, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    """(start, UTC offset in seconds) of each stretch of constant offset of `tz` from `since` to `until`."""

    def offset(at: datetime) -> int:
        return int(at.astimezone(tz).utcoffset().total_seconds())

    periods = [(since, offset(since))]
    day = timedelta(days=1)
    at = since
    while at < until:
        step = min(at + day, until)
        if offset(step) != periods[-1][1]:  # a change within (at, step]: find its second
            low, high = at, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (low, middle) if offset(middle) != periods[-1][1] else (middle, high)
            periods.append((high.replace(microsecond=0), offset(high)))
        at = step
    return periods
