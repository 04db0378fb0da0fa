"""Report months: a month is stored as its first day and named `YYYY-MM` in URLs, files and the command line;
its control row says whether it is editable (until a moment), published and auto-synced."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from printer_app.i18n import gettext

_YYYY_MM = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")
_MM_YYYY = re.compile(r"^(\d{1,2})[./](\d{4})$")


def parse_report_month(text: object) -> date:
    """`YYYY-MM`, `YYYY-MM-DD` or `MM.YYYY` (or a date) as the month's first day; ValueError with a message
    naming the accepted form otherwise."""
    if isinstance(text, datetime):
        return text.date().replace(day=1)
    if isinstance(text, date):
        return text.replace(day=1)
    value = str(text or "").strip()
    year = month = 0
    if match := _YYYY_MM.match(value):
        year, month = int(match[1]), int(match[2])
    elif match := _MM_YYYY.match(value):
        month, year = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise ValueError(gettext("“{value}” is not a month: write it as YYYY-MM, e.g. 2026-03", value=value[:40]))
    return date(year, month, 1)


def month_key(month: date) -> str:
    """`YYYY-MM` of a month (URLs, file names, sheet names, events)."""
    return f"{month.year:04d}-{month.month:02d}"


def month_bounds(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """(first day 00:00, last day 23:59:59) of a month in local time `tz`, as UTC datetimes."""
    last = calendar.monthrange(month.year, month.month)[1]
    start = datetime.combine(month.replace(day=1), time(0, 0), tzinfo=tz)
    end = datetime.combine(month.replace(day=last), time(23, 59, 59), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def default_edit_until(month: date, tz: ZoneInfo) -> datetime:
    """The month's last day 23:59:59 local time (UTC): how long an upload with "allow editing" keeps it open."""
    return month_bounds(month, tz)[1]


def is_editable(edit_until: datetime | None, now: datetime | None = None) -> bool:
    """A month is editable while now is before its `edit_until` (None = closed)."""
    if edit_until is None:
        return False
    moment = now or datetime.now(UTC)
    if edit_until.tzinfo is None:
        edit_until = edit_until.replace(tzinfo=UTC)
    return moment < edit_until


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)
