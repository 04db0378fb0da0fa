"""/api/v1/organizations, /api/v1/contract-devices and /api/v1/reports/{month}/rows: read-only lists.

Contract: the permissions of the matching pages (organizations page, contracts page, month table); the same
services (services/inventory/organizations.py, services/contracts/device_list.py, services/reports/month_table.py).
A month the caller may not see (unpublished without can_manage_month_visibility, or without rows) is a 404 —
the same answer as a month that does not exist, so its existence does not leak.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from printer_app.api.v1.paging import Page, checked_size, paged
from printer_app.api.v1.problems import Problem
from printer_app.api.v1.schemas import ContractDevice, Organization, ReportRow
from printer_app.api.v1.security import Caller, db, documented, requires
from printer_app.services.contracts import device_list
from printer_app.services.inventory.organizations import ORGANIZATION_SORTS, list_organizations
from printer_app.services.paging import PAGE_SIZES, clamp_page
from printer_app.services.reports import month_table
from printer_app.services.reports.months import parse_report_month
from printer_app.services.reports.visibility import month_visible

ORG_VIEW = ("inventory.access_inventory_app", "inventory.view_organization")
DEVICE_VIEW = ("contracts.access_contracts_app", "contracts.view_contractdevice")
REPORT_VIEW = ("monthly_report.access_monthly_report",)
VISIBILITY = "monthly_report.can_manage_month_visibility"
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match)"}}

router = APIRouter(prefix="/v1")
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(description=f"One of {', '.join(map(str, PAGE_SIZES))}")]
Id = Annotated[str, Query(max_length=20, pattern=r"^(|\d+)$")]
IdOrNone = Annotated[str, Query(max_length=20, pattern=r"^(|NONE|\d+)$")]


@router.get(
    "/organizations",
    response_model=Page[Organization],
    tags=["organizations"],
    summary="List organizations",
    openapi_extra=documented(*ORG_VIEW),
    responses=NOT_MODIFIED,
)
def organizations(
    request: Request,
    who: Annotated[Caller, Depends(requires(*ORG_VIEW))],
    search: Annotated[str, Query(max_length=200)] = "",
    show: Literal["all", "active", "inactive"] = "all",
    sort: Literal[ORGANIZATION_SORTS] = "name",  # type: ignore[valid-type]
    descending: bool = False,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Response:
    """With their total and active printer counts, as on the organizations page."""
    size = checked_size(page_size)
    with db(request, who) as session:
        rows = list_organizations(session, search=search, show=show, sort=sort, descending=descending)
    page = clamp_page(page, len(rows), size)
    items = [dataclasses.asdict(r) for r in rows[(page - 1) * size : page * size]]
    return paged(request, items, total=len(rows), page=page, page_size=size)


@router.get(
    "/contract-devices",
    response_model=Page[ContractDevice],
    tags=["contracts"],
    summary="List contract devices",
    openapi_extra=documented(*DEVICE_VIEW),
    responses=NOT_MODIFIED,
)
def contract_devices(
    request: Request,
    who: Annotated[Caller, Depends(requires(*DEVICE_VIEW))],
    search: Annotated[str, Query(max_length=200)] = "",
    organization: Id = "",
    city: Id = "",
    manufacturer: Id = "",
    model: Id = "",
    status: IdOrNone = "",
    provider: IdOrNone = "",
    linked: Literal["", "LINKED", "UNLINKED"] = "",
    month_from: date | None = None,
    month_to: date | None = None,
    sort: Literal[tuple(device_list.SORTABLE)] = device_list.DEFAULT_SORT,  # type: ignore[valid-type]
    descending: bool = False,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Response:
    """The contracts page's filters, sort and paging."""
    filters = device_list.DeviceFilters(
        search=search,
        organization=organization,
        city=city,
        manufacturer=manufacturer,
        model=model,
        status=status,
        provider=provider,
        linked=linked,
        month_from=month_from,
        month_to=month_to,
    )
    size = checked_size(page_size)
    with db(request, who) as session:
        result = device_list.list_devices(
            session, filters=filters, sort=sort, descending=descending, page=page, page_size=size
        )
    fields = ContractDevice.model_fields
    items = [{k: v for k, v in dataclasses.asdict(r).items() if k in fields} for r in result.rows]
    return paged(request, items, total=result.total, page=result.page, page_size=size)


@router.get(
    "/reports/{month}/rows",
    response_model=Page[ReportRow],
    tags=["monthly reports"],
    summary="Rows of a monthly report",
    openapi_extra=documented(*REPORT_VIEW),
    responses=NOT_MODIFIED,
)
def report_rows(
    request: Request,
    month: Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])],
    who: Annotated[Caller, Depends(requires(*REPORT_VIEW))],
    organization: Annotated[str, Query(max_length=300)] = "",
    city: Annotated[str, Query(max_length=300)] = "",
    model: Annotated[str, Query(max_length=300)] = "",
    search: Annotated[str, Query(max_length=200)] = "",
    sort: Literal[month_table.SORTABLE] = month_table.DEFAULT_SORT,  # type: ignore[valid-type]
    descending: bool = False,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Response:
    """The month table's rows (unpublished months only with can_manage_month_visibility)."""
    try:
        first = parse_report_month(month)
    except ValueError as exc:
        raise Problem(422, str(exc), errors={"month": str(exc)}) from exc
    size = checked_size(page_size)
    filters = month_table.TableFilters(organization=organization, city=city, model=model, search=search)
    with db(request, who) as session:
        if not month_visible(session, first, can_manage=who.principal.can(VISIBILITY)):
            raise Problem(404, f"Month {month} does not exist.")
        result = month_table.month_table(
            session, first, filters=filters, sort=sort, descending=descending, page=page, page_size=size
        )
    items = [
        {
            "id": r.id,
            "values": r.values,
            "anomalies": list(r.anomalies),
            "group_size": r.group_size,
            "group_position": r.group_position,
        }
        for r in result.rows
    ]
    return paged(request, items, total=result.total, page=result.page, page_size=size)
