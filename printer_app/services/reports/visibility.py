"""Which months a user may see (docs/reports.md §10.1): a published month, or any month for users with
`can_manage_month_visibility`. A month without a control row counts as unpublished."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models import MonthControl, MonthlyReport


def month_control(session: Session, month: date) -> MonthControl | None:
    return session.exec(sa.select(MonthControl).where(MonthControl.month == month)).scalars().first()


def month_visible(session: Session, month: date, *, can_manage: bool) -> bool:
    """Whether the month exists for this user: it has rows or a control row, and is published or the user may
    manage visibility."""
    control = month_control(session, month)
    if control is None:
        has_rows = session.execute(sa.select(MonthlyReport.id).where(MonthlyReport.month == month).limit(1)).first()
        return can_manage and has_rows is not None
    return can_manage or control.is_published


def visible_months(session: Session, *, can_manage: bool) -> list[date]:
    """Every month with rows or a control row that the user may see, newest first."""
    with_rows = {m for (m,) in session.execute(sa.select(MonthlyReport.month).distinct())}
    controls = {c.month: c.is_published for c in session.exec(sa.select(MonthControl)).scalars()}
    months = with_rows | set(controls)
    return sorted((m for m in months if can_manage or controls.get(m, False)), reverse=True)
