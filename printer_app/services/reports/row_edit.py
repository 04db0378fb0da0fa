"""Editing the SLA inputs A, D, L, W of one month row in the table (docs/reports.md §10.2, decided for issue #16):
validated, only while the month is editable, optimistic (refused when the stored value changed since the tab read
it), K1 / K2 recomputed in the same transaction, logged in the change log and announced to the month's open tabs.

Who may do it (`monthly_report.upload_monthly_report`, the people who supply these values) is the caller's check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.i18n import N_, format_number, gettext
from printer_app.models import MonthlyReport
from printer_app.models.base import utcnow
from printer_app.services import events
from printer_app.services.audit import Actor, audit
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.reports.formulas import group_key
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.months import is_editable, month_key
from printer_app.services.reports.numbers import MAX_COUNTER
from printer_app.services.reports.visibility import month_control

DECIMAL_FIELDS = ("normative_availability", "actual_downtime")  # A, D
INTEGER_FIELDS = ("non_overdue_requests", "total_requests")  # L, W
EDITABLE = (*DECIMAL_FIELDS, *INTEGER_FIELDS)
LABELS = {
    "normative_availability": N_("A (normative availability)"),
    "actual_downtime": N_("D (actual downtime)"),
    "non_overdue_requests": N_("L (requests on time)"),
    "total_requests": N_("W (all requests)"),
    "k1": N_("K1"),
    "k2": N_("K2"),
}
MAX_VALUE = MAX_COUNTER
_DECIMAL = re.compile(r"^\d{1,12}(?:\.\d{1,6})?$")
_INTEGER = re.compile(r"^\d{1,12}$")


@dataclass
class EditResult:
    row_id: int
    field: str
    value: float | int
    k1: float
    k2: float
    changed: bool


def parse_value(field: str, text: object) -> float | int:
    """A typed A / D (non-negative decimal, comma or point) or L / W (non-negative whole number); the reason in a
    DomainValidationError otherwise."""
    if field not in EDITABLE:
        raise DomainValidationError({"field": gettext("This column cannot be edited here.")})
    raw = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    cleaned = "".join(ch for ch in raw if not ch.isspace()).replace(",", ".")
    label = gettext(LABELS[field])
    if not cleaned:
        raise DomainValidationError({field: gettext("{field}: type a number.", field=label)})
    if field in DECIMAL_FIELDS:
        if not _DECIMAL.match(cleaned):
            message = gettext("{field} must be a number of 0 or more, e.g. 720 or 12,5.", field=label)
            raise DomainValidationError({field: message})
        value: float | int = float(cleaned)
    else:
        if not _INTEGER.match(cleaned):
            raise DomainValidationError({field: gettext("{field} must be a whole number of 0 or more.", field=label)})
        value = int(cleaned)
    if value > MAX_VALUE:
        raise DomainValidationError(
            {field: gettext("{field} must be at most {max}.", field=label, max=format_number(MAX_VALUE))}
        )
    return value


def edit_sla_value(
    session: Session,
    *,
    row_id: int,
    field: str,
    text: object,
    loaded: float | int | None,
    actor: Actor | None = None,
) -> EditResult:
    """Store A, D, L or W of a row; `loaded` is the value the tab showed (None: no check, e.g. the CLI).

    Refused with nothing written when the value is bad, the month is not editable or the stored value is no longer
    `loaded` (the refusal names the value stored now)."""
    value = parse_value(field, text)
    row = session.get(MonthlyReport, row_id)
    if row is None:
        raise NotFoundError(gettext("This row no longer exists; reload the page."))
    control = month_control(session, row.month)
    if control is None or not is_editable(control.edit_until):
        raise DomainValidationError({"form": gettext("This month is closed for editing.")})
    current = getattr(row, field)
    if loaded is not None and not _same(current, loaded):
        raise _stale(field, current)
    if _same(current, value):
        return EditResult(row.id, field, current, row.k1, row.k2, changed=False)
    _claim(session, row, field, current, value)
    before = {"k1": row.k1, "k2": row.k2}
    key = group_key(row.serial_number, row.inventory_number, row.id)
    recompute_month(session, row.month, keys=[key])
    session.refresh(row)
    changes = {field: {"old": current, "new": value, "label": LABELS[field]}}
    for name in ("k1", "k2"):
        if not _same(before[name], getattr(row, name)):
            changes[name] = {"old": before[name], "new": getattr(row, name), "label": LABELS[name]}
    audit(session, row, "update", actor, changes)
    announce(session, row.month, [row.id])
    return EditResult(row.id, field, value, row.k1, row.k2, changed=True)


def _claim(session: Session, row: MonthlyReport, field: str, current: float | int, value: float | int) -> None:
    """Write the value only if the stored one is still `current`: of two saves from the same load one wins."""
    column = MonthlyReport.__table__.c[field]
    statement = (
        sa.update(MonthlyReport.__table__)
        .where(MonthlyReport.__table__.c.id == row.id, column == current)
        .values({field: value, "updated_at": utcnow()})
    )
    if session.execute(statement).rowcount != 1:
        session.refresh(row)
        raise _stale(field, getattr(row, field))


def announce(session: Session, month: date, row_ids: list[int]) -> None:
    """REPORTS_CHANGED for the month's open tabs, once the transaction commits."""
    events.publish_after_commit(session, events.REPORTS_CHANGED, {"month": month_key(month), "row_ids": row_ids})


def _stale(field: str, stored: float | int) -> ConflictError:
    message = gettext(
        "{field} was changed since you loaded the page: it is now {value}. Your value was not saved.",
        field=gettext(LABELS[field]),
        value=format_number(stored),
    )
    return ConflictError(message, changed_by="", changed_at=None)


def _same(a: float | int | None, b: float | int | None) -> bool:
    return abs(float(a or 0) - float(b or 0)) < 1e-9
