"""Per-tab live state: the tab's listener, "Poll now" / "Poll all" and the poll-all progress every tab shows.

The listener never reads the database while it holds the tab's state lock (in production a Redis lock every event
of the tab waits for): it re-reads the rows of the printers whose poll finished in a thread, then applies them and
the events in one short locked step, one update of the tab. In a burst the updates are spaced out (SPACING) and
each carries every event that arrived meanwhile.
"""

from __future__ import annotations

import asyncio
import inspect
import types
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import reflex as rx

from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.state.live import hub, next_batch
from printer_app.state.session import SessionState, principal_for_cookie

PAGES = {  # the page a listener serves -> the permission it needs to receive live updates
    "printers": "inventory.view_printer",
    "detail": "inventory.view_printer",
    "dashboard": "dashboard.access_dashboard_app",
}
RUN = "inventory.run_inventory"
RECHECK_SECONDS = 30.0  # a listening tab re-checks its session this often: a revoked user stops receiving updates
WINDOW = 0.05  # seconds the events after a first one may gather into the same update
PROGRESS_EVERY = 1.0  # seconds between two progress updates of a tab during a run
SPACING = {"printers": 0.2, "detail": 0.2, "dashboard": 1.0}  # least seconds between two updates of a tab in a
# burst: each update costs the browser a render (on /printers only the changed rows: memoised), more often would
# only queue them up

Apply = Callable[["LiveState"], Awaitable[None]]  # applies re-read data to a tab, under its state lock


class LiveState(SessionState):
    """Which printers are being polled, what this tab asked for, and the latest poll-all run."""

    polling_ids: list[int] = []
    pending: list[int] = []
    batch_id: str = ""
    batch_total: int = 0
    batch_done: int = 0
    batch_failed: int = 0

    @rx.var
    def batch_running(self) -> bool:
        return self.batch_total > 0 and self.batch_done < self.batch_total

    @rx.var
    def batch_percent(self) -> int:
        return round(100 * self.batch_done / self.batch_total) if self.batch_total else 0

    def _show_batch(self, batch_id: str, data: dict[str, int]) -> None:
        self.batch_id = batch_id
        self.batch_total, self.batch_done, self.batch_failed = data["total"], data["done"], data["failed"]

    @rx.event(background=True)
    async def listen(self, page: str):
        """Apply events to this tab until it navigates away or closes (then the task is cancelled), or until its
        session no longer grants the page (checked at the start and every RECHECK_SECONDS)."""
        from workers import coordination

        permission = PAGES.get(page)
        if permission is None:
            return
        queue = hub.attach()  # before reading the current run: no progress event can fall in between
        try:
            current = await asyncio.to_thread(coordination.current_batch)
            async with self:
                if self._deny(permission) is not None:
                    return
                cookie = self.router.headers.cookie
                if current:
                    self._show_batch(*current)
            loop = asyncio.get_running_loop()
            recheck_at, applied_at = loop.time() + RECHECK_SECONDS, 0.0
            held, progress_at = None, 0.0  # progress not shown yet (see PROGRESS_EVERY), when it was last shown
            while True:
                spacing = SPACING.get(page, SPACING["printers"])
                due = min(recheck_at, progress_at + PROGRESS_EVERY) if held else recheck_at
                wait = max(0.0, due - loop.time())
                batch = await next_batch(queue, window=WINDOW, timeout=wait, not_before=applied_at + spacing)
                if loop.time() >= recheck_at:
                    if not await asyncio.to_thread(_still_allowed, cookie, permission):
                        return
                    recheck_at = loop.time() + RECHECK_SECONDS
                progress = [p for kind, p in batch if kind == events.POLL_ALL_PROGRESS] + ([held] if held else [])
                if not batch and not held:
                    continue
                finished = {p["printer_id"] for kind, p in batch if kind == events.INVENTORY_UPDATE}
                fresh = await self._read_fresh(page, finished) if finished else None
                async with self:  # one update of the tab: events and re-read rows together
                    notices = self._apply_events(batch, await self._shown(page))
                    held = self._apply_progress(progress, due=loop.time() >= progress_at + PROGRESS_EVERY)
                    if fresh is not None:
                        await fresh(self)
                if progress and held is None:
                    progress_at = loop.time()
                applied_at = loop.time()
                for notice in notices:
                    yield notice
        finally:
            hub.detach(queue)

    async def _shown(self, page: str) -> set[int]:
        """The printers whose "Poll now" button this tab shows."""
        if page == "printers":
            from printer_app.state.printers import PrintersState

            return {r.id for r in (await self.get_state(PrintersState)).rows}
        if page == "detail":
            from printer_app.state.printer_detail import PrinterDetailState

            return {(await self.get_state(PrinterDetailState)).printer_id}
        return set()

    def _apply_events(self, batch: list[tuple[str, dict]], shown: set[int]) -> list:
        """Spinners and the toasts for this tab's own requests; returns the toasts.

        Spinners are kept for the printers the tab shows only: every change of `polling_ids` costs the browser a
        render, and in a Poll all run most polls are of printers on other pages.
        """
        results = {p["printer_id"]: p for kind, p in batch if kind == events.INVENTORY_UPDATE}
        started = {p["printer_id"] for kind, p in batch if kind == events.INVENTORY_START} & (shown | set(self.pending))
        folded = {p["printer_id"] for kind, p in batch if kind == events.POLL_FOLDED}
        polling = sorted((set(self.polling_ids) | started) - set(results))
        if polling != self.polling_ids:
            self.polling_ids = polling
        notices = []
        for printer_id in set(self.pending) & set(results):
            result = results[printer_id]
            if result["status"] == TaskStatus.SUCCESS:
                notices.append(rx.toast.success(f"{result['ip']}: polled successfully"))
            else:
                label = TaskStatus(result["status"]).label
                notices.append(rx.toast.error(f"{result['ip']}: {label}. {result['error']}"[:300]))
        for printer_id in (set(self.pending) & folded) - set(results):
            notices.append(rx.toast.info(f"Printer #{printer_id} is already being polled; its result will show here"))
        if set(self.pending) & set(results):
            self.pending = [i for i in self.pending if i not in results]
        return notices

    def _apply_progress(self, progress: list[dict], *, due: bool) -> dict | None:
        """Show the latest poll-all progress when it is `due`, or starts or ends a run; else return it, held back.

        Every change of this state re-renders what reads it in the browser (the progress card, the row spinners);
        progress alone would do it on every update of a run.
        """
        if not progress:
            return None
        latest = max(progress, key=lambda p: (p["batch_id"] == self.batch_id, p.get("done", 0)))
        if latest["batch_id"] == self.batch_id and latest.get("done", 0) < self.batch_done:
            return None
        if due or latest["batch_id"] != self.batch_id or latest["done"] >= latest["total"]:
            self._show_batch(latest["batch_id"], latest)
            return None
        return latest

    async def _read_fresh(self, page: str, printer_ids: set[int]) -> Apply | None:
        """Re-read, off the state lock, what this page shows of these printers; returns how to apply it."""
        if page == "printers":  # the rows of every finished printer: the tab keeps those it shows
            return await asyncio.to_thread(_read_rows, sorted(printer_ids))
        async with self:  # a copy of the page state, on which its own query runs
            read = await self._plan_refresh(page, printer_ids)
        return await asyncio.to_thread(read) if read else None

    async def _plan_refresh(self, page: str, printer_ids: set[int]) -> Callable[[], Apply] | None:
        """Under the lock: a copy of the detail or dashboard state whose query re-reads these printers."""
        if page == "detail":
            from printer_app.state.printer_detail import PrinterDetailState

            detail = await self.get_state(PrinterDetailState)
            return partial(_Detached(detail).rerun, "_reload") if detail.printer_id in printer_ids else None
        if page == "dashboard":
            from printer_app.state.dashboard import DashboardState

            return partial(_Detached(await self.get_state(DashboardState)).rerun, "_query")
        return None

    @rx.event
    def poll_now(self, printer_id: int):
        """Queue a high-priority poll; the result arrives through the listener as a toast and a row update."""
        if (denied := self._deny(RUN)) is not None:
            return denied
        from workers.actors import poll_printer_now

        printer_id = int(printer_id)
        poll_printer_now.send(printer_id)
        self.pending = sorted({*self.pending, printer_id})
        self.polling_ids = sorted({*self.polling_ids, printer_id})

    @rx.event
    def poll_all(self):
        """Queue a poll of every pollable printer, unless a run is going: one run at a time."""
        if (denied := self._deny(RUN)) is not None:
            return denied
        from workers import coordination
        from workers.actors import poll_all

        running = coordination.running_batch()
        if running is not None:
            self._show_batch(*running)
            done, total = running[1]["done"], running[1]["total"]
            return rx.toast.warning(
                f"Poll all is already running ({done} / {total} printers done); its progress shows above the table"
            )
        poll_all.send()
        return rx.toast.info("Polling all active printers; progress shows above the table in every open tab")


def _still_allowed(cookie: str | None, permission: str) -> bool:
    principal = principal_for_cookie(cookie)
    return principal is not None and principal.can(permission)


def _read_rows(printer_ids: list[int]) -> Apply:
    """Re-read printers-table rows; the result replaces the rows of those printers the tab still shows."""
    from printer_app.db import session_scope
    from printer_app.services.printer_list import rows_by_ids
    from printer_app.state.printers import PrintersState
    from printer_app.state.view import printer_view

    with session_scope() as session:
        fresh = {r.id: printer_view(r) for r in rows_by_ids(session, printer_ids)}

    async def apply(live: LiveState) -> None:
        printers = await live.get_state(PrintersState)
        if any(r.id in fresh for r in printers.rows):
            printers.rows = [fresh.get(r.id, r) for r in printers.rows]

    return apply


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

    def rerun(self, method: str) -> Apply:
        getattr(self, method)()
        changed = {k: v for k, v in vars(self).items() if k in self._before and v is not self._before[k]}

        async def apply(live: LiveState) -> None:
            state = await live.get_state(self._cls)
            if all(state.get_value(k) == v for k, v in self._before.items()):
                for name, value in changed.items():
                    setattr(state, name, value)

        return apply
