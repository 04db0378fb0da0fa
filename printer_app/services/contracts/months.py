"""Service months: a device's start of service is a month, stored as its first day and shown `MM.YYYY`."""

from __future__ import annotations

import re
from datetime import date

from printer_app.i18n import gettext
from printer_app.services.errors import DomainValidationError

_MM_YYYY = re.compile(r"^(\d{1,2})[./](\d{4})$")
_YYYY_MM = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")


def parse_month(text: object) -> date | None:
    """`MM.YYYY`, `MM/YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first of that month; None for an empty value.

    Anything else raises ValueError with a message saying which forms are understood.
    """
    if isinstance(text, date):
        return text.replace(day=1)
    value = str(text or "").strip()
    if not value:
        return None
    match = _MM_YYYY.match(value)
    month, year = (int(match[1]), int(match[2])) if match else (0, 0)
    if not match and (match := _YYYY_MM.match(value)):
        year, month = int(match[1]), int(match[2])
    if not match or not 1 <= month <= 12 or not 1900 <= year <= 2999:
        raise ValueError(gettext("“{value}” is not a month: write it as MM.YYYY, e.g. 03.2026", value=value[:40]))
    return date(year, month, 1)


def month_field(text: object, field: str) -> date | None:
    """`parse_month` for a form field: its refusal as a DomainValidationError naming the field."""
    try:
        return parse_month(text)
    except ValueError as exc:
        raise DomainValidationError({field: str(exc)}) from None


def show_month(value: date | None) -> str:
    """A service month as users write it: `MM.YYYY` ("" for none)."""
    return value.strftime("%m.%Y") if value else ""
