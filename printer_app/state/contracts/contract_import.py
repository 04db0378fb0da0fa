"""State of the contract import page: upload workbooks into the user's import session, decide, apply in a worker.

The session lives in the database (a reload, a second tab and a backend restart find it again); the tab holds only
what it shows: the files, the counts per class, one page of rows, the options and the apply's progress, which every
tab of the session follows through the live updates (CONTRACT_IMPORT_PROGRESS) and, while applying, the database.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from printer_app.i18n import gettext, ngettext
from printer_app.models.choices import ImportDecision, ImportRowClass, ImportSessionStatus
from printer_app.services.contracts import import_preview as preview
from printer_app.services.contracts import importing
from printer_app.services.contracts.workbook import WorkbookRefused
from printer_app.state import view
from printer_app.state.contracts.import_apply import IMPORT, ImportApplyMixin
from printer_app.state.contracts.import_views import (
    ALL,
    CLASSES,
    ChipView,
    FileView,
    RowView,
    chips,
    figures,
    file_view,
    row_view,
)
from printer_app.state.paged import PagedListMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session

NONE = "none"
DECISIONS = (ImportDecision.APPLY.value, ImportDecision.SKIP.value)


def _current_id(session, user_id: int | None) -> int:
    found = preview.latest_import(session, user_id=user_id)
    return found.id if found is not None else 0


class ContractImportState(ImportApplyMixin, PagedListMixin, SessionState):
    """The user's import session as the page shows it; every handler checks the import permission."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = IMPORT
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("row_class",)

    import_id: int = 0
    status: str = ""
    files: list[FileView] = []
    refusals: list[str] = []  # why the files of the last upload were refused (each names its file)
    upload_percent: int = 0
    uploading: bool = False
    reading: str = ""  # the file being read now
    chips: list[ChipView] = []
    row_class: str = ALL
    rows: list[RowView] = []
    total: int = 0
    page: int = 1
    page_size: int = 50
    search: str = ""  # PagedListMixin's; the preview has no search
    bulk_class: str = ImportRowClass.NEW.value
    status_options: list[list[str]] = []
    provider_options: list[list[str]] = []
    target_status: str = ""
    provider: str = NONE
    create_cities: bool = False
    unknown_cities: list[str] = []

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No rows"))

    @rx.var
    def editable(self) -> bool:
        """Files may be added and rows decided (not once the session is being applied or was applied)."""
        return self.status in ("", ImportSessionStatus.OPEN)

    @rx.var
    def can_apply(self) -> bool:
        """Apply is offered for an open session, and again for one whose apply failed."""
        return self.status in ("", ImportSessionStatus.OPEN, ImportSessionStatus.FAILED)

    @rx.var
    def has_rows(self) -> bool:
        return any(c.count for c in self.chips if c.value == ALL)

    # --- reading ---------------------------------------------------------------------------------------------

    @rx.event
    @requires_page(*IMPORT)
    async def load(self):
        """The user's current import session, found again in the database; the tab then follows its apply."""
        self.import_id = await with_session(_current_id, self._user_id)
        self.status_options = [[str(i), n] for i, n in await with_session(preview.status_choices)]
        self.provider_options = [[str(i), n] for i, n in await with_session(preview.provider_choices)]
        self.refusals, self.problems, self.page, self.row_class = [], [], 1, ALL
        await self._query()
        return ContractImportState.listen

    async def _query(self) -> None:
        self._show(await with_session(preview.read_snapshot, self.import_id, **self._wanted()))
        if self.page > self.page_count:  # fewer rows than before (a file removed): the last page there is
            self.page = self.page_count
            self._show(await with_session(preview.read_snapshot, self.import_id, **self._wanted()))

    def _wanted(self) -> dict:
        """Which rows the tab shows: the class chosen, the page."""
        row_class = self.row_class if self.row_class in CLASSES else None  # "all" (or a forged value): every row
        return {"row_class": row_class, "page": self.page, "page_size": self.page_size}

    def _show(self, s: preview.Snapshot) -> None:
        self.import_id, self.status, self.error = s.import_id, s.status, s.error
        self.done, self.progress_total, self.stats = s.done, s.total, figures(s.stats)
        self.target_status = str(s.target_status_id or "")
        self.provider, self.create_cities = str(s.provider_id) if s.provider_id else NONE, s.create_cities
        self.files = [file_view(f) for f in s.files]
        self.unknown_cities, self.chips = s.unknown_cities, chips(s.counts)
        self.total, self.rows = s.rows_total, [row_view(r) for r in s.rows]

    # --- upload ----------------------------------------------------------------------------------------------

    @rx.event
    @requires(*IMPORT)
    async def upload_progress(self, progress: dict):
        """How much of the dropped files the browser has sent, in steps of 5 % (each change re-renders the page)."""
        try:
            share = float(progress.get("progress", 0)) if isinstance(progress, dict) else 0.0
        except (TypeError, ValueError):
            share = 0.0
        percent = 5 * max(0, min(20, int(share * 20)))
        if percent != self.upload_percent or not self.uploading:
            self.upload_percent, self.uploading = percent, percent < 100

    @rx.event
    @requires(*IMPORT)
    async def upload(self, files: list[rx.UploadFile]):
        """Read each workbook into the session (created by the first upload); a refused file stores nothing and its
        message names it. The page shows which file is being read."""
        self.uploading, self.upload_percent, self.refusals = False, 100, []
        if not files:
            return
        if self.status not in ("", ImportSessionStatus.OPEN):
            yield rx.toast.error(gettext("This import was applied: start a new session to upload files"))
            return
        if not self.import_id:
            self.import_id = (await with_session(importing.open_session, user_id=self._user_id)).id
        added = 0
        for upload in files:
            name = (upload.name or "").rsplit("/", 1)[-1] or gettext("(no name)")
            self.reading = name
            yield
            try:
                data = await upload.read()
                await with_session(importing.add_workbook, self.import_id, name, data)
                added += 1
            except (importing.ImportRefused, WorkbookRefused) as exc:
                self.refusals = [*self.refusals, gettext("{file}: {reason}", file=name, reason=str(exc))]
        self.reading = ""
        self.page = 1
        await self._query()
        if added:
            yield rx.toast.success(ngettext("{n} file read", "{n} files read", added))

    @rx.event
    @requires(*IMPORT)
    async def remove_file(self, file_id: int):
        try:
            await with_session(importing.remove_file, self.import_id, int(file_id))
        except (importing.ImportRefused, TypeError, ValueError) as exc:
            return rx.toast.error(str(exc))
        await self._query()
        return None

    @rx.event
    @requires(*IMPORT)
    async def new_session(self):
        """Start over: a new, empty import session of this user."""
        if self.applying:
            return rx.toast.error(gettext("Wait until the import is applied"))
        try:
            self.import_id = (await with_session(importing.open_session, user_id=self._user_id)).id
        except importing.ImportRefused as exc:
            return rx.toast.error(str(exc))
        self.refusals, self.problems, self.page, self.row_class = [], [], 1, ALL
        await self._query()
        return None

    # --- decisions and options ---------------------------------------------------------------------------------

    @rx.event
    @requires(*IMPORT)
    async def decide(self, row_id: int, decision: str):
        if decision not in DECISIONS:
            return rx.toast.error(view.not_a_choice(decision))
        try:
            await with_session(importing.set_decision, self.import_id, [int(row_id)], decision)
        except (importing.ImportRefused, TypeError, ValueError) as exc:
            return rx.toast.error(str(exc))
        await self._query()
        return None

    @rx.event
    @requires(*IMPORT)
    async def set_bulk_class(self, value: str):
        if value not in CLASSES or value == ImportRowClass.ERROR:
            return rx.toast.error(view.not_a_choice(value))
        self.bulk_class = value
        return None

    @rx.event
    @requires(*IMPORT)
    async def decide_class(self, decision: str):
        """Every row of the chosen class applied, or skipped."""
        if decision not in DECISIONS or self.bulk_class not in CLASSES:
            return rx.toast.error(view.not_a_choice(decision))
        try:
            await with_session(importing.set_class_decision, self.import_id, self.bulk_class, decision)
        except importing.ImportRefused as exc:
            return rx.toast.error(str(exc))
        await self._query()
        label = ImportRowClass(self.bulk_class).text
        if decision == ImportDecision.APPLY:
            return rx.toast.success(gettext("Every “{cls}” row will be applied", cls=label))
        return rx.toast.success(gettext("Every “{cls}” row will be skipped", cls=label))

    @rx.event
    @requires(*IMPORT)
    async def set_target_status(self, value: str):
        if value not in {s for s, _ in self.status_options}:
            return rx.toast.error(view.not_a_choice(value))
        return await self._options(target_status=value)

    @rx.event
    @requires(*IMPORT)
    async def set_provider(self, value: str):
        if value != NONE and value not in {p for p, _ in self.provider_options}:
            return rx.toast.error(view.not_a_choice(value))
        return await self._options(provider=value)

    @rx.event
    @requires(*IMPORT)
    async def set_create_cities(self, value: bool):
        return await self._options(create_cities=bool(value))

    async def _options(self, **changed) -> rx.event.EventSpec | None:
        chosen = {"target_status": self.target_status, "provider": self.provider, "create_cities": self.create_cities}
        chosen |= changed
        if not self.import_id:
            return rx.toast.error(gettext("Upload a workbook first"))
        try:
            await with_session(
                importing.set_options,
                self.import_id,
                target_status_id=int(chosen["target_status"]) if chosen["target_status"] else None,
                service_provider_id=None if chosen["provider"] == NONE else int(chosen["provider"]),
                create_cities=chosen["create_cities"],
            )
        except importing.ImportRefused as exc:
            return rx.toast.error(str(exc))
        self.problems = []
        await self._query()
        return None
