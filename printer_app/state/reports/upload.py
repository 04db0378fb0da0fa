"""State of the month upload page (/reports/upload): the month and options, the workbook's analysis as a preview,
then the import — in the handler for a small file, by a worker for a large one (the tab follows its progress).

The analysis is kept in the database (ReportUpload) and its id in the address (`?upload=ID`), so the preview survives
a reload; `?month=YYYY-MM` preselects the month. Every load and handler checks the upload permission.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import format_number, gettext, ngettext
from printer_app.models.choices import ReportUploadStatus
from printer_app.models.reports import ReportUpload
from printer_app.services import events
from printer_app.services.reports import importing, upload
from printer_app.services.reports.columns import header_of
from printer_app.services.reports.months import default_edit_until, month_key, parse_report_month
from printer_app.state.live.hub import hub, next_batch
from printer_app.state.reports.access import UPLOAD
from printer_app.state.session import (
    SessionState,
    in_thread,
    principal_for_cookie,
    requires,
    requires_page,
    with_session,
)

log = logging.getLogger(__name__)
RECHECK_S = 3.0  # while a worker imports, the tab also re-reads the upload this often (a progress event may be lost)
CHECK_S = 30.0  # a listening tab re-checks its sign-in this often
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # the datetime-local input's value
WORKING = {ReportUploadStatus.QUEUED.value, ReportUploadStatus.RUNNING.value}


@dataclass
class ColumnView:
    field: str = ""
    label: str = ""
    header: str = ""


@dataclass
class ProblemView:
    row: int = 0
    message: str = ""


@dataclass
class UnknownView:
    name: str = ""
    hints: str = ""


def _local_text(moment: datetime) -> str:
    return moment.astimezone(get_settings().tz).strftime(LOCAL_FORMAT)


class ReportUploadState(SessionState):
    """One upload of a month workbook as the page shows it."""

    month: str = ""
    replace_month: bool = False
    allow_edit: bool = False
    edit_until: str = ""
    publish: bool = False
    upload_id: int = 0
    file_name: str = ""
    status: str = ""
    rows_read: int = 0
    columns: list[ColumnView] = []
    ignored: list[str] = []
    problems: list[ProblemView] = []
    problem_count: int = 0
    unknown: list[UnknownView] = []
    refusal: str = ""  # why the analysis refused the file
    error: str = ""  # why the import failed
    done: int = 0
    total: int = 0
    result_text: str = ""
    result_month: str = ""
    reading: bool = False

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @rx.var
    def working(self) -> bool:
        return self.status in WORKING

    @rx.var
    def can_import(self) -> bool:
        startable = (ReportUploadStatus.ANALYSED.value, ReportUploadStatus.FAILED.value)
        return self.upload_id > 0 and not self.refusal and self.status in startable

    @rx.var
    def rows_text(self) -> str:
        return ngettext("{n} row read", "{n} rows read", self.rows_read)

    @rx.var
    def progress_text(self) -> str:
        return gettext("{done} of {total} rows", done=format_number(self.done), total=format_number(self.total))

    @rx.var
    def more_problems(self) -> str:
        hidden = self.problem_count - len(self.problems)
        return ngettext("… and {n} more", "… and {n} more", hidden) if hidden > 0 else ""

    @rx.var
    def month_link(self) -> str:
        return f"/reports/{self.result_month}" if self.result_month else ""

    # --- loading ---------------------------------------------------------------------------------------------

    @rx.event
    @requires_page(UPLOAD)
    async def load(self):
        """The month of `?month=`, or the upload of `?upload=` (its preview, options and progress)."""
        query = self.router.url.query_parameters
        self._reset_preview()
        self.upload_id = 0
        self.month = _month_text(query.get("month", "")) or _month_text(self.month) or month_key(datetime.now().date())
        self.edit_until = _local_text(default_edit_until(parse_report_month(self.month), get_settings().tz))
        wanted = query.get("upload", "")
        if wanted.isascii() and wanted.isdigit() and len(wanted) < 12:
            found = await with_session(importing.read_upload, int(wanted), user_id=self._user_id)
            if found is not None:
                self._show(found)
        return ReportUploadState.listen

    def _reset_preview(self) -> None:
        self.file_name, self.status, self.rows_read, self.columns, self.ignored = "", "", 0, [], []
        self.problems, self.problem_count, self.unknown, self.refusal, self.error = [], 0, [], "", ""
        self.done, self.total, self.result_text, self.result_month = 0, 0, "", ""

    def _show(self, found: ReportUpload) -> None:
        """An upload's analysis, options, progress and outcome (labels in this event's language)."""
        english = self.language != "ru"
        analysis, options = found.analysis or {}, found.options or {}
        self.upload_id, self.file_name, self.status = found.id or 0, found.file_name, found.status
        self.month = month_key(found.month)
        self.rows_read = int(analysis.get("rows_read", 0))
        self.columns = [
            ColumnView(name, header_of(name, english=english), header)
            for name, header in (analysis.get("columns") or {}).items()
        ]
        self.ignored = list(analysis.get("ignored_columns") or [])
        self.problems = [ProblemView(int(p["row"]), str(p["message"])) for p in analysis.get("problems") or []]
        self.problem_count = int(analysis.get("problem_count", len(self.problems)))
        self.unknown = [
            UnknownView(u["name"], ", ".join(u.get("hints") or [])) for u in analysis.get("unknown_organizations") or []
        ]
        self.refusal, self.error = str(analysis.get("refusal") or ""), found.error or ""
        if options:
            self.replace_month = bool(options.get("replace_month"))
            self.allow_edit = bool(options.get("allow_edit"))
            self.publish = bool(options.get("publish"))
            if options.get("edit_until"):
                self.edit_until = _local_text(datetime.fromisoformat(options["edit_until"]))
        self.done, self.total = found.progress_done, found.progress_total or self.rows_read
        self.result_text, self.result_month = "", ""
        if found.status == ReportUploadStatus.DONE:
            result = found.result or {}
            self.result_month = self.month
            self.result_text = gettext(
                "{rows} rows imported into {month}; {deleted} rows replaced, {zeroed} counters zeroed by model specs",
                rows=format_number(result.get("rows", 0)),
                month=self.month,
                deleted=format_number(result.get("deleted", 0)),
                zeroed=format_number(result.get("zeroed", 0)),
            )

    # --- the form --------------------------------------------------------------------------------------------

    @rx.event
    @requires(UPLOAD)
    async def set_month(self, value: str):
        self.month = str(value or "")[:7]
        month = _month_text(self.month)
        if month:
            self.edit_until = _local_text(default_edit_until(parse_report_month(month), get_settings().tz))

    @rx.event
    @requires(UPLOAD)
    async def set_replace_month(self, value: bool):
        self.replace_month = bool(value)

    @rx.event
    @requires(UPLOAD)
    async def set_allow_edit(self, value: bool):
        self.allow_edit = bool(value)

    @rx.event
    @requires(UPLOAD)
    async def set_edit_until(self, value: str):
        self.edit_until = str(value or "")[:16]

    @rx.event
    @requires(UPLOAD)
    async def set_publish(self, value: bool):
        self.publish = bool(value)

    @rx.event
    @requires(UPLOAD)
    async def start_over(self):
        """Forget the shown upload: the drop zone again."""
        self._reset_preview()
        self.upload_id = 0
        return rx.call_script("window.history.replaceState(null, '', '/reports/upload')")

    # --- upload and import -----------------------------------------------------------------------------------

    @rx.event
    @requires(UPLOAD)
    async def upload(self, files: list[rx.UploadFile]):
        """Analyse the dropped workbook and show its preview (nothing is imported yet)."""
        if not files:
            return
        month = _month_text(self.month)
        if not month:
            yield rx.toast.error(gettext("Choose the month first"))
            return
        self._reset_preview()
        self.upload_id, self.reading = 0, True
        yield
        name = (files[0].name or "").rsplit("/", 1)[-1]
        try:
            data = await files[0].read()
            found = await with_session(
                _analyse_and_store, data, name, parse_report_month(month), self._user_id, self._actor().ip
            )
        except upload.UploadRefused as exc:
            self.reading, self.file_name, self.refusal = False, name, exc.message
            return
        self.reading = False
        self._show(found)
        yield rx.call_script(f"window.history.replaceState(null, '', '/reports/upload?upload={int(found.id)}')")

    @rx.event
    @requires(UPLOAD)
    async def import_month(self):
        """Import the shown upload with the month and options of the form: here for a small file, by a worker for a
        large one (then the progress shows in the page)."""
        from workers import jobs

        month = _month_text(self.month)
        if not month:
            yield rx.toast.error(gettext("Choose the month first"))
            return
        until = None
        if self.allow_edit and self.edit_until:
            try:
                until = datetime.strptime(self.edit_until, LOCAL_FORMAT).replace(tzinfo=get_settings().tz)
            except ValueError:
                yield rx.toast.error(gettext("“Allow editing until” needs a date and time"))
                return
        options = importing.options_of(
            replace_month=self.replace_month, allow_edit=self.allow_edit, edit_until=until, publish=self.publish
        )
        upload_id, user_id = self.upload_id, self._user_id
        try:
            await with_session(importing.prepare, upload_id, month=parse_report_month(month), options=options)
            if self.rows_read > importing.WORKER_ROWS:
                await in_thread(jobs.import_month_report, upload_id, user_id)
                self.status, self.done, self.error = ReportUploadStatus.QUEUED.value, 0, ""
                yield rx.toast.info(gettext("The import runs in the background; its progress shows here"))
                return
            self.status, self.done, self.error = ReportUploadStatus.RUNNING.value, 0, ""
            yield
            await in_thread(importing.import_upload, upload_id, user_id=user_id)
        except (upload.UploadRefused, jobs.UploadImporting) as exc:
            yield rx.toast.error(getattr(exc, "message", None) or str(exc))
        except Exception:  # an import marks its upload failed with the error (shown below); queueing may fail too
            log.exception("month upload #%s: the import did not start or failed", upload_id)
            yield rx.toast.error(gettext("The import failed"))
        found = await with_session(importing.read_upload, upload_id, user_id=user_id)
        if found is not None:
            self._show(found)
        if self.status == ReportUploadStatus.DONE:
            yield rx.toast.success(gettext("The month was imported"))

    @rx.event(background=True)
    @requires(UPLOAD)
    async def listen(self):
        """Follow a worker's import of this tab's upload (progress events, and the database every RECHECK_S) until
        the tab navigates away or its sign-in no longer grants the upload."""
        queue = hub.attach()
        loop = asyncio.get_running_loop()
        try:
            async with self:
                cookie = self.router.headers.cookie
            check_at = loop.time() + CHECK_S
            while True:
                async with self:
                    upload_id, working = self.upload_id, self.status in WORKING
                batch = await next_batch(queue, window=0.2, timeout=RECHECK_S if working else CHECK_S)
                if loop.time() >= check_at:
                    if not await in_thread(_may_upload, cookie):
                        return
                    check_at = loop.time() + CHECK_S
                mine = [
                    p for kind, p in batch if kind == events.REPORT_UPLOAD_PROGRESS and p.get("upload_id") == upload_id
                ]
                if not upload_id or not (mine or working):
                    continue
                latest = mine[-1] if mine else None
                if latest is not None and latest.get("status") == ReportUploadStatus.RUNNING:
                    async with self:
                        if self.upload_id == upload_id and self.status in WORKING:
                            self.status = ReportUploadStatus.RUNNING.value
                            self.done, self.total = int(latest["done"]), int(latest["total"])
                    continue
                async with self:
                    user_id = self._user_id
                found = await with_session(importing.read_upload, upload_id, user_id=user_id)
                async with self:
                    if found is not None and self.upload_id == upload_id and self.status in WORKING:
                        self._show(found)
        finally:
            hub.detach(queue)


def _analyse_and_store(session, data: bytes, name: str, month, user_id: int | None, ip: str | None) -> ReportUpload:
    analysis = upload.analyse(session, data, file_name=name)
    stored = upload.store(session, analysis, month=month, user_id=user_id, ip_address=ip)
    session.flush()
    session.expunge(stored)
    return stored


def _month_text(value: str) -> str:
    """`YYYY-MM` of a valid month, else ""."""
    try:
        return month_key(parse_report_month(value)) if value else ""
    except ValueError:
        return ""


def _may_upload(cookie: str | None) -> bool:
    principal = principal_for_cookie(cookie)
    return principal is not None and not principal.missing(UPLOAD)
