"""/api/v1/reports/{month}/rows/{row_id}/...: a monthly report row's counters changed through the same rules as the
month table (services/reports/counter_edit.py, docs/reports.md §10.5).

Contract: start and end counters are two operations, each naming exactly the permission it needs
(`edit_counters_start` / `edit_counters_end`, with `access_monthly_report`); the reset of an end counter to its
inventory value needs `can_reset_auto_polling`. A field the user may not change now (closed month, duplicate-group
position, model spec, auto-lock) or a bad value is a 422 problem naming the reason; with `expected` (the value the
client read) a save over someone else's change is a 409 naming the value stored now, nothing written. A row that is
not in that month, or a month the caller may not see, is a 404. Every change is in the row's change log with the
caller, their address and user agent, and reaches the month's open tabs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from printer_app.api.v1.problems import Problem
from printer_app.api.v1.security import Caller, db, documented, requires
from printer_app.models import MonthlyReport
from printer_app.services.access.roles import PERMISSIONS
from printer_app.services.audit import Actor
from printer_app.services.reports import counter_edit
from printer_app.services.reports.columns import END_FIELDS, START_FIELDS
from printer_app.services.reports.months import parse_report_month
from printer_app.services.reports.numbers import MAX_COUNTER
from printer_app.services.reports.visibility import month_visible

ACCESS = "monthly_report.access_monthly_report"
EDIT_START = (ACCESS, "monthly_report.edit_counters_start")
EDIT_END = (ACCESS, "monthly_report.edit_counters_end")
RESET = (ACCESS, "monthly_report.can_reset_auto_polling")
VISIBILITY = "monthly_report.can_manage_month_visibility"

router = APIRouter(prefix="/v1/reports", tags=["monthly reports"])
Month = Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])]
RowId = Annotated[int, Path(ge=1, le=2**62)]


StartField = Literal[START_FIELDS]  # type: ignore[valid-type]
EndField = Literal[END_FIELDS]  # type: ignore[valid-type]


class _Change(BaseModel):
    value: int = Field(ge=0, le=MAX_COUNTER, description="The new counter value, 0 to 100,000,000")
    expected: int | None = Field(None, ge=0, description="The value the client read: refused with 409 if it changed")


class StartCounterChange(_Change):
    field: StartField


class EndCounterChange(_Change):
    field: EndField


class CounterReset(BaseModel):
    field: EndField


class CounterStored(BaseModel):
    row_id: int
    field: str
    value: int
    manual: bool = Field(description="The end counter was changed by hand (auto-sync leaves it)")
    total_prints: int
    changed: bool


def _actor(request: Request, who: Caller) -> Actor:
    client = request.client.host if request.client else None
    return Actor(user_id=who.user_id, ip=client, user_agent=request.headers.get("user-agent", "")[:500])


def _permissions(who: Caller) -> frozenset[str]:
    return frozenset(PERMISSIONS) if who.principal.is_superuser else who.principal.permissions


def _check_row(session, month: str, row_id: int, who: Caller) -> None:
    try:
        first = parse_report_month(month)
    except ValueError as exc:
        raise Problem(422, str(exc), errors={"month": str(exc)}) from exc
    row = session.get(MonthlyReport, row_id)
    if row is None or row.month != first or not month_visible(session, first, can_manage=who.principal.can(VISIBILITY)):
        raise Problem(404, f"Row {row_id} of month {month} does not exist.")


def _edit(request: Request, month: str, row_id: int, body: _Change, who: Caller) -> CounterStored:
    with db(request, who) as session:
        _check_row(session, month, row_id, who)
        result = counter_edit.edit_counter(
            session,
            row_id=row_id,
            field=body.field,
            text=str(body.value),
            loaded=body.expected,
            permissions=_permissions(who),
            actor=_actor(request, who),
        )
        return CounterStored(**vars(result))


@router.patch(
    "/{month}/rows/{row_id}/start-counters",
    response_model=CounterStored,
    summary="Change a start counter of a report row",
    openapi_extra=documented(*EDIT_START),
)
def edit_start(
    request: Request,
    month: Month,
    row_id: RowId,
    body: StartCounterChange,
    who: Annotated[Caller, Depends(requires(*EDIT_START))],
) -> CounterStored:
    """One of a4_bw_start, a4_color_start, a3_bw_start, a3_color_start, by the month table's rules."""
    return _edit(request, month, row_id, body, who)


@router.patch(
    "/{month}/rows/{row_id}/end-counters",
    response_model=CounterStored,
    summary="Change an end counter of a report row",
    openapi_extra=documented(*EDIT_END),
)
def edit_end(
    request: Request,
    month: Month,
    row_id: RowId,
    body: EndCounterChange,
    who: Annotated[Caller, Depends(requires(*EDIT_END))],
) -> CounterStored:
    """One of a4_bw_end, a4_color_end, a3_bw_end, a3_color_end; sets its manual flag (auto-sync leaves it)."""
    return _edit(request, month, row_id, body, who)


@router.post(
    "/{month}/rows/{row_id}/end-counters/reset",
    response_model=CounterStored,
    status_code=200,
    summary="Reset an end counter to its inventory value",
    openapi_extra=documented(*RESET),
)
def reset(
    request: Request,
    month: Month,
    row_id: RowId,
    body: CounterReset,
    who: Annotated[Caller, Depends(requires(*RESET))],
) -> CounterStored:
    """Clears the manual flag and puts back the value the last inventory sync gave."""
    with db(request, who) as session:
        _check_row(session, month, row_id, who)
        result = counter_edit.reset_to_inventory(
            session, row_id=row_id, field=body.field, permissions=_permissions(who), actor=_actor(request, who)
        )
        return CounterStored(**vars(result))
