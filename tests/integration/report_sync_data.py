"""Helpers of the month sync tests: a month with its control row, rows, printers and polls, a row read back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models import MonthControl, MonthlyReport, Printer
from printer_app.models.base import utcnow
from printer_app.services.polling.history import PollOutcome, record_poll
from printer_app.services.reports.sync_poll import current_month

_T = MonthlyReport.__table__


def this_month() -> date:
    return current_month(utcnow())


def open_month(session: Session, month: date, *, auto_sync: bool = True, closed: bool = False) -> MonthControl:
    """The month's control row: editable for a day more (or closed), auto-sync on or off."""
    until = None if closed else utcnow() + timedelta(days=1)
    control = MonthControl(month=month, edit_until=until, is_published=True, auto_sync_enabled=auto_sync)
    session.add(control)
    session.flush()
    return control


def add_row(session: Session, month: date, serial: str, **values: Any) -> int:
    row = MonthlyReport(month=month, organization="Org", serial_number=serial, **values)
    session.add(row)
    session.flush()
    return row.id


def poll(session: Session, printer: Printer, at: datetime, **counters: int | None) -> None:
    """A stored successful poll with these PageCounter values (bw_a4=..., color_a4=..., ...)."""
    values = {"total_pages": sum(v or 0 for v in counters.values()), **counters}
    record_poll(session, printer=printer, outcome=PollOutcome(status="SUCCESS", counters=values, at=at))


def row_of(session: Session, row_id: int) -> dict[str, Any]:
    session.expire_all()
    return dict(session.execute(sa.select(_T).where(_T.c.id == row_id)).mappings().one())
