"""One printer's page: its identity, what its stored polls say, a page of its poll history and its chart series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from printer_app.models import Organization, Printer, SupplyLevel
from printer_app.services.inventory.device_models import model_label
from printer_app.services.inventory.printers import get_printer
from printer_app.services.polling.baseline import rejected_counters
from printer_app.services.polling.history import PollPage, latest_supplies, list_polls
from printer_app.services.polling.usage import Usage, usage


@dataclass
class Charts:
    """Pages printed per day or month, oldest first (the supply levels chart is services/supplies/printer_supplies.py's
    with the forecasts)."""

    usage: Usage


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


def usage_span(period: str, days: int, today: date) -> tuple[date, date]:
    """The local dates the pages chart covers: the last `days` days, or per month the last twelve months."""
    if period == "month":
        month = today.year * 12 + today.month - 1 - 11
        return date(month // 12, month % 12 + 1, 1), today
    return today - timedelta(days=days - 1), today


def printer_charts(session: Session, *, printer_id: int, days: int, period: str, tz: ZoneInfo) -> Charts:
    """The pages chart: per day over the last `days` days, or per month."""
    first, last = usage_span(period, days, datetime.now(tz).date())
    return Charts(
        usage=usage(session, printer_id=printer_id, tz=tz, period=period, first=first, last=last),
    )


def printer_detail(
    session: Session, *, printer_id: int, page: int, page_size: int, status: str, days: int, period: str, tz: ZoneInfo
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
        charts=printer_charts(session, printer_id=printer.id, days=days, period=period, tz=tz),
    )
