"""The alert bell of the page frame: the signed-in user's unread low-supply alerts, live on every page.

Every page mounts the frame, which starts `listen` (a background event of the tab, cancelled when the page goes);
it counts the unread alerts, then recounts when alerts are raised or cleared anywhere (SUPPLY_ALERTS from any
worker) or when this user read some in another tab. A newer listener of the tab makes an older one stop.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from printer_app.services import events
from printer_app.services.supplies.alert_inbox import VIEW, unread_count
from printer_app.state.live.hub import hub, next_batch
from printer_app.state.session import SessionState, checks_inline, in_thread, principal_for_cookie, with_session

WINDOW = 0.2  # seconds a burst of alerts (a poll-all run) gathers into one recount
RECHECK_SECONDS = 30.0


def _relevant(user_id: int):
    def keep(event: tuple[str, dict]) -> bool:
        kind, payload = event
        if kind != events.SUPPLY_ALERTS:
            return False
        return "read_by" not in payload or payload["read_by"] == user_id

    return keep


class AlertBellState(SessionState):
    """The bell's number: open alerts this user has not read (shown only to users who may see printers)."""

    unread: int = 0
    bell_shown: bool = False
    _listener: int = 0  # the newest listener of this tab; older ones stop

    @rx.var
    def unread_text(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)

    @rx.event(background=True)
    @checks_inline("runs on every page: a user who may not see printers simply gets no bell, no refusal")
    async def listen(self):
        async with self:
            self._listener += 1
            mine, cookie = self._listener, self.router.headers.cookie
        principal = await in_thread(principal_for_cookie, cookie)
        # no refusal is answered: `self._refusal(...)` only decides whether the bell is for this user
        if principal is None or self._refusal(principal, VIEW, page=False) is not None:
            async with self:
                self.bell_shown, self.unread = False, 0
            return
        queue = hub.attach()
        try:
            loop = asyncio.get_running_loop()
            recheck_at, fresh = loop.time() + RECHECK_SECONDS, True
            keep = _relevant(principal.user_id)
            while True:
                if fresh:
                    count = await with_session(unread_count, user_id=principal.user_id)
                    async with self:
                        if self._listener != mine:
                            return
                        self.unread, self.bell_shown = count, True
                wait = max(0.0, recheck_at - loop.time())
                fresh = bool(await next_batch(queue, window=WINDOW, timeout=wait, keep=keep))
                if loop.time() >= recheck_at:
                    again = await in_thread(principal_for_cookie, cookie)
                    if again is None or self._refusal(again, VIEW, page=False) is not None:
                        async with self:
                            self.bell_shown, self.unread = False, 0
                        return
                    recheck_at, fresh = loop.time() + RECHECK_SECONDS, True
        finally:
            hub.detach(queue)
