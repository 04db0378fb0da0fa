"""State of one printer's page: identity, paged poll history and chart series."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import select

from printer_app.db import session_scope
from printer_app.models import DeviceModel, Manufacturer, Organization
from printer_app.models.choices import ConnectionType, MatchRule, PollingMethod, TaskStatus
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.printers import get_printer
from printer_app.services.paging import clamp_page, parse_page, parse_page_size
from printer_app.services.polling.baseline import accept_counter_baseline, rejected_counters
from printer_app.services.polling.history import counter_series, latest_supplies, list_polls, supply_series
from printer_app.state import view
from printer_app.state.live.hub import watch
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState, requires, requires_page
from printer_app.state.view import (
    SUPPLY_CSS_BY_WORD,
    SupplyView,
    local_time,
    not_a_choice,
    number,
    printer_id_from_path,
    refusal_text,
    stored_supply_view,
)

CHART_RANGES = [["7", "7 days"], ["30", "30 days"], ["90", "90 days"], ["365", "1 year"]]
CHART_DAYS = tuple(d for d, _ in CHART_RANGES)
STATUS_FILTERS = ("all", *(s.value for s in TaskStatus if s != TaskStatus.NEVER_RUN))


@dataclass
class PollView:
    id: int = 0
    at: str = ""
    status: str = ""
    error: str = ""
    match_rule: str = ""
    source: str = ""
    total: str = ""
    bw_a4: str = ""
    color_a4: str = ""
    bw_a3: str = ""
    color_a3: str = ""
    note: str = ""  # what a successful poll did not get
    unchecked: bool = False  # accepted although the history check crashed


VIEW = ("inventory.access_inventory_app", "inventory.view_printer")


class PrinterDetailState(SessionState):
    """The printer detail page."""

    printer_id: int = 0
    not_found: str = ""
    identity: dict[str, str] = {}
    is_active: bool = True
    polls: list[PollView] = []
    polls_total: int = 0
    page: int = 1
    page_size: int = 25
    status_filter: str = "all"
    chart_days: str = "30"
    counter_points: list[dict[str, str | int | None]] = []
    supply_points: list[dict[str, str | int | None]] = []
    supply_lines: list[list[str]] = []
    supplies: list[SupplyView] = []  # as the last successful poll stored them
    unverified: bool = False  # match rule NONE: neither serial nor MAC to check the device by
    rejected: str = ""  # the history check's latest rejection nothing was accepted after (offer the baseline)

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.polls_total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.polls_total, self.page, self.page_size, len(self.polls), "No polls yet")

    @rx.event
    @requires_page(*VIEW)
    def load(self):
        self.printer_id = printer_id_from_path(self.router.url.path)
        watch.show(self.router.session.client_token, [self.printer_id])
        self.page, self.status_filter = 1, "all"
        self._reload()
        return LiveState.listen("detail")

    @rx.event
    @requires(*VIEW)
    def reload(self) -> None:
        """Refresh after a change made elsewhere (edit dialog)."""
        self._reload()

    def _reload(self) -> None:
        if not self.printer_id:
            self.not_found, self.identity = "This address names no printer", {}
            return
        with session_scope() as session:
            try:
                p = get_printer(session, printer_id=self.printer_id)
            except NotFoundError as exc:
                self.not_found = str(exc)
                self.identity = {}
                return
            org = session.get(Organization, p.organization_id) if p.organization_id else None
            model = p.model or "—"
            if p.device_model_id:
                row = session.exec(
                    select(Manufacturer.name, DeviceModel.name)
                    .join(DeviceModel, DeviceModel.manufacturer_id == Manufacturer.id)
                    .where(DeviceModel.id == p.device_model_id)
                ).first()
                model = f"{row[0]} {row[1]}" if row else model
            self.not_found = ""
            self.is_active = p.is_active
            self.identity = {
                "IP address": p.ip_address,
                "Serial number": p.serial_number or "—",
                "MAC address": p.mac_address or "—",
                "Model": model,
                "Organization": org.name if org else "—",
                "SNMP community": p.snmp_community,
                "Polling method": PollingMethod(p.polling_method).label,
                "Connection": ConnectionType(p.connection_type).label,
                "Match rule": MatchRule(p.last_match_rule).label if p.last_match_rule else "—",
                "Last poll": local_time(p.last_poll_at),
                "Last status": TaskStatus(p.last_poll_status).label if p.last_poll_status else "Never polled",
                "Last successful poll": local_time(p.last_success_at),
                "Added": local_time(p.created_at),
            }
            self._load_poll_state(session, p)
            self._load_polls(session)
            self._load_charts(session)

    def _load_polls(self, session) -> None:
        status = "" if self.status_filter == "all" else self.status_filter
        result = list_polls(
            session, printer_id=self.printer_id, page=self.page, page_size=self.page_size, status=status
        )
        self.polls_total, self.page = result.total, result.page
        self.polls = [
            PollView(
                id=r.id,
                at=local_time(r.at),
                status=r.status,
                error=r.error,
                match_rule=MatchRule(r.match_rule).label if r.match_rule else "—",
                source=r.source,
                total=number(r.total),
                bw_a4=number(r.bw_a4),
                color_a4=number(r.color_a4),
                bw_a3=number(r.bw_a3),
                color_a3=number(r.color_a3),
                note=r.note,
                unchecked=r.history_check_failed,
            )
            for r in result.rows
        ]

    def _load_charts(self, session) -> None:
        days = int(self.chart_days)
        self.counter_points = [
            {**{k: v for k, v in p.items() if k != "at"}, "at": local_time(p["at"])}
            for p in counter_series(session, printer_id=self.printer_id, days=days)
        ]
        points = supply_series(session, printer_id=self.printer_id, days=days)
        keys = sorted({k for p in points for k in p if k != "at"})
        self.supply_lines = [[k, _supply_colour(k)] for k in keys]
        self.supply_points = [{**p, "at": local_time(p["at"])} for p in points]

    # Every input below is checked before it is assigned: a value the page would trip over is never kept.

    @rx.event
    @requires(*VIEW)
    def go_to(self, page: int):
        try:
            wanted = parse_page(page)
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        self.page = clamp_page(wanted, self.polls_total, self.page_size)
        with session_scope() as session:
            self._load_polls(session)
        return None

    @rx.event
    @requires(*VIEW)
    def set_page_size(self, value: str):
        try:
            self.page_size, self.page = parse_page_size(value), 1
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        with session_scope() as session:
            self._load_polls(session)
        return None

    @rx.event
    @requires(*VIEW)
    def set_status_filter(self, value: str):
        if value not in STATUS_FILTERS:
            return rx.toast.error(not_a_choice(value))
        self.status_filter, self.page = value, 1
        with session_scope() as session:
            self._load_polls(session)
        return None

    @rx.event
    @requires(*VIEW)
    def set_chart_days(self, value: str | list[str]):
        days = value[0] if isinstance(value, list) and len(value) == 1 else value
        if days not in CHART_DAYS:
            return rx.toast.error(not_a_choice(value))
        self.chart_days = days
        with session_scope() as session:
            self._load_charts(session)
        return None

    def _load_poll_state(self, session, printer) -> None:
        """What the stored polls say beyond the identity: supplies, identity flag, an unaccepted counter reset."""
        if printer.counter_baseline_at is not None:
            self.identity["Counter baseline"] = local_time(printer.counter_baseline_at)
        self.supplies = [
            stored_supply_view(s.description, s.color, s.percent, s.state) for s in latest_supplies(session, printer)
        ]
        self.unverified = printer.last_match_rule == MatchRule.NONE
        rejection = rejected_counters(session, printer)
        self.rejected = rejection.error_message if rejection else ""

    @rx.event
    @requires(*VIEW, "inventory.change_printer")
    def accept_baseline(self):
        """A genuine counter reset: later polls are compared only with counters read from now on (audited)."""
        try:
            with session_scope() as session:
                accept_counter_baseline(session, printer_id=self.printer_id, actor=self._actor())
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self._reload()
        return rx.toast.success("New counters accepted: the next poll starts the counter history afresh.")


def _supply_colour(description: str) -> str:
    low = description.lower()
    for word, css in SUPPLY_CSS_BY_WORD.items():
        if word in low:
            return css
    return "#8b8d98"
