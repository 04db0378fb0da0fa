"""State of the "Fill customer report" dialog of the printers page (docs/inventory-and-polling.md §7.2): the user
drops a customer's template, sees what was filled and what was not, then downloads `amb_report.xlsx`.

The filled file waits in a backend-only var (never sent to the browser) until it is downloaded or the dialog is
closed; a refused file shows its reason and keeps nothing."""

from __future__ import annotations

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import gettext
from printer_app.services.contracts.workbook import WorkbookRefused
from printer_app.services.inventory.amb_report import FILENAME, MAX_BYTES, fill_template
from printer_app.services.inventory.printer_export import XLSX_MIME
from printer_app.state.session import SessionState, requires, with_session

AMB = ("inventory.access_inventory_app", "inventory.export_amb_report")
UPLOAD_ID = "amb-upload"


class AmbState(SessionState):
    open: bool = False
    reading: bool = False
    file_name: str = ""
    refusal: str = ""
    filled: int = -1  # rows filled; -1 until a template was read
    without_serial: int = 0
    not_found: list[str] = []
    without_poll: list[str] = []
    inactive_only: list[str] = []
    _data: bytes = b""

    @rx.var
    def ready(self) -> bool:
        return self.filled >= 0 and not self.refusal

    def _clear(self) -> None:
        self.reading, self.file_name, self.refusal, self.filled, self.without_serial = False, "", "", -1, 0
        self.not_found, self.without_poll, self.inactive_only, self._data = [], [], [], b""

    @rx.event
    @requires(*AMB)
    async def open_dialog(self) -> None:
        self._clear()
        self.open = True

    @rx.event
    @requires(*AMB)
    async def set_open(self, value: bool) -> None:
        self.open = value is True
        if not self.open:
            self._clear()

    @rx.event
    @requires(*AMB)
    async def upload(self, files: list[rx.UploadFile]):
        """Fill the dropped template from the stored polls; the summary shows before the download."""
        self._clear()
        if not files:
            return
        upload = files[0]
        self.file_name = (upload.name or "").rsplit("/", 1)[-1][:200]
        self.reading = True
        yield
        try:
            data = await upload.read(MAX_BYTES + 1)
            self._data, summary = await with_session(fill_template, data, tz=get_settings().tz)
        except WorkbookRefused as exc:
            self.refusal = exc.message
            return
        finally:
            self.reading = False
        self.filled, self.without_serial = summary.rows_filled, summary.rows_without_serial
        self.not_found, self.without_poll, self.inactive_only = (
            summary.not_found,
            summary.without_poll,
            summary.inactive_only,
        )

    @rx.event
    @requires(*AMB)
    async def download(self):
        if not self._data:
            return rx.toast.error(gettext("Drop the customer's template first."))
        return rx.download(data=self._data, filename=FILENAME, mime_type=XLSX_MIME)
