"""Helpers of the report upload tests: analyse and store a workbook, import it, read a month back.

from tests.integration.report_upload_fixtures import app_database_fixture  # noqa: F401
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models.reports import MonthlyReport
from printer_app.services.reports import importing, upload
from tests.integration.contract_import_fixtures import app_database_fixture  # noqa: F401

MONTH = date(2026, 3, 1)
_T = MonthlyReport.__table__


def analysed(session: Session, data: bytes, *, month: date = MONTH, name: str = "month.xlsx", **options: Any) -> int:
    """Analyse and store a workbook (committed); its upload id. Fails the test when the analysis refused it."""
    analysis = upload.analyse(session, data, file_name=name)
    assert not analysis.refused, analysis.summary()
    stored = upload.store(session, analysis, month=month, user_id=None, options=importing.options_of(**options))
    session.commit()
    return stored.id


def import_bytes(session: Session, data: bytes, *, month: date = MONTH, **options: Any) -> dict[str, Any]:
    return importing.import_upload(analysed(session, data, month=month, **options), user_id=None)


def month_rows(session: Session, month: date = MONTH) -> list[dict[str, Any]]:
    """The month's rows as dicts, by (order_number, id)."""
    session.expire_all()
    query = sa.select(_T).where(_T.c.month == month).order_by(_T.c.order_number, _T.c.id)
    return [dict(r) for r in session.execute(query).mappings()]
