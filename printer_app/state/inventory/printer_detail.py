"""State of one printer's page: identity, paged poll history and chart series."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import N_, format_period, gettext
from printer_app.models.choices import ConnectionType, MatchRule, PollingMethod, TaskStatus
from printer_app.services.access.change_log import ChangeFilters, list_changes
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.printer_detail import Charts, PrinterDetail, printer_charts, printer_detail
from printer_app.services.paging import clamp_page, parse_page, parse_page_size
from printer_app.services.polling.baseline import accept_counter_baseline
from printer_app.services.polling.history import PollPage, list_polls
from printer_app.state import view
from printer_app.state.changes import ChangeView, change_view
from printer_app.state.live.hub import watch
from printer_app.state.live.pages import LivePage, register
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.view import (
    SupplyView,
    local_time,
    not_a_choice,
    number,
    printer_id_from_path,
    refusal_text,
    stored_supply_view,
)

CHART_RANGES = [["7", N_("7 days")], ["30", N_("30 days")], ["90", N_("90 days")], ["365", N_("1 year")]]
CHART_DAYS = tuple(d for d, _ in CHART_RANGES)
CHART_PERIODS = [["day", N_("Per day")], ["month", N_("Per month")]]
CHANGES_SHOWN = 10  # the newest entries on the page; the change log has them all
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
    chart_period: str = "day"  # pages per "day" or per "month"
    cumulative: bool = False  # the total counter as a line beside the bars
    usage_points: list[dict[str, str | int | None]] = []  # label, pages, pages_text, counter
    usage_ready: bool = False  # two successful polls with a total counter: bars can be drawn
    heading: str = ""  # "Kyocera ECOSYS M2040dn · ООО Ромашка"
    subtitle: str = ""  # "10.0.0.5 · SN VCF9192281"
    supplies: list[SupplyView] = []  # as the last successful poll stored them
    unverified: bool = False  # match rule NONE: neither serial nor MAC to check the device by
    changes: list[ChangeView] = []  # the newest CHANGES_SHOWN change-log entries, the people's and the poller's
    changes_total: int = 0
    rejected: str = ""  # the history check's latest rejection nothing was accepted after (offer the baseline)

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.polls_total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.polls_total, self.page, self.page_size, len(self.polls), gettext("No polls yet"))

    @rx.event
    @requires_page(*VIEW)
    async def load(self):
        self.printer_id = printer_id_from_path(self.router.url.path)
        watch.show(self.router.session.client_token, [self.printer_id])
        self.page, self.status_filter = 1, "all"
        await self._reload()
        return LiveState.listen("detail")

    @rx.event
    @requires(*VIEW)
    async def reload(self) -> None:
        """Refresh after a change made elsewhere (edit dialog)."""
        await self._reload()

    async def _reload(self) -> None:
        if not self.printer_id:
            self.not_found, self.identity = gettext("This address names no printer"), {}
            return
        try:
            detail = await with_session(
                printer_detail,
                printer_id=self.printer_id,
                page=self.page,
                page_size=self.page_size,
                status=self._status(),
                days=int(self.chart_days),
                period=self.chart_period,
                tz=get_settings().tz,
            )
        except NotFoundError as exc:
            self.not_found, self.identity = str(exc), {}
            self.heading = self.subtitle = ""
            return
        self._show(detail)
        changes = await with_session(
            list_changes, filters=ChangeFilters(object_type="printer", object_id=self.printer_id), page_size=25
        )
        self.changes = [change_view(row) for row in changes.rows[:CHANGES_SHOWN]]
        self.changes_total = changes.total

    def _show(self, detail: PrinterDetail) -> None:
        p = detail.printer
        identity = {
            N_("IP address"): p.ip_address,
            N_("Serial number"): p.serial_number or "—",
            N_("MAC address"): p.mac_address or "—",
            N_("Model"): detail.model or "—",
            N_("Organization"): detail.organization or "—",
            N_("Location"): p.location or "—",
            N_("SNMP community"): p.snmp_community,
            N_("Polling method"): PollingMethod(p.polling_method).text,
            N_("Connection"): ConnectionType(p.connection_type).text,
            N_("Match rule"): MatchRule(p.last_match_rule).text if p.last_match_rule else "—",
            N_("Last poll"): local_time(p.last_poll_at),
            N_("Last status"): TaskStatus(p.last_poll_status).text if p.last_poll_status else gettext("Never polled"),
            N_("Last successful poll"): local_time(p.last_success_at),
            N_("Added"): local_time(p.created_at),
        }
        if p.counter_baseline_at is not None:
            identity[N_("Counter baseline")] = local_time(p.counter_baseline_at)
        self.not_found, self.is_active, self.identity = "", p.is_active, identity
        named = [part for part in (detail.model, detail.organization) if part]
        self.heading = " · ".join(named) or gettext("Printer {ip}", ip=p.ip_address)
        self.subtitle = (
            " · ".join(part for part in (p.ip_address, p.serial_number) if part) if named else p.serial_number
        )
        self.supplies = [stored_supply_view(s.description, s.color, s.percent, s.state) for s in detail.supplies]
        self.unverified = p.last_match_rule == MatchRule.NONE
        self.rejected = detail.rejected
        self._show_polls(detail.polls)
        self._show_charts(detail.charts)

    def _status(self) -> str:
        return "" if self.status_filter == "all" else self.status_filter

    async def _reload_polls(self) -> None:
        self._show_polls(
            await with_session(
                list_polls, printer_id=self.printer_id, page=self.page, page_size=self.page_size, status=self._status()
            )
        )

    def _show_polls(self, result: PollPage) -> None:
        self.polls_total, self.page = result.total, result.page
        self.polls = [
            PollView(
                id=r.id,
                at=local_time(r.at),
                status=r.status,
                error=r.error,
                match_rule=MatchRule(r.match_rule).text if r.match_rule else "—",
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

    def _show_charts(self, charts: Charts) -> None:
        self.usage_ready = charts.usage.readings >= 2
        self.usage_points = [
            {
                "label": format_period(bar.start, self.chart_period),
                "pages": bar.pages,
                "counter": bar.counter,
            }
            for bar in charts.usage.bars
        ]

    # Every input below is checked before it is assigned: a value the page would trip over is never kept.

    @rx.event
    @requires(*VIEW)
    async def go_to(self, page: int):
        try:
            wanted = parse_page(page)
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        self.page = clamp_page(wanted, self.polls_total, self.page_size)
        await self._reload_polls()
        return None

    @rx.event
    @requires(*VIEW)
    async def set_page_size(self, value: str):
        try:
            self.page_size, self.page = parse_page_size(value), 1
        except DomainValidationError as exc:
            return rx.toast.error(refusal_text(exc))
        await self._reload_polls()
        return None

    @rx.event
    @requires(*VIEW)
    async def set_status_filter(self, value: str):
        if value not in STATUS_FILTERS:
            return rx.toast.error(not_a_choice(value))
        self.status_filter, self.page = value, 1
        await self._reload_polls()
        return None

    @rx.event
    @requires(*VIEW)
    async def set_chart_days(self, value: str | list[str]):
        days = value[0] if isinstance(value, list) and len(value) == 1 else value
        if days not in CHART_DAYS:
            return rx.toast.error(not_a_choice(value))
        self.chart_days = days
        await self._reload_charts()
        return None

    @rx.event
    @requires(*VIEW)
    async def set_chart_period(self, value: str | list[str]):
        period = value[0] if isinstance(value, list) and len(value) == 1 else value
        if period not in ("day", "month"):
            return rx.toast.error(not_a_choice(value))
        self.chart_period = period
        await self._reload_charts()
        return None

    @rx.event
    @requires(*VIEW)
    async def set_cumulative(self, value: bool) -> None:
        self.cumulative = bool(value)

    async def _reload_charts(self) -> None:
        self._show_charts(
            await with_session(
                printer_charts,
                printer_id=self.printer_id,
                days=int(self.chart_days),
                period=self.chart_period,
                tz=get_settings().tz,
            )
        )

    @rx.event
    @requires(*VIEW, "inventory.change_printer")
    async def accept_baseline(self):
        """A genuine counter reset: later polls are compared only with counters read from now on (audited)."""
        try:
            await with_session(accept_counter_baseline, printer_id=self.printer_id, actor=self._actor())
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success(gettext("New counters accepted: the next poll starts the counter history afresh."))


register(
    LivePage(
        name="detail",
        state=PrinterDetailState,
        permission="inventory.view_printer",
        spacing=0.1,
        filtered=True,
        shown=lambda detail: {detail.printer_id},
        rerun="_reload",
        rerun_when=lambda detail, finished: detail.printer_id in finished,
    )
)
