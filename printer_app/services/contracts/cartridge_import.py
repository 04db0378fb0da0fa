"""Cartridge import from Excel (DOMAIN 8.4): cartridges and which device models take them.

Row 1 names the columns: the model by "ID модели" or by "Производитель" + "Модель оборудования", the required
"Картридж", optional "Артикул", "Цвет", "Ресурс", "Комментарий" (English names accepted). A cartridge is found by
name and part number (ignoring case), else by name alone (where one of the part numbers is empty) and then given
what it lacked; each row links its cartridge to its model. A row with an error is reported by its row number and
skipped; a file that is not a workbook or has no usable header is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import Cartridge, DeviceModel, DeviceModelCartridge, Manufacturer
from printer_app.models.choices import CartridgeColor
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.contracts.reference import create_row
from printer_app.services.contracts.reference_checks import find_ci
from printer_app.services.contracts.workbook import MAX_BYTES, WorkbookRefused, open_workbook
from printer_app.services.errors import DomainValidationError

HEADERS: dict[str, tuple[str, ...]] = {
    "model_id": ("id модели", "id", "model id", "model_id"),
    "manufacturer": ("производитель", "manufacturer", "vendor", "бренд"),
    "model": ("модель оборудования", "модель", "model"),
    "cartridge": ("картридж", "наименование картриджа", "cartridge", "cartridge name"),
    "part_number": ("артикул", "part number", "part no", "part", "p/n", "pn"),
    "color": ("цвет", "color", "colour"),
    "capacity": ("ресурс", "capacity", "yield"),
    "comment": ("комментарий", "comment"),
}
COLOUR_WORDS: dict[str, str] = {
    **dict.fromkeys(("черный", "black", "k", "bk"), CartridgeColor.BLACK.value),
    **dict.fromkeys(("голубой", "синий", "cyan", "c"), CartridgeColor.CYAN.value),
    **dict.fromkeys(("пурпурный", "малиновый", "магента", "magenta", "m"), CartridgeColor.MAGENTA.value),
    **dict.fromkeys(("желтый", "yellow", "y"), CartridgeColor.YELLOW.value),
    **dict.fromkeys(
        ("цветной", "триколор", "color", "colour", "tricolor", "tri-color", "cmy"), CartridgeColor.COLOR.value
    ),
}
MAX_ROWS = 100_000


def _norm(text: object) -> str:
    return " ".join(str(text or "").split()).lower().replace("ё", "е")


ALIASES = {_norm(alias): key for key, aliases in HEADERS.items() for alias in aliases}


def colour_of(word: str) -> str:
    """The colour a cell names: blank is black, a word we do not know is "other"."""
    text = _norm(word)
    if not text:
        return CartridgeColor.BLACK.value
    return COLOUR_WORDS.get(text, CartridgeColor.OTHER.value)


def cell_text(value: Any) -> str:
    """A cell as text: trimmed, whitespace collapsed, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    message: str


@dataclass
class CartridgeImportResult:
    rows: int = 0
    created: int = 0  # new cartridges
    updated: int = 0  # cartridges given a part number, capacity or comment they lacked
    linked: int = 0  # model links created or made primary
    skipped: int = 0  # rows that changed nothing (already there, or --skip-existing)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "linked": self.linked,
            "skipped": self.skipped,
            "errors": [{"row": e.row, "message": e.message} for e in self.errors],
            "dry_run": self.dry_run,
        }


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = ALIASES.get(_norm(cell))
        if key and key not in columns:
            columns[key] = index
    if "cartridge" not in columns:
        raise WorkbookRefused(
            gettext("Row 1 must hold the column names, with a “Картридж” (cartridge) column; none was found.")
        )
    if "model_id" not in columns and not {"manufacturer", "model"} <= columns.keys():
        raise WorkbookRefused(
            gettext(
                "Row 1 must name the model: an “ID модели” column, or both “Производитель” and “Модель оборудования”."
            )
        )
    return columns


class _Importer:
    def __init__(self, session: Session, *, primary: bool, skip_existing: bool, actor: Actor | None) -> None:
        self.session, self.primary, self.skip_existing, self.actor = session, primary, skip_existing, actor
        self.result = CartridgeImportResult()
        self.touched: set[int] = set()

    def model(self, values: dict[str, str]) -> tuple[DeviceModel | None, str]:
        """The row's model, or None and why not."""
        maker, name, ident = values.get("manufacturer", ""), values.get("model", ""), values.get("model_id", "")
        if ident:
            if not ident.isdigit() or len(ident) > 10:
                return None, gettext("“{value}” is not a model id", value=ident[:40])
            model = self.session.get(DeviceModel, int(ident))
            if model is None:
                return None, gettext("There is no device model with id {id}", id=ident)
            if name and _norm(name) != _norm(model.name):
                return None, gettext(
                    "Model id {id} is “{stored}”, not “{given}”", id=ident, stored=model.name, given=name
                )
            return model, ""
        if not maker or not name:
            return None, gettext("No model: give the model id, or the manufacturer and the model")
        makers = find_ci(self.session, Manufacturer, name=maker)
        models = (
            find_ci(self.session, DeviceModel, DeviceModel.manufacturer_id == makers[0].id, name=name) if makers else []
        )
        model = models[0] if models else None
        if model is None:
            return None, gettext("Model “{model}” of “{maker}” not found", model=name, maker=maker)
        return model, ""

    def cartridge(self, name: str, part: str) -> Cartridge | None:
        named = find_ci(self.session, Cartridge, name=name)
        exact = [c for c in named if c.part_number.lower() == part.lower()]
        if exact or not part:
            return (exact or named or [None])[0]
        return next((c for c in named if not c.part_number), None)

    def row(self, number: int, values: dict[str, str]) -> None:
        name, part = values.get("cartridge", ""), values.get("part_number", "")
        if not name:
            self.result.errors.append(RowError(number, gettext("No cartridge name")))
            return
        model, why = self.model(values)
        if model is None:
            self.result.errors.append(RowError(number, why))
            return
        cartridge = self.cartridge(name, part)
        link = None
        if cartridge is not None:
            link = self.session.exec(
                select(DeviceModelCartridge).where(
                    DeviceModelCartridge.device_model_id == model.id, DeviceModelCartridge.cartridge_id == cartridge.id
                )
            ).first()
        if cartridge is not None and link is not None and self.skip_existing:
            self.result.skipped += 1
            return
        wanted = {
            "name": name,
            "part_number": part,
            "color": colour_of(values.get("color", "")),
            "capacity": values.get("capacity", ""),
            "comment": values.get("comment", ""),
        }
        try:
            changed = self.save_cartridge(cartridge, wanted)
        except DomainValidationError as exc:
            self.result.errors.append(RowError(number, "; ".join(exc.errors.values())))
            return
        changed = self.save_link(model, changed[0], link) or changed[1]
        if not changed:
            self.result.skipped += 1

    def save_cartridge(self, cartridge: Cartridge | None, wanted: dict[str, str]) -> tuple[Cartridge, bool]:
        if cartridge is None:
            cartridge = create_row(self.session, "cartridge", wanted, actor=self.actor)
            self.result.created += 1
            self.touched.add(cartridge.id)
            return cartridge, True
        if self.skip_existing:
            return cartridge, False
        before = snapshot(cartridge)
        for key in ("part_number", "capacity", "comment"):
            if not getattr(cartridge, key) and wanted[key]:
                setattr(cartridge, key, wanted[key])
        changes = diff(before, snapshot(cartridge))
        if not changes:
            return cartridge, False
        self.session.add(cartridge)
        self.session.flush()
        audit(self.session, cartridge, "update", self.actor, changes)
        if cartridge.id not in self.touched:
            self.result.updated += 1
            self.touched.add(cartridge.id)
        return cartridge, True

    def save_link(self, model: DeviceModel, cartridge: Cartridge, link: DeviceModelCartridge | None) -> bool:
        if link is None:
            link = DeviceModelCartridge(device_model_id=model.id, cartridge_id=cartridge.id, is_primary=self.primary)
            self.session.add(link)
            self.session.flush()
            audit(self.session, link, "create", self.actor)
        elif self.primary and not link.is_primary:
            before = snapshot(link)
            link.is_primary = True
            self.session.add(link)
            self.session.flush()
            audit(self.session, link, "update", self.actor, diff(before, snapshot(link)))
        else:
            return False
        self.result.linked += 1
        return True


def import_cartridges(
    session: Session,
    data: bytes,
    *,
    primary: bool = False,
    skip_existing: bool = False,
    dry_run: bool = False,
    actor: Actor | None = None,
    max_bytes: int = MAX_BYTES,
) -> CartridgeImportResult:
    """Import a cartridge workbook; `dry_run` counts the same and then rolls the session back (give it its own).

    Raises WorkbookRefused (nothing stored) for a file that is not a readable workbook or lacks the needed columns.
    """
    workbook = open_workbook(data, max_bytes=max_bytes)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        columns = _columns(tuple(header or ()))
        importer = _Importer(session, primary=primary, skip_existing=skip_existing, actor=actor)
        for number, raw in enumerate(rows, start=2):
            values = {key: cell_text(raw[i]) if i < len(raw) else "" for key, i in columns.items()}
            if not any(values.values()):
                continue
            importer.result.rows += 1
            if importer.result.rows > MAX_ROWS:
                session.rollback()
                raise WorkbookRefused(gettext("The workbook has more than {n} rows: split it.", n=MAX_ROWS))
            importer.row(number, values)
    finally:
        workbook.close()
    result = importer.result
    result.dry_run = dry_run
    if dry_run:
        session.rollback()
    return result
