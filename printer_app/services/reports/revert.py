"""Reverting one counter change of the log (docs/reports.md §10.5, issue #17 "History and revert").

Contract: `revert_entry(session, entry_id=..., permissions=..., actor=...)` puts the entry's old value back into its
row, in the caller's transaction, or refuses with nothing written:
- without `monthly_report.edit_counters_end` (DomainValidationError "permission");
- when the entry, its row or (for a user without `can_manage_month_visibility`) its published month is gone
  (NotFoundError);
- when the old value is unknown (None), or the month is not editable (DomainValidationError "form");
- when the field no longer holds the entry's new value (ConflictError naming the value it holds now). The write
  itself is optimistic (UPDATE ... WHERE value = expected): of two reverts of the same entry one wins.

A revert is a manual change: it is logged through `change_log.log_changes` (source manual, comment
"revert of change #<id>"), and on an end field it sets the manual flag, so the next inventory sync does not
overwrite the value just restored ("reset to inventory" clears the flag). The duplicate group's totals and K1 / K2
are recomputed and the month's open tabs are told after the commit. The auto-lock and group rules of editing do not
apply: a revert undoes a change that was allowed when it was made.

`revert_preview` gives what the confirmation dialog names (field, value now, value restored) or why it is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.i18n import format_number, gettext
from printer_app.models import CounterChangeLog, MonthlyReport
from printer_app.models.base import utcnow
from printer_app.models.choices import ChangeSource
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.reports.change_log import log_changes
from printer_app.services.reports.columns import COUNTER_FIELDS
from printer_app.services.reports.formulas import group_key
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.history import field_label
from printer_app.services.reports.months import is_editable
from printer_app.services.reports.row_edit import announce
from printer_app.services.reports.rules import EDIT_END, MANUAL_OF
from printer_app.services.reports.visibility import month_control, month_visible

VISIBILITY = "monthly_report.can_manage_month_visibility"
_T = MonthlyReport.__table__


@dataclass
class RevertResult:
    entry_id: int
    row_id: int
    field: str
    value: int  # the value restored


@dataclass
class RevertPreview:
    """What the confirmation names; `problem` is the refusal ("" when the revert would be taken now)."""

    entry_id: int
    field: str
    field_label: str
    current: str  # formatted
    restores: str  # formatted ("" when unknown)
    problem: str = ""


def _checked(session: Session, entry_id: int, permissions: Collection[str]) -> tuple[CounterChangeLog, MonthlyReport]:
    """The entry and its row when the revert may be taken now; the refusal otherwise (see the module docstring)."""
    entry = session.get(CounterChangeLog, entry_id)
    row = session.get(MonthlyReport, entry.report_id) if entry is not None else None
    if entry is None or row is None or not month_visible(session, row.month, can_manage=VISIBILITY in permissions):
        raise NotFoundError(gettext("This change or its row no longer exists; reload the page."))
    if entry.field_name not in COUNTER_FIELDS or entry.old_value is None:
        raise DomainValidationError(
            {"form": gettext("The value before this change is not known, so it cannot be reverted.")}
        )
    control = month_control(session, row.month)
    if control is None or not is_editable(control.edit_until):
        raise DomainValidationError({"form": gettext("This month is closed for editing.")})
    current = getattr(row, entry.field_name)
    if current != entry.new_value:
        raise _changed_since(entry, current)
    return entry, row


def _changed_since(entry: CounterChangeLog, current: int | None) -> ConflictError:
    message = gettext(
        "{field} was changed since: it is now {value}, not {expected}. Nothing was reverted.",
        field=field_label(entry.field_name),
        value=format_number(current),
        expected=format_number(entry.new_value),
    )
    return ConflictError(message, changed_by="", changed_at=None)


def revert_preview(session: Session, *, entry_id: int, permissions: Collection[str]) -> RevertPreview:
    """The field, its value now and the value a revert restores, with the reason it would be refused, if any."""
    entry = session.get(CounterChangeLog, entry_id)
    row = session.get(MonthlyReport, entry.report_id) if entry is not None else None
    if entry is None or row is None:
        raise NotFoundError(gettext("This change or its row no longer exists; reload the page."))
    preview = RevertPreview(
        entry_id=entry.id,
        field=entry.field_name,
        field_label=field_label(entry.field_name),
        current=format_number(getattr(row, entry.field_name, None)),
        restores=format_number(entry.old_value),
    )
    try:
        if EDIT_END not in permissions:
            raise DomainValidationError({"permission": _not_allowed()})
        _checked(session, entry_id, permissions)
    except (DomainValidationError, NotFoundError) as exc:
        preview.problem = "; ".join(exc.errors.values()) if isinstance(exc, DomainValidationError) else str(exc)
    return preview


def revert_entry(
    session: Session, *, entry_id: int, permissions: Collection[str], actor: Actor | None = None
) -> RevertResult:
    """Restore the entry's old value (see the module docstring); flushes, the caller commits."""
    if EDIT_END not in permissions:
        raise DomainValidationError({"permission": _not_allowed()})
    entry, row = _checked(session, entry_id, permissions)
    name, expected, value = entry.field_name, entry.new_value, entry.old_value
    values: dict[str, object] = {name: value, "updated_at": utcnow()}
    if name in MANUAL_OF:
        values[MANUAL_OF[name]] = True
    claimed = session.execute(sa.update(_T).where(_T.c.id == row.id, _T.c[name] == expected).values(values))
    if claimed.rowcount != 1:
        session.refresh(row)
        raise _changed_since(entry, getattr(row, name))
    session.refresh(row)
    log_changes(
        session,
        [(row.id, name, expected, value)],
        source=ChangeSource.MANUAL.value,
        actor=actor,
        comment=f"revert of change #{entry.id}",
    )
    recompute_month(session, row.month, keys=[group_key(row.serial_number, row.inventory_number, row.id)])
    announce(session, row.month, [row.id])
    return RevertResult(entry_id=entry.id, row_id=row.id, field=name, value=value)


def _not_allowed() -> str:
    return gettext("Not allowed: reverting a change needs the permission to edit end counters.")
