"""State of the dashboard: fleet counts, lowest supplies and poll outcomes per day."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.services.inventory.dashboard import fleet_counts, lowest_supplies, poll_outcomes_per_day
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState, checks_inline

INVENTORY = ("inventory.access_inventory_app", "inventory.view_printer")


class DashboardState(SessionState):
    counts: dict[str, int] = {}
    low_supplies: list[dict[str, str | int]] = []
    outcomes: list[dict[str, str | int]] = []

    @rx.event
    @checks_inline("the home page: someone without the dashboard but with the inventory lands on the printers")
    def load(self):
        who = self._principal()
        if who and not who.can("dashboard.access_dashboard_app") and all(who.can(p) for p in INVENTORY):
            return rx.redirect("/printers")
        if (denied := self._deny_page("dashboard.access_dashboard_app")) is not None:
            return denied
        self._query()
        return LiveState.listen("dashboard")

    def _query(self) -> None:
        with session_scope() as session:
            self.counts = asdict(fleet_counts(session))
            self.low_supplies = [
                {**asdict(s), "organization": s.organization or "—"} for s in lowest_supplies(session, limit=10)
            ]
            self.outcomes = poll_outcomes_per_day(session, tz=get_settings().tz, days=30)
