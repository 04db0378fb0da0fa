"""The dashboard's "Runs out this week" card: the count and the first few, re-read whenever forecasts change
(SUPPLIES_CHANGED from any process, after polls)."""

from __future__ import annotations

import reflex as rx

from printer_app.i18n import ngettext
from printer_app.services import events
from printer_app.services.supplies.soon import WEEK, runs_out_soon
from printer_app.state.live.follow import follow
from printer_app.state.session import (
    SessionState,
    checks_inline,
    requires,
    with_session,
)
from printer_app.state.supplies.fleet import VIEW
from printer_app.state.supplies.views import SupplyRowView, supply_row_view

LIVE_WINDOW = 1.0  # a Poll all run refreshes many printers: the card is re-read at most once a second


class RunsOutState(SessionState):
    shown: bool = False  # the user may see the printers (the card shows their supplies)
    count: int = 0
    rows: list[SupplyRowView] = []

    @rx.var
    def count_text(self) -> str:
        return ngettext(
            "supply runs out within a week or is empty", "supplies run out within a week or are empty", self.count
        )

    @rx.var
    def link(self) -> str:
        return f"/supplies?within={WEEK}"

    @rx.event
    @checks_inline("a dashboard card: without the inventory permissions it is hidden, not refused")
    async def load(self):
        who = await self._principal_async()
        if (signed_out := self._refusal(who, (), page=False)) is not None:
            self.shown = False
            return signed_out
        self.shown = not who.missing(*VIEW)
        if not self.shown:
            return None
        await self._query()
        return RunsOutState.listen

    async def _query(self) -> None:
        self._apply(await with_session(runs_out_soon, days=WEEK, limit=5))

    def _apply(self, result) -> None:
        self.count = result.count
        self.rows = [supply_row_view(r) for r in result.first]

    @rx.event(background=True)
    @requires(*VIEW)
    async def listen(self):
        """Re-read the card when forecasts change; until the tab leaves or its session no longer grants it."""
        async with self:
            if not self.shown:
                return
        kept = lambda event: event[0] == events.SUPPLIES_CHANGED  # noqa: E731
        async with follow(self, keep=kept, permissions=VIEW, window=LIVE_WINDOW) as batches:
            async for _batch in batches:
                result = await with_session(runs_out_soon, days=WEEK, limit=5)
                async with self:
                    self._apply(result)
