"""One printer's page: its identity, what its stored polls say, a page of its poll history and its chart series."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from printer_app.models import Organization, Printer, SupplyLevel
from printer_app.services.inventory.device_models import model_label
from printer_app.services.inventory.printers import get_printer
from printer_app.services.polling.baseline import rejected_counters
from printer_app.services.polling.history import PollPage, counter_series, latest_supplies, list_polls, supply_series


@dataclass
class Charts:
    """The printer's counters and supply levels over time, oldest first."""

    counters: list[dict[str, Any]]
    supplies: list[dict[str, Any]]


@dataclass
class PrinterDetail:
    """Everything the printer's page shows, read in one session."""

    printer: Printer
    organization: str  # its name, "" when none
    model: str  # "Manufacturer Model", else the model text the poller learned ("" when neither)
    supplies: list[SupplyLevel]  # as the last successful poll stored them
    rejected: str  # the history check's latest rejection nothing was accepted after ("" when none)
    polls: PollPage
    charts: Charts


def printer_charts(session: Session, *, printer_id: int, days: int) -> Charts:
    """The chart series of the last `days` days."""
    return Charts(
        counters=counter_series(session, printer_id=printer_id, days=days),
        supplies=supply_series(session, printer_id=printer_id, days=days),
    )


def printer_detail(
    session: Session, *, printer_id: int, page: int, page_size: int, status: str, days: int
) -> PrinterDetail:
    """The printer (NotFoundError when there is none), a page of its polls (of `status` only, "" for all) and its
    charts of the last `days` days."""
    printer = get_printer(session, printer_id=printer_id)
    org = session.get(Organization, printer.organization_id) if printer.organization_id else None
    rejection = rejected_counters(session, printer)
    return PrinterDetail(
        printer=printer,
        organization=org.name if org else "",
        model=model_label(session, printer).model,
        supplies=latest_supplies(session, printer),
        rejected=rejection.error_message if rejection else "",
        polls=list_polls(session, printer_id=printer.id, page=page, page_size=page_size, status=status),
        charts=printer_charts(session, printer_id=printer.id, days=days),
    )
