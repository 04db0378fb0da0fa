"""Per-tab live state: the tab's listener, "Poll now" / "Poll all" and the poll-all progress every tab shows.

The listener never reads the database while it holds the tab's state lock (in production a Redis lock every event
of the tab waits for): it re-reads what the page shows of the printers whose poll finished off the lock, then
applies that and the events in one short locked step, one update of the tab. In a burst the updates are spaced out
(the page's `spacing`) and each carries every event that arrived meanwhile. The pages it serves register themselves
(state/live/pages.py): what a tab needs to listen, which printers it shows and how a finished poll is re-read; the
listener imports none of them.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import types
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from printer_app.i18n import format_number, gettext, ngettext
from printer_app.models.choices import TaskStatus, TriggeredBy
from printer_app.services import events
from printer_app.state.live.hub import Event, acks, hub, next_batch, watch
from printer_app.state.live.pages import Apply, LivePage, live_page
from printer_app.state.live.requests import NO_RESULT, late_events, result_timeout, stored_answers
from printer_app.state.live.trace import UpdateTimer
from printer_app.state.session import SessionState, in_thread, principal_for_cookie, requires
from printer_app.state.view import local_time

KINDS = {events.INVENTORY_START, events.INVENTORY_UPDATE, events.POLL_FOLDED, events.POLL_ALL_PROGRESS}
RUN = "inventory.run_inventory"
RECHECK_SECONDS = 30.0  # a listening tab re-checks its session (a revoked user stops receiving updates) and its
# "Poll now" requests this often
WINDOW = 0.01  # seconds the events after a first one may gather into the same update
PROGRESS_EVERY = 1.0  # seconds between two progress updates of a tab during a run


def _permission(_state: SessionState, page: object) -> str | None:
    """What a tab needs to receive the live updates of this page (None: no such page, the listener stops)."""
    live = live_page(page)
    return live.permission if live else None


class LiveState(SessionState):
    """Which printers are being polled, what this tab asked for, and the latest poll-all run."""

    polling_ids: list[int] = []
    pending: list[int] = []
    _requested: dict[int, float] = {}  # pending printer id -> when this tab asked ("Poll now"; seconds since epoch)
    batch_id: str = ""
    batch_total: int = 0
    batch_done: int = 0
    batch_failed: int = 0
    batch_finished: str = ""  # when the run finished, in the user's format and the configured time zone
    dismissed_batch: str = ""  # the run whose card this tab closed
    live_seq: int = 0  # the listener's updates of rows so far; the page acknowledges each once rendered (Acks)

    @rx.var
    def batch_running(self) -> bool:
        return self.batch_total > 0 and self.batch_done < self.batch_total

    @rx.var
    def batch_percent(self) -> int:
        return round(100 * self.batch_done / self.batch_total) if self.batch_total else 0

    def _show_batch(self, batch_id: str, data: dict[str, int]) -> None:
        self.batch_id = batch_id
        self.batch_total, self.batch_done, self.batch_failed = data["total"], data["done"], data["failed"]
        finished = data.get("finished_at")
        self.batch_finished = local_time(datetime.fromtimestamp(finished, UTC)) if finished else ""

    @rx.event(background=True)
    @requires(_permission)
    async def listen(self, page: str):
        """Apply events to this tab until it navigates away or closes (then the task is cancelled), or until its
        session no longer grants the page (checked at the start and every RECHECK_SECONDS)."""
        from workers import jobs

        served = live_page(page)
        if served is None:
            return
        queue, token = hub.attach(), ""  # attached before reading the current run: no progress event falls in between
        try:
            current = await asyncio.to_thread(jobs.latest_run)
            async with self:
                cookie, token = self.router.headers.cookie, self.router.session.client_token
                if current:
                    self._show_batch(*current)
                for printer_id in self.pending:  # asked before this listener (another page, or a backend restart)
                    watch.expect(token, printer_id)
            relevant = _Relevant(token, filtered=served.filtered)
            progress = _Progress(current[0] if current else "")
            for notice in await self._catch_up(served):
                yield notice
            loop = asyncio.get_running_loop()
            recheck_at, applied_at = loop.time() + RECHECK_SECONDS, 0.0
            while True:
                await acks.rendered(token, min(recheck_at, progress.due_at) - loop.time())
                wait = max(0.0, min(recheck_at, progress.due_at) - loop.time())
                batch = await next_batch(
                    queue, window=WINDOW, timeout=wait, not_before=applied_at + served.spacing, keep=relevant.keep
                )
                if loop.time() >= recheck_at:
                    if not await asyncio.to_thread(_still_allowed, cookie, served.permission):
                        return
                    if watch.awaits(token):
                        batch += await self._late_results()
                    recheck_at = loop.time() + RECHECK_SECONDS
                show = progress.take([p for kind, p in batch if kind == events.POLL_ALL_PROGRESS], loop.time())
                rows = [(kind, p) for kind, p in batch if kind != events.POLL_ALL_PROGRESS]
                finished = {p["printer_id"] for kind, p in rows if kind == events.INVENTORY_UPDATE}
                finished |= relevant.brought_on()
                if not rows and not finished and show is None:
                    continue  # progress held back: no update of the tab
                timer = UpdateTimer(rows)
                fresh = await self._read_fresh(served, finished) if finished else None
                timer.mark("read")
                async with self:  # one update of the tab: events, progress and re-read rows together
                    timer.mark("locked")
                    notices = self._apply_events(rows, await self._shown(served)) if rows else []
                    if show is not None:
                        self._apply_progress(show)
                    if fresh is not None:
                        await fresh(self)
                    if rows or finished:  # the next update of rows waits until the tab rendered this one
                        self.live_seq += 1
                        acks.expect(token, self.live_seq)
                    timer.mark("applied")
                timer.mark("emitted")
                timer.write(token)
                relevant.settle(finished | {p["printer_id"] for kind, p in rows if kind == NO_RESULT})
                if rows or finished:  # progress alone does not delay the next rows
                    applied_at = loop.time()
                for notice in notices:
                    yield notice
        finally:
            hub.detach(queue)
            if token:
                acks.forget(token)

    async def _catch_up(self, page: LivePage) -> list:
        """What was stored before this listener attached to the hub (later events come through it): the page's
        printers re-read, and this tab's "Poll now" requests whose result is already stored answered."""
        async with self:
            shown = await self._shown(page)
            asked = {i: self._requested.get(i, 0.0) for i in self.pending}
        answers = await stored_answers(asked) if asked else []
        fresh = await self._read_fresh(page, shown)
        async with self:
            notices = self._apply_events(answers, shown) if answers else []
            if fresh is not None:
                await fresh(self)
        return notices

    async def _late_results(self) -> list[Event]:
        """Answers from the database to this tab's "Poll now" requests whose result did not come in time."""
        async with self:
            overdue = self._overdue(time.time(), result_timeout())
        return await late_events(overdue) if overdue else []

    def _overdue(self, now: float, timeout: float) -> dict[int, float]:
        """This tab's requests (printer id -> when) still without a result `timeout` seconds after they were made."""
        return {i: at for i in self.pending if now - (at := self._requested.get(i, 0.0)) >= timeout}

    async def _shown(self, page: LivePage) -> set[int]:
        """The printers whose "Poll now" button this tab shows (under the state lock)."""
        return page.shown(await self.get_state(page.state)) if page.shown else set()

    def _apply_events(self, batch: list[tuple[str, dict]], shown: set[int]) -> list:
        """Spinners and the toasts for this tab's own requests; returns the toasts.

        Spinners are kept for the polls users asked for ("Poll now", in any tab) of the printers the tab shows only:
        every change of `polling_ids` costs the browser a render; a Poll all run shows itself in the progress card
        (`_Relevant.keep` passes over the starts of scheduled and Poll all polls).
        """
        results = {p["printer_id"]: p for kind, p in batch if kind == events.INVENTORY_UPDATE}
        unanswered = {  # NO_RESULT of the request still pending (not of an earlier one: "Poll now" clicked again)
            p["printer_id"]: p
            for kind, p in batch
            if kind == NO_RESULT and self._requested.get(p["printer_id"], 0.0) == p["requested_at"]
        }
        started = {p["printer_id"] for kind, p in batch if kind == events.INVENTORY_START} & (shown | set(self.pending))
        folded = {p["printer_id"] for kind, p in batch if kind == events.POLL_FOLDED}
        polling = sorted((set(self.polling_ids) | started) - set(results) - set(unanswered))
        if polling != self.polling_ids:
            self.polling_ids = polling
        notices = []
        for printer_id in set(self.pending) & set(results):
            result = results[printer_id]
            if result["status"] == TaskStatus.SUCCESS:
                notices.append(rx.toast.success(gettext("{ip}: polled successfully", ip=result["ip"])))
            else:
                label = TaskStatus(result["status"]).text
                notices.append(rx.toast.error(f"{result['ip']}: {label}. {result['error']}"[:300]))
        for printer_id in (set(self.pending) & folded) - set(results):
            notices.append(
                rx.toast.info(
                    gettext("Printer #{id} is already being polled; its result will show here", id=printer_id)
                )
            )
        for printer_id in set(self.pending) & (set(unanswered) - set(results)):
            ip = unanswered[printer_id]["ip"]
            notices.append(
                rx.toast.warning(gettext("{ip}: no result from the worker; the poll may not have run", ip=ip))
            )
        if answered := set(self.pending) & (set(results) | set(unanswered)):
            self.pending = [i for i in self.pending if i not in answered]
            self._requested = {i: at for i, at in self._requested.items() if i not in answered}
        return notices

    def _apply_progress(self, latest: dict) -> None:
        """Show this poll-all progress unless the tab shows a later one of the same run already."""
        if latest["batch_id"] != self.batch_id or latest.get("done", 0) >= self.batch_done:
            self._show_batch(latest["batch_id"], latest)

    async def _read_fresh(self, page: LivePage, printer_ids: set[int]) -> Apply | None:
        """Re-read, off the state lock, what this page shows of these printers; returns how to apply it."""
        if page.reread is not None:  # e.g. the rows of every finished printer: the tab keeps those it shows
            return await page.reread(printer_ids)
        if not page.rerun:
            return None
        async with self:  # a copy of the page state, on which its own query runs
            state = await self.get_state(page.state)
            copy = _Detached(state) if page.rerun_when(state, printer_ids) else None
        return await copy.rerun(page.rerun) if copy else None

    @rx.event
    @requires(RUN)
    async def poll_now(self, printer_id: int):
        """Queue a high-priority poll; the result arrives through the listener as a toast and a row update."""
        from workers import jobs

        printer_id = int(printer_id)
        watch.expect(self.router.session.client_token, printer_id)
        await in_thread(jobs.request_poll, printer_id)
        self._requested = {**self._requested, printer_id: time.time()}
        self.pending = sorted({*self.pending, printer_id})
        self.polling_ids = sorted({*self.polling_ids, printer_id})

    @rx.event
    @requires()
    async def dismiss_batch(self) -> None:
        """Close the card of the latest run in this tab (the next run shows again). Any signed-in user: the card
        also shows on the month page to users who may poll that month's printers without seeing the printers list."""
        self.dismissed_batch = self.batch_id

    @rx.event
    @requires(RUN)
    async def poll_all(self):
        """Queue a poll of every pollable printer, unless a run is going: one run at a time."""
        return await self._start_poll_all(None)

    async def _start_poll_all(self, printer_ids: list[int] | None):
        """Queue a poll-all run (of `printer_ids` only, when given; the caller checked the permission), unless a run
        is going; returns the toast that says so."""
        from workers import jobs

        running = await in_thread(jobs.poll_all, printer_ids)
        if running is not None:
            self._show_batch(*running)
            done, total = running[1]["done"], running[1]["total"]
            return rx.toast.warning(
                gettext(
                    "Poll all is already running ({done} / {total} printers done); its progress shows above the table",
                    done=format_number(done),
                    total=format_number(total),
                )
            )
        if printer_ids is not None:
            return rx.toast.info(
                ngettext(
                    "Polling {n} printer; progress shows above the table in every open tab",
                    "Polling {n} printers; progress shows above the table in every open tab",
                    len(printer_ids),
                )
            )
        return rx.toast.info(gettext("Polling all active printers; progress shows above the table in every open tab"))


class _Progress:
    """The poll-all progress a listener shows: the start and the end of a run at once, in between at most every
    PROGRESS_EVERY seconds (each change of it re-renders the progress card); what comes between is held back."""

    def __init__(self, batch_id: str) -> None:
        self.batch_id, self.held, self.shown_at = batch_id, None, 0.0

    @property
    def due_at(self) -> float:
        return self.shown_at + PROGRESS_EVERY if self.held else float("inf")

    def take(self, progress: list[dict], now: float) -> dict | None:
        """The progress to show now (None: nothing), given what arrived (in order)."""
        arrived = [p for p in [self.held, *progress] if p]
        if not arrived:
            return None
        run = arrived[-1]["batch_id"]
        latest = max((p for p in arrived if p["batch_id"] == run), key=lambda p: p["done"])
        if run == self.batch_id and latest["done"] < latest["total"] and now < self.shown_at + PROGRESS_EVERY:
            self.held = latest
            return None
        self.batch_id, self.held, self.shown_at = run, None, now
        return latest


class _Relevant:
    """Which events a tab's listener applies: on the filtered pages only those of the printers the tab shows or
    awaits (`watch`); the results it passes over are remembered for KEEP_PASSED seconds and re-read should the tab
    show those printers meanwhile (it may have read them just before their commit)."""

    KEEP_PASSED = 10.0

    def __init__(self, token: str, *, filtered: bool) -> None:
        self.token, self.filtered = token, filtered
        self.version = watch.version(token)
        self.passed: dict[int, float] = {}  # printer id -> when its result was passed over (monotonic)

    def keep(self, event: Event) -> bool:
        kind, payload = event
        if kind not in KINDS:
            return False
        printer_id = payload.get("printer_id")
        if kind == events.INVENTORY_START and payload.get("triggered_by") != TriggeredBy.MANUAL:
            return watch.expects(self.token, printer_id)  # scheduled and Poll all polls show no spinner
        if not self.filtered or printer_id is None or watch.shows(self.token, printer_id):
            return True
        if kind == events.INVENTORY_UPDATE:
            self.passed[printer_id] = time.monotonic()
        return False

    def brought_on(self) -> set[int]:
        """The printers passed over lately that the tab shows since: their rows are to be re-read."""
        if not self.passed or (version := watch.version(self.token)) == self.version:
            return set()
        self.version = version
        recent = time.monotonic() - self.KEEP_PASSED
        self.passed = {i: at for i, at in self.passed.items() if at > recent}
        back = {i for i in self.passed if watch.shows(self.token, i)}
        for printer_id in back:
            del self.passed[printer_id]
        return back

    def settle(self, printer_ids: set[int]) -> None:
        watch.settle(self.token, printer_ids)


def _still_allowed(cookie: str | None, permission: str) -> bool:
    principal = principal_for_cookie(cookie)
    return principal is not None and principal.can(permission)


class _Detached:
    """A plain copy of a page state's fields on which that state's own query method runs, off the state lock.

    Its result is applied only when the tab changed nothing meanwhile (otherwise the tab's own event re-read the
    database after the poll's commit already).
    """

    def __init__(self, state: rx.State) -> None:
        self.__dict__["_cls"] = state.__class__  # a background task holds a StateProxy: type() would name it
        self.__dict__["_before"] = {name: state.get_value(name) for name in state.base_vars}
        self.__dict__.update(self._before)

    def __getattr__(self, name: str) -> Any:  # called only for what the copy lacks: the state's helper methods
        method = inspect.getattr_static(self._cls, name, None)
        if not inspect.isfunction(method):
            raise AttributeError(name)
        return types.MethodType(method, self)

    async def rerun(self, method: str) -> Apply:
        await getattr(self, method)()
        changed = {k: v for k, v in vars(self).items() if k in self._before and v is not self._before[k]}

        async def apply(live: LiveState) -> None:
            state = await live.get_state(self._cls)
            if all(state.get_value(k) == v for k, v in self._before.items()):
                for name, value in changed.items():
                    setattr(state, name, value)

        return apply
