"""/api/v1/printers: the printers list (the page's filters, sort and paging), detail, create / update / delete,
poll history, latest counters and supplies, and "Poll now" with its result.

Contract: every route checks the permissions of the matching page action (inventory.view_printer to read,
add_/change_/delete_printer to write, run_inventory to poll) and goes through the same services as the page
(services/inventory/printer_list.py, printers.py, polling/history.py, workers/jobs.py): the same validation,
the same change log. Unknown sorts, page sizes or filter values are 422 problems, never silently replaced.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import select

from printer_app.api.v1.paging import Page, cached_json, checked_size, paged
from printer_app.api.v1.schemas import Latest, Poll, PollRequest, Printer, PrinterIn, PrinterListItem, PrinterUpdate
from printer_app.api.v1.security import Caller, db, documented, requires
from printer_app.models import DeviceModel, InventoryTask, Manufacturer, Organization, PageCounter
from printer_app.models import Printer as PrinterRow
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.audit import Actor
from printer_app.services.inventory import printers as printer_service
from printer_app.services.inventory.health import GROUPS
from printer_app.services.inventory.printer_list import (
    NO_RULE_YET,
    SORTABLE,
    SUPPLY_KEYS,
    PrinterFilters,
    list_printers,
)
from printer_app.services.paging import PAGE_SIZES
from printer_app.services.polling.history import latest_supplies, list_polls
from printer_app.services.polling.pipeline import result_payload
from printer_app.services.polling.results import results_since

VIEW = ("inventory.access_inventory_app", "inventory.view_printer")
ADD = (*VIEW, "inventory.add_printer")
CHANGE = (*VIEW, "inventory.change_printer")
DELETE = (*VIEW, "inventory.delete_printer")
RUN = (*VIEW, "inventory.run_inventory")
COUNTERS = ("total", "bw_a4", "color_a4", "bw_a3", "color_a3")

router = APIRouter(prefix="/v1/printers", tags=["printers"])
PrinterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(description=f"One of {', '.join(map(str, PAGE_SIZES))}")]
SortKey = Literal[tuple(SORTABLE)]  # type: ignore[valid-type]
StatusFilter = Literal[tuple(s.value for s in TaskStatus if s != TaskStatus.NEVER_RUN)]  # type: ignore[valid-type]
# The list's filters: "" any; a poll status, NEVER_RUN or a dashboard group; a match rule or UNSET (never matched).
ListStatus = Literal[("", *(s.value for s in TaskStatus), *GROUPS)]  # type: ignore[valid-type]
MatchFilter = Literal[("", NO_RULE_YET, *(m.value for m in MatchRule))]  # type: ignore[valid-type]


def _actor(request: Request, who: Caller) -> Actor:
    client = request.client.host if request.client else None
    return Actor(user_id=who.user_id, ip=client, user_agent=request.headers.get("user-agent", "")[:500])


@router.get(
    "",
    response_model=Page[PrinterListItem],
    summary="List printers",
    openapi_extra=documented(*VIEW),
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def printers(
    request: Request,
    who: Annotated[Caller, Depends(requires(*VIEW))],
    search: Annotated[str, Query(max_length=200)] = "",
    organization: Annotated[str, Query(max_length=20, pattern=r"^(|none|\d+)$")] = "",
    model: Annotated[str, Query(max_length=20, pattern=r"^(|\d+)$")] = "",
    match_rule: MatchFilter = "",
    status: ListStatus = "",
    active: Literal["active", "inactive", "all"] = "active",
    supply_below: Annotated[int | None, Query(ge=1, le=100)] = None,
    supply: Annotated[str, Query(pattern="^(" + "|".join(SUPPLY_KEYS) + ")?$")] = "",
    sort: SortKey = "ip",
    descending: bool = False,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Response:
    """The printers the page shows with the same filters, in the same order, one page at a time."""
    filters = PrinterFilters(
        search=search,
        organization=organization,
        model=model,
        match_rule=match_rule,
        status=status,
        active=active,
        supply_below=supply_below,
        supply=supply,
    )
    size = checked_size(page_size)
    with db(request, who) as session:
        result = list_printers(session, filters=filters, sort=sort, descending=descending, page=page, page_size=size)
    items = [PrinterListItem(**_plain(r)).model_dump() for r in result.rows]
    return paged(request, items, total=result.total, page=result.page, page_size=size)


def _plain(row) -> dict:
    values = dataclasses.asdict(row)
    return {k: v for k, v in values.items() if k in PrinterListItem.model_fields}


_DERIVED = {"organization", "device_model"}


def _printer(session, printer: PrinterRow) -> Printer:
    org = session.get(Organization, printer.organization_id) if printer.organization_id else None
    model = session.get(DeviceModel, printer.device_model_id) if printer.device_model_id else None
    maker = session.get(Manufacturer, model.manufacturer_id) if model is not None else None
    label = " ".join(x for x in (maker.name if maker else "", model.name if model else "") if x)
    return Printer(
        **{name: getattr(printer, name, None) for name in Printer.model_fields if name not in _DERIVED},
        organization=org.name if org else "",
        device_model=label,
    )


@router.get("/{printer_id}", response_model=Printer, summary="A printer", openapi_extra=documented(*VIEW))
def printer(request: Request, printer_id: PrinterId, who: Annotated[Caller, Depends(requires(*VIEW))]) -> Printer:
    with db(request, who) as session:
        return _printer(session, printer_service.get_printer(session, printer_id=printer_id))


def _input(body: PrinterIn) -> printer_service.PrinterInput:
    values = body.model_dump(exclude={"version"})
    return printer_service.PrinterInput(**values)


@router.post("", response_model=Printer, status_code=201, summary="Add a printer", openapi_extra=documented(*ADD))
def create(
    request: Request, body: PrinterIn, response: Response, who: Annotated[Caller, Depends(requires(*ADD))]
) -> Printer:
    """The page form's validation; contract devices with its serial are linked; written to the change log."""
    with db(request, who) as session:
        stored = printer_service.create_printer(session, data=_input(body), actor=_actor(request, who))
        session.flush()
        answer = _printer(session, stored)
    response.headers["Location"] = str(request.url_for("printer", printer_id=answer.id))
    return answer


@router.put("/{printer_id}", response_model=Printer, summary="Change a printer", openapi_extra=documented(*CHANGE))
def update(
    request: Request, printer_id: PrinterId, body: PrinterUpdate, who: Annotated[Caller, Depends(requires(*CHANGE))]
) -> Printer:
    """Replace the user-editable fields; with `version`, a save over someone else's change is a 409."""
    with db(request, who) as session:
        stored = printer_service.update_printer(
            session, printer_id=printer_id, data=_input(body), version=body.version, actor=_actor(request, who)
        )
        session.flush()
        return _printer(session, stored)


@router.delete("/{printer_id}", status_code=204, summary="Delete a printer", openapi_extra=documented(*DELETE))
def delete(request: Request, printer_id: PrinterId, who: Annotated[Caller, Depends(requires(*DELETE))]) -> Response:
    """With its poll history; contract devices keep their row, unlinked."""
    with db(request, who) as session:
        printer_service.delete_printer(session, printer_id=printer_id, actor=_actor(request, who))
    return Response(status_code=204)


@router.get(
    "/{printer_id}/polls",
    response_model=Page[Poll],
    summary="Poll history of a printer",
    openapi_extra=documented(*VIEW),
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def polls(
    request: Request,
    printer_id: PrinterId,
    who: Annotated[Caller, Depends(requires(*VIEW))],
    status: StatusFilter | None = None,
    page: PageNo = 1,
    page_size: PageSize = 25,
) -> Response:
    """Newest first, as on the printer's page."""
    size = checked_size(page_size)
    with db(request, who) as session:
        printer_service.get_printer(session, printer_id=printer_id)
        result = list_polls(session, printer_id=printer_id, page=page, page_size=size, status=status or "")
    items = [Poll(**{k: v for k, v in dataclasses.asdict(r).items() if k in Poll.model_fields}) for r in result.rows]
    return paged(request, [i.model_dump() for i in items], total=result.total, page=result.page, page_size=size)


@router.get(
    "/{printer_id}/latest",
    response_model=Latest,
    summary="Latest counters and supplies",
    openapi_extra=documented(*VIEW),
)
def latest(request: Request, printer_id: PrinterId, who: Annotated[Caller, Depends(requires(*VIEW))]) -> Response:
    with db(request, who) as session:
        stored = printer_service.get_printer(session, printer_id=printer_id)
        counter = session.get(PageCounter, stored.last_counter_id) if stored.last_counter_id else None
        supplies = [s.model_dump() for s in latest_supplies(session, stored)]
        body = {
            "printer_id": stored.id,
            "read_at": stored.last_success_at,
            **{
                k: (counter.total_pages if k == "total" else getattr(counter, k)) if counter else None for k in COUNTERS
            },
            "supplies": supplies,
        }
    return cached_json(request, Latest(**body).model_dump())


def _status_url(request: Request, printer_id: int, task_id: str) -> str:
    return str(request.url_for("poll_result", printer_id=printer_id, task_id=task_id))


@router.post(
    "/{printer_id}/poll",
    response_model=PollRequest,
    status_code=202,
    summary="Poll now",
    openapi_extra=documented(*RUN),
)
def poll_now(request: Request, printer_id: PrinterId, who: Annotated[Caller, Depends(requires(*RUN))]) -> PollRequest:
    """Queue a high-priority poll through the workers (as the page's "Poll now"); read the result at status_url."""
    from workers import jobs

    with db(request, who) as session:
        printer_service.get_printer(session, printer_id=printer_id)
    message_id, at_ms = jobs.request_poll(printer_id)
    task_id = f"{at_ms}.{message_id}"
    return PollRequest(task_id=task_id, status_url=_status_url(request, printer_id, task_id), state="queued")


@router.get(
    "/{printer_id}/poll/{task_id}",
    name="poll_result",
    response_model=PollRequest,
    summary="Result of a Poll now",
    openapi_extra=documented(*VIEW),
)
def poll_result(
    request: Request,
    printer_id: PrinterId,
    task_id: Annotated[str, Path(max_length=80, pattern=r"^\d{1,15}\.[0-9a-f-]{1,64}$")],
    who: Annotated[Caller, Depends(requires(*VIEW))],
) -> PollRequest:
    """ "done" with the poll's result (the poll run for this request, or the one it was folded into), else "queued"."""
    at_ms, message_id = task_id.split(".", 1)
    with db(request, who) as session:
        stored = printer_service.get_printer(session, printer_id=printer_id)
        task = session.exec(
            select(InventoryTask).where(InventoryTask.message_id == message_id, InventoryTask.printer_id == printer_id)
        ).first()
        if task is not None:
            result = result_payload(session, stored, task)
        else:
            since = datetime.fromtimestamp(int(at_ms) / 1000, UTC)
            result = results_since(session, {printer_id: since}).get(printer_id)
    done = bool(result and result.get("status") is not None)
    return PollRequest(
        task_id=task_id,
        status_url=_status_url(request, printer_id, task_id),
        state="done" if done else "queued",
        result=result if done else None,
    )
