"""State of the dashboard: fleet counts, lowest supplies and poll outcomes per day."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import format_number, format_period, language
from printer_app.services.inventory.dashboard import LOW_SUPPLY_PERCENT, dashboard, organization_filter
from printer_app.state.live.pages import LivePage, register
from printer_app.state.live.state import LiveState
from printer_app.state.reports.access import ACCESS as REPORTS
from printer_app.state.reports.access import VISIBILITY
from printer_app.state.reports.charts import percent
from printer_app.state.session import SessionState, checks_inline, requires, with_session

INVENTORY = ("inventory.access_inventory_app", "inventory.view_printer")
DASHBOARD = "dashboard.access_dashboard_app"


class DashboardState(SessionState):
    counts: dict[str, int] = {}
    count_texts: dict[str, str] = {}  # the counts in the user's number format
    low_supplies: list[dict[str, str | int]] = []
    outcomes: list[dict[str, str | int]] = []
    organizations: list[list[str]] = []  # [id, name] choices of the lowest supplies' filter
    supply_org: str = ""  # that filter: an organization id, "none" (printers without one) or "" (all)
    sla_shown: bool = False  # the SLA card: for users who may open the monthly reports (set by `load`)
    sla_all_months: bool = False  # the card counts unpublished months too (VISIBILITY, as the charts page)
    sla_month: str = ""
    sla_rows: list[dict[str, str]] = []

    @rx.event
    @checks_inline("the home page: someone without the dashboard but with the inventory lands on the printers")
    async def load(self):
        who = await self._principal_async()
        if who and not who.can(DASHBOARD) and all(who.can(p) for p in INVENTORY):
            return rx.redirect("/printers")
        if (denied := self._refusal(who, (DASHBOARD,), page=True)) is not None:
            return denied
        # decided here from the checked principal: a live re-run of `_query` works on a copy of this state's fields
        self.sla_shown, self.sla_all_months = who.can(REPORTS), who.can(VISIBILITY)
        await self._query()
        return LiveState.listen("dashboard")

    @rx.event
    @requires(DASHBOARD)
    async def set_supply_org(self, value: str) -> None:
        """The lowest supplies of one organization ("all" or a forged value: of every printer)."""
        self.supply_org = organization_filter(value)
        await self._query()

    @rx.var
    def supplies_link(self) -> str:
        """The printers list with a supply below LOW_SUPPLY_PERCENT, of the organization the filter names."""
        org = f"&org={self.supply_org}" if self.supply_org else ""
        return f"/printers?supply_below={LOW_SUPPLY_PERCENT}{org}"

    async def _query(self) -> None:
        figures = await with_session(
            dashboard,
            tz=get_settings().tz,
            supplies=10,
            days=30,
            organization=self.supply_org,
            sla=self.sla_all_months if self.sla_shown else None,
        )
        self.counts = asdict(figures.counts)
        self.count_texts = {k: format_number(v) for k, v in self.counts.items()}
        self.low_supplies = [
            {**asdict(s), "organization": s.organization or "—", "model": s.model or "—"} for s in figures.low_supplies
        ]
        self.outcomes = [{**o, "day": _day_label(o["day"])} for o in figures.outcomes]
        self.organizations = [[str(i), name] for i, name in figures.organizations]
        self.sla_month = format_period(figures.sla[0].month, "month") if figures.sla else ""
        self.sla_rows = [
            {"organization": f.organization, "k1": percent(f.k1), "k2": percent(f.k2)} for f in figures.sla
        ]


def _day_label(month_day: str) -> str:
    """The chart's "MM-DD" day in the user's format: 12-05 (en), 05.12 (ru)."""
    month, _, day = month_day.partition("-")
    return f"{day}.{month}" if language() == "ru" else month_day


# Every finished poll may change the fleet's figures: the dashboard is re-read (at most once a second in a burst).
register(LivePage(name="dashboard", state=DashboardState, permission=DASHBOARD, spacing=1.0, rerun="_query"))
