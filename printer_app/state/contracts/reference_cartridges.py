"""The cartridges of the reference page: the cartridges of one device model (a dialog of the Models tab) and the
cartridge workbook import (the Cartridges tab)."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session, select

from printer_app.i18n import gettext, ngettext
from printer_app.models import Cartridge, DeviceModel
from printer_app.services.contracts.cartridge_import import import_cartridges
from printer_app.services.contracts.model_cartridges import (
    link_cartridge,
    model_cartridges,
    set_primary,
    unlink_cartridge,
)
from printer_app.services.contracts.workbook import MAX_BYTES, WorkbookRefused
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.state.contracts.reference import APP, ReferenceState
from printer_app.state.session import SessionState, requires, with_session
from printer_app.state.view import refusal_text

LINKS = "contracts.view_devicemodelcartridge"
IMPORT = (APP, "contracts.add_cartridge", "contracts.change_cartridge", "contracts.add_devicemodelcartridge")
UPLOAD_ID = "cartridge-upload"


def _model_view(session: Session, model_id: int) -> tuple[str, list[dict], list[list[str]]]:
    """The model's name, its cartridges, and the active cartridges it could be given (the add select)."""
    model = session.get(DeviceModel, model_id)
    if model is None:
        raise NotFoundError(gettext("Device model #{id} does not exist", id=model_id))
    links = model_cartridges(session, model_id)
    linked = {link.cartridge_id for link in links}
    active = session.exec(select(Cartridge).where(Cartridge.is_active).order_by(Cartridge.name, Cartridge.id)).all()
    offer = [
        [str(c.id), f"{c.name} ({c.part_number})" if c.part_number else c.name] for c in active if c.id not in linked
    ]
    rows = [
        {"id": str(x.id), "name": x.name, "part_number": x.part_number, "primary": "true" if x.is_primary else "false"}
        for x in links
    ]
    return model.name, rows, offer


class ModelCartridgesState(SessionState):
    open: bool = False
    model_id: int = 0
    model_name: str = ""
    links: list[dict[str, str]] = []
    offer: list[list[str]] = []
    pick: str = ""
    primary: bool = False
    error: str = ""

    @rx.event
    @requires(APP, LINKS)
    async def show(self, model_id: int):
        try:
            self.model_name, self.links, self.offer = await with_session(_model_view, int(model_id))
        except (NotFoundError, ValueError, TypeError) as exc:
            return rx.toast.error(str(exc))
        self.model_id, self.pick, self.primary, self.error, self.open = int(model_id), "", False, "", True
        return None

    async def _reload(self) -> None:
        self.model_name, self.links, self.offer = await with_session(_model_view, self.model_id)
        await (await self.get_state(ReferenceState))._query()  # the Models table counts the cartridges

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = value

    @rx.event
    def set_pick(self, value: str) -> None:
        self.pick = value

    @rx.event
    def set_primary(self, value: bool) -> None:
        self.primary = value

    @rx.event
    @requires(APP, "contracts.add_devicemodelcartridge")
    async def add(self):
        try:
            await with_session(
                link_cartridge,
                model_id=self.model_id,
                cartridge_id=self.pick,
                is_primary=self.primary,
                actor=self._actor(),
            )
        except (DomainValidationError, NotFoundError) as exc:
            self.error = refusal_text(exc) if isinstance(exc, DomainValidationError) else str(exc)
            return None
        self.pick, self.primary, self.error = "", False, ""
        await self._reload()
        return None

    @rx.event
    @requires(APP, "contracts.change_devicemodelcartridge")
    async def toggle_primary(self, link_id: str, value: bool):
        try:
            await with_session(set_primary, link_id=link_id, is_primary=bool(value), actor=self._actor())
        except NotFoundError as exc:
            self.error = str(exc)
        await self._reload()

    @rx.event
    @requires(APP, "contracts.delete_devicemodelcartridge")
    async def remove(self, link_id: str):
        try:
            await with_session(unlink_cartridge, link_id=link_id, actor=self._actor())
        except NotFoundError as exc:
            self.error = str(exc)
        await self._reload()


class CartridgeImportState(SessionState):
    primary: bool = False
    skip_existing: bool = False
    dry_run: bool = False
    summary: str = ""
    refused: str = ""
    errors: list[str] = []

    @rx.event
    def set_option(self, name: str, value: bool) -> None:
        if name in ("primary", "skip_existing", "dry_run"):
            setattr(self, name, bool(value))

    @rx.event
    @requires(*IMPORT)
    async def upload(self, files: list[rx.UploadFile]):
        """Import the dropped workbook; the summary (or why the file was refused) shows under the drop zone."""
        if not files:
            return None
        upload = files[0]
        self.summary, self.refused, self.errors = "", "", []
        if (upload.size or 0) > MAX_BYTES:
            self.refused = gettext("The file is larger than {n} MB.", n=MAX_BYTES // (1024 * 1024))
            return None
        data = await upload.read()
        options = {"primary": self.primary, "skip_existing": self.skip_existing, "dry_run": self.dry_run}
        try:
            result = await with_session(import_cartridges, data, actor=self._actor(), **options)
        except WorkbookRefused as exc:
            self.refused = gettext("{file}: {why} Nothing was stored.", file=upload.name, why=str(exc))
            return None
        self.summary = gettext(
            "{file}: {rows} rows, {created} cartridges created, {updated} updated, {linked} linked to models, "
            "{skipped} skipped, {errors}.",
            file=upload.name,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            linked=result.linked,
            skipped=result.skipped,
            errors=ngettext("{n} error", "{n} errors", len(result.errors)),
        )
        if result.dry_run:
            self.summary = gettext("Dry run, nothing stored:") + " " + self.summary
        self.errors = [gettext("Row {row}: {message}", row=e.row, message=e.message) for e in result.errors[:200]]
        await (await self.get_state(ReferenceState))._query()
        return None
