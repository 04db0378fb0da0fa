"""Per-tab live state: the tab's listener, "Poll now" / "Poll all" and the poll-all progress every tab shows."""

from __future__ import annotations

import reflex as rx

from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.state.live import batches, hub

PAGES = ("printers", "detail", "dashboard")


class LiveState(rx.State):
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

    def _load_batch(self) -> None:
        from workers import coordination

        current = coordination.current_batch()
        if current:
            self.batch_id, data = current
            self.batch_total, self.batch_done, self.batch_failed = data["total"], data["done"], data["failed"]

    @rx.event(background=True)
    async def listen(self, page: str):
        """Apply events to this tab until it navigates away or closes (then the task is cancelled)."""
        queue = hub.attach()
        try:
            async with self:
                self._load_batch()
            async for batch in batches(queue, window=1.0 if page == "dashboard" else 0.05):
                async with self:
                    notices = await self._apply(page, batch)
                for notice in notices:
                    yield notice
        finally:
            hub.detach(queue)

    async def _apply(self, page: str, batch: list[tuple[str, dict]]) -> list:
        results = {p["printer_id"]: p for kind, p in batch if kind == events.INVENTORY_UPDATE}
        started = {p["printer_id"] for kind, p in batch if kind == events.INVENTORY_START}
        folded = {p["printer_id"] for kind, p in batch if kind == events.POLL_FOLDED}
        progress = [p for kind, p in batch if kind == events.POLL_ALL_PROGRESS]
        self.polling_ids = sorted((set(self.polling_ids) | started) - set(results))
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
        self.pending = [i for i in self.pending if i not in results]
        if progress:
            latest = max(progress, key=lambda p: (p["batch_id"] == self.batch_id, p.get("done", 0)))
            if latest["batch_id"] != self.batch_id or latest.get("done", 0) >= self.batch_done:
                self.batch_id = latest["batch_id"]
                self.batch_total, self.batch_done = latest["total"], latest["done"]
                self.batch_failed = latest["failed"]
        if results:
            await self._refresh_page(page, set(results))
        return notices

    async def _refresh_page(self, page: str, printer_ids: set[int]) -> None:
        if page == "printers":
            from printer_app.state.printers import PrintersState

            (await self.get_state(PrintersState))._refresh_rows(printer_ids)
        elif page == "detail":
            from printer_app.state.printer_detail import PrinterDetailState

            detail = await self.get_state(PrinterDetailState)
            if detail.printer_id in printer_ids:
                detail._reload()
        elif page == "dashboard":
            from printer_app.state.dashboard import DashboardState

            (await self.get_state(DashboardState))._query()

    @rx.event
    def poll_now(self, printer_id: int):
        """Queue a high-priority poll; the result arrives through the listener as a toast and a row update."""
        from workers.actors import poll_printer_now

        printer_id = int(printer_id)
        poll_printer_now.send(printer_id)
        self.pending = sorted({*self.pending, printer_id})
        self.polling_ids = sorted({*self.polling_ids, printer_id})

    @rx.event
    def poll_all(self):
        from workers.actors import poll_all

        poll_all.send()
        return rx.toast.info("Polling all active printers; progress shows above the table in every open tab")
