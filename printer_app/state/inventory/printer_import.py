"""State of `/printers/import` (docs/inventory-and-polling.md §8.5): drop a workbook, read the preview (rows by class,
how each model matched, what an existing printer would change, the errors), then apply.

The parsed rows wait in a backend-only var (never sent to the browser); the preview pages, filters and sorts them
on the server. The apply analyses them again against the database (services/inventory/printer_import.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from printer_app.i18n import gettext, ngettext
from printer_app.services.contracts.workbook import MAX_BYTES, WorkbookRefused
from printer_app.services.inventory import printer_import as service
from printer_app.state import view
from printer_app.state.paged import PagedListMixin
from printer_app.state.session import SessionState, in_thread, requires, requires_page, with_session

ADD = ("inventory.access_inventory_app", "inventory.view_printer", "inventory.add_printer")
CHANGE = "inventory.change_printer"
UPLOAD_ID = "printer-import-upload"
ALL = "all"
FIELD_LABELS = {
    "serial_number": "Serial number",
    "device_model_id": "Model",
    "organization_id": "Organization",
    "location": "Location",
}


@dataclass
class ImportRowView:
    number: int = 0
    ip: str = ""
    serial: str = ""
    model: str = ""  # as the file names it
    match: str = ""  # how it matched, translated
    match_key: str = ""
    found: str = ""  # the catalogue model it matched, or what would be created
    organization: str = ""
    row_class: str = ""
    changes: str = ""
    errors: str = ""


def _row(held: dict) -> service.ImportRow:
    """A held row back as the service's input (plain values, whatever the state wrapped them in)."""
    return service.ImportRow(**{name: held[name] for name in service.INPUT_FIELDS})


def _view(row: service.ImportRow) -> ImportRowView:
    label = service.MATCH_LABELS.get(row.model_match, "")
    changes = "; ".join(
        gettext("{field}: {old} → {new}", field=gettext(FIELD_LABELS[k]), old=old or "—", new=new or "—")
        for k, (old, new) in row.changes.items()
    )
    return ImportRowView(
        number=row.number,
        ip=row.ip,
        serial=row.serial,
        model=f"{row.manufacturer} {row.model}".strip(),
        match=gettext(label) if label else "",
        match_key=row.model_match,
        found=row.model_label,
        organization=row.organization,
        row_class=row.row_class,
        changes=changes,
        errors="; ".join(row.errors),
    )


class PrinterImportState(PagedListMixin, SessionState):
    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = ADD
    LIST_FILTERS: ClassVar[tuple[str, ...]] = ("row_class",)

    file_name: str = ""
    reading: bool = False
    refusal: str = ""
    rows: list[ImportRowView] = []
    counts: dict[str, int] = {}
    row_class: str = ALL
    search: str = ""
    page: int = 1
    page_size: int = 50
    total: int = 0
    create_models: bool = True
    applying: bool = False
    result: str = ""
    held: int = 0  # rows read from the file
    _parsed: list[dict] = []

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No rows"))

    @rx.var
    def can_apply(self) -> bool:
        return (
            bool(self._parsed)
            and not self.applying
            and (self.counts.get("NEW", 0) + self.counts.get("EXISTING", 0)) > 0
        )

    def _clear(self) -> None:
        self.file_name, self.refusal, self.rows, self.counts, self.total, self.result = "", "", [], {}, 0, ""
        self.row_class, self.search, self.page, self._parsed, self.held = ALL, "", 1, [], 0

    async def _query(self) -> None:
        """Analyse the held rows against the database now and show one page of them."""
        rows = [_row(r) for r in self._parsed]
        analysed = await with_session(service.analyse, rows)
        self.counts = service.counts(analysed)
        needle = self.search.strip().lower()
        shown = [
            r
            for r in analysed
            if (self.row_class == ALL or r.row_class == self.row_class)
            and (not needle or needle in f"{r.ip} {r.serial} {r.manufacturer} {r.model}".lower())
        ]
        self.total = len(shown)
        self.page = max(1, min(self.page, view.page_count(self.total, self.page_size)))
        start = (self.page - 1) * self.page_size
        self.rows = [_view(r) for r in shown[start : start + self.page_size]]

    @rx.event
    @requires_page(*ADD)
    async def load(self) -> None:
        self._clear()

    @rx.event
    @requires(*ADD)
    async def upload(self, files: list[rx.UploadFile]):
        self._clear()
        if not files:
            return
        upload = files[0]
        self.file_name = (upload.name or "").rsplit("/", 1)[-1][:200]
        self.reading = True
        yield
        try:
            data = await upload.read(MAX_BYTES + 1)
            parsed = await in_thread(service.read_rows, data)
        except WorkbookRefused as exc:
            self.refusal = exc.message
            return
        finally:
            self.reading = False
        self._parsed = [r.read() for r in parsed]
        self.held = len(parsed)
        await self._query()

    @rx.event
    def set_create_models(self, value: bool) -> None:
        self.create_models = value is True

    @rx.event
    @requires(*ADD)
    async def apply(self):
        """Store the rows (existing printers only with the change permission); the preview then shows the result."""
        if not self._parsed:
            return
        self.applying = True
        yield
        try:
            result = await with_session(
                service.apply,
                [_row(r) for r in self._parsed],
                create_models=self.create_models,
                may_change=CHANGE in self.permissions,
                actor=self._actor(),
            )
        finally:
            self.applying = False
        figures = [
            ngettext("{n} printer created", "{n} printers created", result.created),
            ngettext("{n} updated", "{n} updated", result.updated),
            ngettext("{n} left as it was", "{n} left as they were", result.unchanged),
            ngettext("{n} error", "{n} errors", result.errors),
            ngettext("{n} model created", "{n} models created", result.models_created),
        ]
        self.result = " · ".join([*figures, *result.messages[:20]])
        await self._query()
        yield rx.toast.success(gettext("Import applied."))
