"""The apply part of the contract import page: Apply hands the session to a worker, every tab of the session
follows its progress (live updates, and the database when they stay away) and shows its outcome and report."""

from __future__ import annotations

import asyncio

import reflex as rx

from printer_app.i18n import format_number, gettext, ngettext
from printer_app.models.choices import ImportSessionStatus
from printer_app.services import events
from printer_app.services.contracts import import_preview as preview
from printer_app.services.contracts import importing
from printer_app.state.live.hub import hub, next_batch
from printer_app.state.session import in_thread, principal_for_cookie, requires, with_session

IMPORT = ("contracts.access_contracts_app", "contracts.import_contracts")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECHECK_S = 3.0  # while applying, a tab also re-reads the session this often (a progress event may be lost)
CHECK_S = 30.0  # a listening tab re-checks its sign-in this often (a revoked user stops receiving updates)
PROGRESS_EVERY = 1.0  # seconds between two progress updates of a tab: each re-renders the page in the browser
FINISHED = {ImportSessionStatus.APPLIED.value, ImportSessionStatus.FAILED.value}


class ImportApplyMixin(rx.State, mixin=True):
    """Apply, its progress and outcome; the state using it holds `import_id` and `status`, and reads the session
    (`_wanted`, `_show`)."""

    problems: list[str] = []  # why Apply was refused
    done: int = 0
    progress_total: int = 0
    stats: dict[str, int] = {}
    error: str = ""

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.progress_total) if self.progress_total else 0

    @rx.var
    def applying(self) -> bool:
        return self.status == ImportSessionStatus.APPLYING

    @rx.var
    def finished(self) -> bool:
        return self.status in FINISHED

    @rx.var
    def stats_text(self) -> str:
        """The outcome of the apply in words."""
        stats = self.stats
        return gettext(
            "Created {created}, updated {updated}, unchanged {unchanged}, failed {failed} of {total}",
            created=format_number(stats.get("created", 0)),
            updated=format_number(stats.get("updated", 0)),
            unchanged=format_number(stats.get("unchanged", 0)),
            failed=format_number(stats.get("failed", 0)),
            total=format_number(stats.get("total", 0)),
        )

    @rx.var
    def missing_text(self) -> str:
        n = self.stats.get("missing_devices", 0)
        return ngettext(
            "{n} device of the touched organizations is not in the files",
            "{n} devices of the touched organizations are not in the files",
            n,
        )

    @rx.event
    @requires(*IMPORT)
    async def apply(self):
        """Hand the session to a worker, unless something must be settled first (the messages say what)."""
        from workers import jobs

        if not self.import_id:
            return rx.toast.error(gettext("Upload a workbook first"))
        self.problems = await with_session(importing.apply_problems, self.import_id)
        if self.problems:
            return rx.toast.error(gettext("Nothing was applied: the reasons are listed above the Apply button"))
        try:
            await in_thread(jobs.apply_contract_import, self.import_id, self._user_id)
        except jobs.ImportApplying:
            return rx.toast.warning(gettext("This import is being applied already; its progress shows here"))
        self.status, self.done = ImportSessionStatus.APPLYING.value, 0
        return rx.toast.info(gettext("Applying the import; its progress shows here in every open tab"))

    @rx.event
    @requires(*IMPORT)
    async def download_missing(self):
        """The devices of the touched organizations that the applied files did not mention, as a workbook."""
        if self.status != ImportSessionStatus.APPLIED:
            return rx.toast.error(gettext("The report is made when the import is applied"))
        data = await with_session(importing.missing_devices_xlsx, self.import_id)
        return rx.download(data=data, filename=f"missing_devices_{self.import_id}.xlsx", mime_type=XLSX)

    @rx.event(background=True)
    @requires(*IMPORT)
    async def listen(self):
        """Follow the apply of this tab's session until the tab navigates away or closes (then it is cancelled), or
        its sign-in no longer grants the import (checked every CHECK_S): the progress from the live updates, and
        from the database every RECHECK_S while applying (a progress event may be lost)."""
        queue = hub.attach()
        loop = asyncio.get_running_loop()
        try:
            async with self:
                cookie = self.router.headers.cookie
            check_at, shown_at = loop.time() + CHECK_S, 0.0
            while True:
                async with self:
                    import_id, applying = self.import_id, self.status == ImportSessionStatus.APPLYING
                batch = await next_batch(  # a burst of progress is gathered into one update a PROGRESS_EVERY
                    queue, window=0.2, timeout=RECHECK_S if applying else CHECK_S, not_before=shown_at + PROGRESS_EVERY
                )
                if loop.time() >= check_at:
                    if not await in_thread(_may_import, cookie):
                        return
                    check_at = loop.time() + CHECK_S
                latest = _latest(batch, import_id)
                if not import_id or (latest is None and not (applying and not batch)):
                    continue
                if latest is not None and latest.get("status") == ImportSessionStatus.APPLYING:
                    async with self:
                        if self.import_id == import_id:
                            self.status = ImportSessionStatus.APPLYING.value
                            self.done, self.progress_total = int(latest["done"]), int(latest["total"])
                    shown_at = loop.time()
                    continue
                async with self:  # finished, or no news for a while: what the database says
                    wanted = self._wanted()
                snapshot = await with_session(preview.read_snapshot, import_id, **wanted)
                async with self:
                    if self.import_id == import_id:
                        self._show(snapshot)
                        if latest is not None and latest.get("refused"):
                            self.problems = [str(latest["refused"])]
        finally:
            hub.detach(queue)


def _latest(batch: list, import_id: int) -> dict | None:
    """The latest progress of this import session among the events (its outcome, when one says it finished)."""
    mine = [p for kind, p in batch if kind == events.CONTRACT_IMPORT_PROGRESS and p.get("import_id") == import_id]
    return max(mine, key=lambda p: (p.get("status") in FINISHED, p.get("done", 0))) if mine else None


def _may_import(cookie: str | None) -> bool:
    principal = principal_for_cookie(cookie)
    return principal is not None and not principal.missing(*IMPORT)
