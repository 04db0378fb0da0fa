"""Editing the 8 page counters of a month row in the table, and putting an end counter back to its inventory value
(docs/reports.md §10.5, issue #17).

Contract:
- `edit_counter` stores one counter when, for this user now, the field is in the row's allowed set
  (`rules.field_locks`: month editable, permission, duplicate-group position, model spec, auto-lock); the value is
  digits only (spaces allowed; decimal digits of any script, so full-width "１２" from an input method is 12; no sign,
  no decimals), at most 100,000,000. Optimistic: refused with a ConflictError naming the value stored now when it is
  not the `loaded` one the tab showed, and the write itself is guarded by "WHERE value = loaded". An end field gets
  its manual flag (auto-sync leaves it). The change is logged (source manual), the duplicate group's totals and
  K1 / K2 recomputed, and the month's open tabs told after the commit — all in the caller's transaction.
- `reset_to_inventory` (`can_reset_auto_polling`, month editable) clears an end field's manual flag and puts back
  its `*_auto` value (refused when there is none), logged with the comment "reset to inventory".
- `page_cells` / `locks_for_rows`: the locks (and manual flags, auto values) of one page of rows, reading the
  specs, the overrides and the month's group positions once per call.
A refusal raises DomainValidationError: key "form" when the cell cannot be edited at all (the editor closes), the
field name when the typed value is bad (it stays to be fixed). Nothing is written on a refusal. Permissions are
checked here too, whatever the caller checked.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.i18n import N_, format_date, format_number, gettext
from printer_app.models import MonthControl, MonthlyReport
from printer_app.models.base import utcnow
from printer_app.models.choices import ChangeSource
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.reports import rules
from printer_app.services.reports.change_log import log_changes
from printer_app.services.reports.columns import COUNTER_FIELDS, END_FIELDS
from printer_app.services.reports.formulas import fold, group_key, group_position
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.months import is_editable
from printer_app.services.reports.numbers import MAX_COUNTER
from printer_app.services.reports.row_edit import announce
from printer_app.services.reports.specs import load_specs, normalise_model
from printer_app.services.reports.visibility import month_control

RESET_AUTO = "monthly_report.can_reset_auto_polling"
RESET_COMMENT = "reset to inventory"
MAX_TEXT = 40
LABELS = {
    "a4_bw_start": N_("A4 b/w start"),
    "a4_bw_end": N_("A4 b/w end"),
    "a4_color_start": N_("A4 colour start"),
    "a4_color_end": N_("A4 colour end"),
    "a3_bw_start": N_("A3 b/w start"),
    "a3_bw_end": N_("A3 b/w end"),
    "a3_color_start": N_("A3 colour start"),
    "a3_color_end": N_("A3 colour end"),
}
_T = MonthlyReport.__table__
_CELL_COLUMNS = [
    _T.c.id,
    _T.c.month,
    _T.c.serial_number,
    _T.c.inventory_number,
    _T.c.equipment_model,
    _T.c.inventory_last_ok,
    *(_T.c[name] for name in COUNTER_FIELDS),
    *(_T.c[name] for name in rules.AUTO_OF.values()),
    *(_T.c[name] for name in rules.MANUAL_OF.values()),
]


@dataclass
class CounterResult:
    """What a save or reset left stored: the field's value, its manual flag and the row's total."""

    row_id: int
    field: str
    value: int
    manual: bool
    total_prints: int
    changed: bool


@dataclass
class CellState:
    """One row's editing state for the table: per counter None (editable) or the reason; the end fields locked only
    by the auto-lock (`pinned`: a lock icon helps there), their manual flags and auto values (None: none yet)."""

    locks: dict[str, str | None] = field(default_factory=dict)
    pinned: frozenset[str] = frozenset()
    manual: dict[str, bool] = field(default_factory=dict)
    auto: dict[str, int | None] = field(default_factory=dict)


def parse_counter(name: str, text: object) -> int:
    """A typed counter: decimal digits only (spaces are dropped), at most MAX_COUNTER; the reason otherwise."""
    label = gettext(LABELS[name])
    raw = str(text if text is not None else "")
    cleaned = "".join(ch for ch in raw[: MAX_TEXT * 4] if not ch.isspace())
    if not cleaned:
        raise DomainValidationError({name: gettext("{field}: type a number.", field=label)})
    if len(cleaned) > MAX_TEXT or any(unicodedata.category(ch) != "Nd" for ch in cleaned):
        message = gettext("{field}: digits only (no sign, no decimals), e.g. 125400.", field=label)
        raise DomainValidationError({name: message})
    value = int("".join(str(unicodedata.decimal(ch)) for ch in cleaned))
    if value > MAX_COUNTER:
        message = gettext("{field} must be at most {max}.", field=label, max=format_number(MAX_COUNTER))
        raise DomainValidationError({name: message})
    return value


def closed_reason(control: MonthControl | None) -> str:
    """Why a month is not editable: the date it closed, or that it never opened ("" when it is editable)."""
    if control is None or control.edit_until is None:
        return gettext("This month was never opened for editing.")
    if is_editable(control.edit_until):
        return ""
    closed = rules.as_utc(control.edit_until).astimezone(get_settings().tz).date()
    return gettext("Month closed on {date}.", date=format_date(closed))


def page_cells(
    session: Session,
    month: date,
    rows: Iterable[int],
    permissions: Collection[str],
    now: datetime | None = None,
) -> dict[int, CellState]:
    """The editing state of the rows `rows` (ids of one page) of `month`: four queries whatever the page size."""
    now = now or utcnow()
    ids = list(dict.fromkeys(int(i) for i in rows))
    if not ids:
        return {}
    found = [dict(r) for r in session.execute(sa.select(*_CELL_COLUMNS).where(_T.c.id.in_(ids))).mappings()]
    found = [r for r in found if r["month"] == month]
    reason = closed_reason(month_control(session, month))
    positions = _positions(session, month)
    specs = load_specs(session)
    overrides = rules.active_overrides(session, [r["serial_number"] for r in found], now)
    cells: dict[int, CellState] = {}
    for row in found:
        position, size = positions.get(row["id"], (0, 1))
        spec = specs.get(normalise_model(row["equipment_model"]))
        override = overrides.get(fold(row["serial_number"]))
        locks = rules.field_locks(
            row,
            month_editable=not reason,
            closed_reason=reason,
            permissions=permissions,
            position=position,
            size=size,
            spec=spec,
            override=override,
            now=now,
        )
        lock = rules.auto_lock(row, permissions=permissions, spec=spec, override=override, now=now)
        cells[row["id"]] = CellState(
            locks=locks,
            pinned=frozenset(n for n in END_FIELDS if lock.locked and locks[n] == lock.reason),
            manual={name: bool(row[rules.MANUAL_OF[name]]) for name in END_FIELDS},
            auto={name: row[rules.AUTO_OF[name]] for name in END_FIELDS},
        )
    return cells


def locks_for_rows(
    session: Session,
    month: date,
    rows: Iterable[int],
    permissions: Collection[str],
    now: datetime | None = None,
) -> dict[int, dict[str, str | None]]:
    """{row id: {counter field: None | reason}} for one page of rows (ids) of `month`."""
    return {row_id: cell.locks for row_id, cell in page_cells(session, month, rows, permissions, now).items()}


def edit_counter(
    session: Session,
    *,
    row_id: int,
    field: str,
    text: object,
    loaded: int | None,
    permissions: Collection[str],
    actor: Actor | None = None,
) -> CounterResult:
    """Store a typed counter of a row (see the module contract); `loaded` is the value the tab showed."""
    if field not in COUNTER_FIELDS:
        raise DomainValidationError({"form": gettext("This column cannot be edited here.")})
    row = _row(session, row_id)
    lock = page_cells(session, row.month, [row.id], permissions)[row.id].locks[field]
    if lock is not None:
        raise DomainValidationError({"form": lock})
    value = parse_counter(field, text)
    current = int(getattr(row, field) or 0)
    if loaded is not None and current != int(loaded):
        raise _stale(field, current)
    manual = field in END_FIELDS
    if current == value:
        return CounterResult(row.id, field, current, _manual(row, field), row.total_prints, changed=False)
    values: dict[str, Any] = {field: value, "updated_at": utcnow()}
    if manual:
        values[rules.MANUAL_OF[field]] = True
    guarded = sa.update(_T).where(_T.c.id == row.id, _T.c[field] == current).values(values)
    if session.execute(guarded).rowcount != 1:
        session.refresh(row)
        raise _stale(field, int(getattr(row, field) or 0))
    log_changes(session, [(row.id, field, current, value)], source=ChangeSource.MANUAL.value, actor=actor)
    return _finish(session, row, field, changed=True)


def reset_to_inventory(
    session: Session,
    *,
    row_id: int,
    field: str,
    permissions: Collection[str],
    actor: Actor | None = None,
) -> CounterResult:
    """Clear an end field's manual flag and put back its auto value (see the module contract)."""
    if field not in END_FIELDS:
        raise DomainValidationError({"form": gettext("Only end counters come from the inventory.")})
    if RESET_AUTO not in permissions:
        raise DomainValidationError({"form": gettext("You may not reset counters to the inventory values.")})
    row = _row(session, row_id)
    reason = closed_reason(month_control(session, row.month))
    if reason:
        raise DomainValidationError({"form": reason})
    auto = getattr(row, rules.AUTO_OF[field])
    if auto is None:
        raise DomainValidationError({"form": gettext("The inventory has given no value for this counter yet.")})
    current = int(getattr(row, field) or 0)
    values = {field: int(auto), rules.MANUAL_OF[field]: False, "updated_at": utcnow()}
    session.execute(sa.update(_T).where(_T.c.id == row.id).values(values))
    log_changes(
        session,
        [(row.id, field, current, int(auto))],
        source=ChangeSource.MANUAL.value,
        actor=actor,
        comment=RESET_COMMENT,
    )
    return _finish(session, row, field, changed=True)


def _row(session: Session, row_id: int) -> MonthlyReport:
    row = session.get(MonthlyReport, row_id)
    if row is None:
        raise NotFoundError(gettext("This row no longer exists; reload the page."))
    return row


def _finish(session: Session, row: MonthlyReport, name: str, *, changed: bool) -> CounterResult:
    """Recompute the row's duplicate group, announce it after the commit, and say what is stored now."""
    recompute_month(session, row.month, keys=[group_key(row.serial_number, row.inventory_number, row.id)])
    session.refresh(row)
    announce(session, row.month, [row.id])
    return CounterResult(row.id, name, int(getattr(row, name)), _manual(row, name), row.total_prints, changed)


def _manual(row: MonthlyReport, name: str) -> bool:
    return bool(getattr(row, rules.MANUAL_OF[name])) if name in END_FIELDS else False


def _positions(session: Session, month: date) -> dict[int, tuple[int, int]]:
    """{row id: (position in its duplicate group, group size)} of every row of the month, from one light query."""
    query = sa.select(_T.c.id, _T.c.order_number, _T.c.serial_number, _T.c.inventory_number).where(_T.c.month == month)
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in session.execute(query).mappings():
        groups.setdefault(group_key(row["serial_number"], row["inventory_number"], row["id"]), []).append(dict(row))
    return {row["id"]: group_position(members, row["id"]) for members in groups.values() for row in members}


def _stale(name: str, stored: int) -> ConflictError:
    message = gettext(
        "{field} was changed since you loaded the page: it is now {value}. Your value was not saved.",
        field=gettext(LABELS[name]),
        value=format_number(stored),
    )
    return ConflictError(message, changed_by="", changed_at=None)
