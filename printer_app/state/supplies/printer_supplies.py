"""The supplies part of a printer's page: the level chart with forecasts and replacement marks, each supply's
forecast in words, and the cartridge lifetimes table; re-read when the printer's forecasts change (SUPPLIES_CHANGED
naming it, from any process) and when the page's chart range changes."""

from __future__ import annotations

import reflex as rx

from printer_app.services import events
from printer_app.services.supplies.printer_supplies import printer_supplies
from printer_app.state.inventory.printer_detail import CHART_DAYS, VIEW, PrinterDetailState
from printer_app.state.live.follow import follow
from printer_app.state.session import SessionState, requires, with_session
from printer_app.state.supplies.printer_chart import (
    LifetimeView,
    forecast_texts,
    lifetime_view,
    supply_chart,
)
from printer_app.state.view import printer_id_from_path

LIVE_WINDOW = 0.3


class PrinterSuppliesState(SessionState):
    printer_id: int = 0
    points: list[dict[str, str | int | float | None]] = []
    lines: list[list[str]] = []
    marks: list[list[str]] = []
    forecasts: list[list[str]] = []
    lifetimes: list[LifetimeView] = []

    @rx.event
    @requires(*VIEW)
    async def load(self):
        """After the page's own load: the printer of the URL, its supplies; then live updates."""
        self.printer_id = printer_id_from_path(self.router.url.path)
        await self._query()
        return PrinterSuppliesState.listen

    @rx.event
    @requires(*VIEW)
    async def reload(self) -> None:
        """The page's chart range changed: the history is read for the new range."""
        await self._query()

    async def _days(self) -> int:
        detail = await self.get_state(PrinterDetailState)
        return int(detail.chart_days) if detail.chart_days in CHART_DAYS else 30

    async def _query(self) -> None:
        if not self.printer_id:
            self.points, self.lines, self.marks, self.forecasts, self.lifetimes = [], [], [], [], []
            return
        self._apply(await with_session(printer_supplies, printer_id=self.printer_id, days=await self._days()))

    def _apply(self, data) -> None:
        chart = supply_chart(data.series, data.forecasts, data.lifetimes)
        self.points, self.lines, self.marks = chart.points, chart.lines, chart.marks
        self.forecasts = forecast_texts(data.forecasts)
        names = {f.supply_key: f.description or f.supply_key for f in data.forecasts}
        self.lifetimes = [lifetime_view(life, names) for life in data.lifetimes]

    @rx.event(background=True)
    @requires(*VIEW)
    async def listen(self):
        """Re-read when the forecast service announces new figures for this printer; until the tab leaves."""
        async with self:
            printer_id = self.printer_id
        kept = lambda e: e[0] == events.SUPPLIES_CHANGED and printer_id in (e[1].get("printer_ids") or ())  # noqa: E731
        async with follow(self, keep=kept, permissions=VIEW, window=LIVE_WINDOW) as batches:
            async for _batch in batches:
                async with self:
                    days = await self._days()
                data = await with_session(printer_supplies, printer_id=printer_id, days=days)
                async with self:
                    if self.printer_id == printer_id:
                        self._apply(data)
