"""State of the month table's sync bar (`components/reports/month_sync.py`): "Sync month" (queued for a worker, one
run per month), its progress in every open tab of the month (REPORT_SYNC_PROGRESS; a tab opened mid-run reads the
running run from the month lock), the stats at the end, and "Poll the month's printers" through the poll-all run of
the printers list (its progress card, `LiveState`)."""

from __future__ import annotations

from datetime import date

import reflex as rx
from sqlmodel import Session

from printer_app.i18n import format_number, gettext, ngettext
from printer_app.services import events
from printer_app.services.reports.months import is_editable, month_key, parse_report_month
from printer_app.services.reports.sync_polls import month_printers
from printer_app.services.reports.sync_run import SyncRefused, running_progress
from printer_app.services.reports.visibility import month_control, month_visible
from printer_app.state.live.hub import hub, next_batch, watch
from printer_app.state.live.pages import LivePage, register
from printer_app.state.live.state import LiveState
from printer_app.state.reports.access import ACCESS, POLL_ALL, SYNC, VISIBILITY
from printer_app.state.session import SessionState, in_thread, principal_for_cookie, requires, with_session

LIVE_PAGE = "reports-month"
RECHECK_SECONDS = 30.0


def _blocked(session: Session, month: date, can_manage: bool) -> str:
    """Why this month cannot be synced now ("" when it can); "-" for a month this user may not see."""
    if not month_visible(session, month, can_manage=can_manage):
        return "-"
    control = month_control(session, month)
    if control is None or not is_editable(control.edit_until):
        return gettext("The month is closed for editing.")
    if not control.auto_sync_enabled:
        return gettext("Auto-sync is off for this month.")
    return ""


class MonthSyncState(SessionState):
    """The sync bar of one month: why it is blocked, the run going on (any tab, any process), the last stats."""

    sync_month_key: str = ""
    sync_blocked: str = ""  # why "Sync month" is disabled ("" = it may run)
    sync_running: bool = False
    sync_done: int = 0
    sync_total: int = 0
    sync_status: str = ""  # "" / running / done / failed
    sync_error: str = ""
    stats_open: bool = False
    progress_text: str = ""  # "250 / 5,000" in the user's number format
    updated_rows: str = "0"
    groups_recomputed: str = "0"
    duplicate_groups: str = "0"
    skipped_count: str = "0"
    skipped: list[list[str]] = []  # [serial, reason]
    errors: list[str] = []

    @rx.var
    def sync_percent(self) -> int:
        return round(100 * self.sync_done / self.sync_total) if self.sync_total else 0

    def _apply(self, payload: dict) -> None:
        status = str(payload.get("status", ""))
        self.sync_status, self.sync_running = status, status == "running"
        self.sync_done, self.sync_total = int(payload.get("done", 0)), int(payload.get("total", 0))
        self.progress_text = (
            f"{format_number(self.sync_done, self.language)} / {format_number(self.sync_total, self.language)}"
        )
        self.sync_error = str(payload.get("error", ""))[:500]
        stats = payload.get("stats") or {}
        self.updated_rows = format_number(int(stats.get("updated_rows", 0)), self.language)
        self.groups_recomputed = format_number(int(stats.get("groups_recomputed", 0)), self.language)
        self.duplicate_groups = format_number(int(stats.get("duplicate_groups", 0)), self.language)
        skipped = stats.get("skipped_serials", [])
        self.skipped_count = format_number(len(skipped), self.language)
        self.skipped = [[str(s.get("serial", "")), str(s.get("reason", ""))] for s in skipped[:200]]
        self.errors = [str(e) for e in stats.get("errors", [])]
        if status in ("done", "failed"):
            self.stats_open = True

    @rx.event
    @requires(ACCESS)
    async def load(self):
        """On the month page's mount: the month from the URL, whether it may be synced, a run going on; then the
        listeners (this bar's and the poll-all card's)."""
        raw = str(self.router.page.params.get("month", "") or "")[:40]
        try:
            month = parse_report_month(raw)
        except ValueError:
            self.sync_month_key = ""
            return None
        self.sync_month_key, self.stats_open, self.sync_status = month_key(month), False, ""
        self.sync_blocked = await with_session(_blocked, month, VISIBILITY in self.permissions)
        if self.sync_blocked == "-":
            self.sync_month_key = ""
            return None
        running = await in_thread(running_progress, month)
        self.sync_running = running is not None
        if running is not None:
            self._apply(running)
        watch.show(self.router.session.client_token, [])  # poll results of single printers are not shown here
        return [MonthSyncState.listen, LiveState.listen(LIVE_PAGE)]

    @rx.event(background=True)
    @requires(ACCESS)
    async def listen(self):
        """Apply the month's sync progress from any tab or process until the tab leaves or its session no longer
        grants the page (checked every RECHECK_SECONDS)."""
        queue = hub.attach()
        try:
            async with self:
                wanted, cookie = self.sync_month_key, self.router.headers.cookie
            while wanted:
                batch = await next_batch(
                    queue,
                    window=0.1,
                    timeout=RECHECK_SECONDS,
                    keep=lambda e: e[0] == events.REPORT_SYNC_PROGRESS and e[1].get("month") == wanted,
                )
                if not batch:
                    if not await in_thread(_still_allowed, cookie):
                        return
                    continue
                async with self:
                    if self.sync_month_key != wanted:
                        return
                    self._apply(batch[-1][1])
        finally:
            hub.detach(queue)

    @rx.event
    @requires(ACCESS, SYNC)
    async def start_sync(self):
        """Queue the month's sync; refused with the reason when the month is closed, not auto-synced or being
        synced. The progress arrives through `listen` in every tab."""
        if not self.sync_month_key:
            return None
        month = parse_report_month(self.sync_month_key)
        try:
            await in_thread(_start, month, self._user_id)
        except SyncRefused as exc:
            return rx.toast.error(str(exc))
        self.sync_running, self.sync_status, self.stats_open = True, "running", False
        self.sync_done = self.sync_total = 0
        return rx.toast.info(gettext("Sync started; its progress shows here in every open tab of this month."))

    @rx.event
    @requires(ACCESS)
    async def dismiss_stats(self) -> None:
        """Close the stats of the last run in this tab only."""
        self.stats_open = False

    @rx.event
    @requires(ACCESS, POLL_ALL)
    async def poll_printers(self):
        """Poll the printers linked by serial to the month's rows through the printers list's poll-all run."""
        if not self.sync_month_key:
            return None
        ids = await with_session(month_printers, parse_report_month(self.sync_month_key))
        if not ids:
            return rx.toast.warning(gettext("No printer is linked by serial number to this month's rows."))
        live = await self.get_state(LiveState)
        toast = await live._start_poll_all(ids)
        return toast or rx.toast.info(ngettext("Polling {n} printer", "Polling {n} printers", len(ids)))


def _still_allowed(cookie: str | None) -> bool:
    principal = principal_for_cookie(cookie)
    return principal is not None and principal.can(ACCESS)


def _start(month: date, user_id: int | None) -> None:
    from workers import jobs

    jobs.sync_month(month, user_id)


register(LivePage(name=LIVE_PAGE, state=MonthSyncState, permission=ACCESS, spacing=1.0, filtered=True))
