"""Printers from an Excel workbook (docs/inventory-and-polling.md §8.5, issue #18): read, preview, apply.

Contract:
- The file is checked like every workbook (size, encryption, damage, zip bomb); the header is the first row of the
  first sheet: "№", "Производитель", "Модель оборудования", "Серийный номер", "IP" (English names too), optional
  "Организация" and "Местоположение". Without an IP column the file is refused, nothing else.
- `analyse` classifies every non-empty row against the database: NEW (no active printer has the IP), EXISTING (an
  active printer has it: the fields that differ are shown old -> new and updated), UNCHANGED, or ERROR with the
  reasons (a bad IP, a serial or location too long, an unknown organization, an IP twice in the file — its later
  rows —, an IP several active printers share on different SNMP ports: the file has no port to tell them apart).
  A new printer is created on SNMP port 161. The model is matched within the row's manufacturer (all manufacturers
  when the row names none): exact (any case, whitespace collapsed) -> ignoring spaces -> containment (one name
  holds the other, a single candidate) -> "would create" (the manufacturer and model are created on apply when the
  user allows it; else the text is kept as the printer's own model text).
- `apply` analyses the same rows again against the database as it is then (nothing decided on stale data) and
  writes everything in the caller's transaction: created printers go through the form's validation and are linked
  to contract devices of their serial; updated ones through the printer update (change log, relinking). A row
  refused at apply time is counted, the others stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, select

from printer_app.i18n import N_, gettext
from printer_app.models import DeviceModel, Manufacturer, Organization, Printer
from printer_app.models.choices import ConnectionType
from printer_app.services.audit import Actor
from printer_app.services.contracts.workbook import WorkbookRefused, iter_rows, open_workbook
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printers import PrinterInput, create_printer, update_printer
from printer_app.services.validators import parse_device_ip

MAX_ROWS = 20_000
NEW, EXISTING, UNCHANGED, ERROR = "NEW", "EXISTING", "UNCHANGED", "ERROR"
CLASSES = (NEW, EXISTING, UNCHANGED, ERROR)
MATCH_LABELS = {
    "exact": N_("exact"),
    "spaces": N_("ignoring spaces"),
    "contains": N_("containment"),
    "create": N_("would create"),
    "text": N_("kept as text"),
    "": "",
}
HEADERS: dict[str, tuple[str, ...]] = {
    "rownum": ("№", "№ п/п", "no", "no."),
    "manufacturer": ("производитель", "manufacturer", "vendor"),
    "model": ("модель оборудования", "модель", "model"),
    "serial": ("серийный номер", "серийный №", "serial number", "serial"),
    "ip": ("ip", "ip-адрес", "ip адрес", "ip address"),
    "organization": ("организация", "organization"),
    "location": ("местоположение", "расположение", "location"),
}
_ALIASES = {alias: key for key, aliases in HEADERS.items() for alias in aliases}


def _key(text: object) -> str:
    return " ".join(str(text if text is not None else "").split()).lower().replace("ё", "е")


def _bare(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text)


@dataclass
class ImportRow:
    number: int  # the row number in the sheet
    ip: str = ""
    serial: str = ""
    manufacturer: str = ""
    model: str = ""
    organization: str = ""
    location: str = ""
    row_class: str = ERROR
    printer_id: int | None = None
    model_id: int | None = None
    model_match: str = ""  # a key of MATCH_LABELS
    model_label: str = ""  # the catalogue model found ("Kyocera ECOSYS P2040dn"), or what would be created
    changes: dict[str, list[str]] = field(default_factory=dict)  # field -> [stored, new] of an existing printer
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def read(self) -> dict[str, Any]:
        """What the file gave (the input of `analyse`), as plain values."""
        return {name: getattr(self, name) for name in INPUT_FIELDS}


INPUT_FIELDS = ("number", "ip", "serial", "manufacturer", "model", "organization", "location")  # what the file gave


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    models_created: int = 0
    messages: list[str] = field(default_factory=list)  # "row 7: ..." of the rows refused at apply time


def read_rows(data: bytes) -> list[ImportRow]:
    """The non-empty rows of the first sheet (cells as text); WorkbookRefused for a file that cannot be imported."""
    book = open_workbook(data)
    try:
        sheet = book.worksheets[0]
        rows = iter_rows(sheet)
        first = next(rows, None)
        if first is None:
            raise WorkbookRefused(gettext("The sheet is empty."))
        columns = {_ALIASES[_key(v)]: i for i, v in enumerate(first[1]) if _key(v) in _ALIASES}
        if "ip" not in columns:
            raise WorkbookRefused(gettext('The first row must hold the headers, with an "IP" column.'))
        found = []
        for number, values in rows:
            cells = {k: _text(values[i]) if i < len(values) else "" for k, i in columns.items()}
            if not any(v for k, v in cells.items() if k != "rownum"):
                continue
            if len(found) >= MAX_ROWS:
                raise WorkbookRefused(gettext("The file has more than {n} rows.", n=MAX_ROWS))
            cells.pop("rownum", None)
            found.append(ImportRow(number=number, **cells))
        return found
    finally:
        book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class _Catalogue:
    """Manufacturers, models, organizations and active network printers by IP, read once per analysis."""

    def __init__(self, session: Session):
        self.makers = {_key(n): (i, n) for i, n in session.exec(select(Manufacturer.id, Manufacturer.name)).all()}
        self.models: list[tuple[int, int, str]] = list(
            session.exec(select(DeviceModel.id, DeviceModel.manufacturer_id, DeviceModel.name)).all()
        )
        self.maker_names = {i: n for _k, (i, n) in self.makers.items()}
        self.orgs = {
            _key(n): (i, n, bool(a))
            for i, n, a in session.exec(select(Organization.id, Organization.name, Organization.active)).all()
        }
        self.org_names = {i: n for i, n, _a in self.orgs.values()}
        self.printers: dict[str, list[Printer]] = {}  # by IP: several when a print server fronts several devices
        for p in session.exec(
            select(Printer)
            .where(Printer.is_active, Printer.connection_type == ConnectionType.NETWORK)
            .order_by(Printer.snmp_port, Printer.id)
        ).all():
            self.printers.setdefault(p.ip_address, []).append(p)

    def match_model(self, maker: str, model: str) -> tuple[int | None, str, str]:
        """(model id, how it matched, its label) by the rules of the module docstring."""
        if not model:
            return None, "", ""
        if maker:  # only the models of that manufacturer (none when it is unknown)
            maker_id = self.makers.get(_key(maker), (None, ""))[0]
            pool = [m for m in self.models if m[1] == maker_id] if maker_id is not None else []
        else:
            maker_id, pool = None, self.models
        wanted = _key(model)
        label = f"{self.maker_names.get(maker_id, maker)} {model}".strip()
        for how, same in (
            ("exact", lambda n: _key(n) == wanted),
            ("spaces", lambda n: _bare(_key(n)) == _bare(wanted)),
            ("contains", lambda n: _bare(wanted) in _bare(_key(n)) or _bare(_key(n)) in _bare(wanted)),
        ):
            hits = [m for m in pool if same(m[2])]
            if len(hits) == 1 or (hits and how != "contains"):
                model_id, mid, name = hits[0]
                return model_id, how, f"{self.maker_names.get(mid, '')} {name}".strip()
        return None, ("create" if maker else "text"), label


def analyse(session: Session, rows: Iterable[ImportRow]) -> list[ImportRow]:
    """Each row classified against the database (a new list; the input is not changed)."""
    catalogue = _Catalogue(session)
    seen: dict[str, int] = {}
    out = []
    for source in rows:
        row = ImportRow(**{name: getattr(source, name) for name in INPUT_FIELDS})
        _check(row, catalogue, seen)
        out.append(row)
    return out


def _check(row: ImportRow, catalogue: _Catalogue, seen: dict[str, int]) -> None:
    try:
        row.ip = str(parse_device_ip(row.ip))
    except ValueError as exc:
        row.errors.append(str(exc))
    if row.ip in seen and not row.errors:
        row.errors.append(gettext("The IP {ip} is already on row {row} of the file.", ip=row.ip, row=seen[row.ip]))
    seen.setdefault(row.ip, row.number)
    if len(row.serial) > 100:
        row.errors.append(gettext("The serial number is longer than {n} characters.", n=100))
    if len(row.location) > 255:
        row.errors.append(gettext("The location is longer than {n} characters.", n=255))
    org_id = None
    if row.organization:
        org_id, name, active = catalogue.orgs.get(_key(row.organization), (None, "", False))
        if org_id is None:
            row.errors.append(gettext("No organization is named {name}.", name=row.organization))
        elif not active:
            row.errors.append(gettext("Organization “{name}” is inactive; activate it or choose another", name=name))
    row.model_id, row.model_match, row.model_label = catalogue.match_model(row.manufacturer, row.model)
    if row.errors:
        return
    at_ip = catalogue.printers.get(row.ip, [])
    if len(at_ip) > 1:  # the file has no port column: it cannot say which of them the row means
        row.row_class = ERROR
        row.errors.append(
            gettext(
                "Several active printers use the IP {ip} (SNMP ports {ports}); change them on the printers page.",
                ip=row.ip,
                ports=", ".join(str(p.snmp_port) for p in at_ip),
            )
        )
        return
    if not at_ip:
        row.row_class = NEW
        return
    printer = at_ip[0]
    row.printer_id = printer.id
    wanted = {
        "serial_number": row.serial or printer.serial_number,
        "device_model_id": row.model_id if row.model_id is not None else printer.device_model_id,
        "organization_id": org_id if org_id is not None else printer.organization_id,
        "location": row.location or printer.location,
    }
    for name, value in wanted.items():
        if value != getattr(printer, name):
            row.changes[name] = [_shown(catalogue, name, getattr(printer, name)), _shown(catalogue, name, value)]
    row.row_class = EXISTING if row.changes else UNCHANGED


def _shown(catalogue: _Catalogue, name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "device_model_id":
        hit = next((m for m in catalogue.models if m[0] == value), None)
        return f"{catalogue.maker_names.get(hit[1], '')} {hit[2]}".strip() if hit else str(value)
    if name == "organization_id":
        return catalogue.org_names.get(value, str(value))
    return str(value)


def counts(rows: Iterable[ImportRow]) -> dict[str, int]:
    found = dict.fromkeys(CLASSES, 0)
    for row in rows:
        found[row.row_class] += 1
    return found


def apply(
    session: Session, rows: Iterable[ImportRow], *, create_models: bool, may_change: bool, actor: Actor | None = None
) -> ImportResult:
    """Store what `analyse` (run again here) finds; see the module docstring."""
    result = ImportResult()
    fresh = analyse(session, rows)
    catalogue = _Catalogue(session)
    for row in fresh:
        if row.row_class == ERROR:
            result.errors += 1
            continue
        if row.row_class == UNCHANGED or (row.row_class == EXISTING and not may_change):
            result.unchanged += 1
            continue
        try:
            with session.begin_nested():
                model_id = row.model_id
                if model_id is None and row.model_match == "create" and create_models:
                    model_id, made = _create_model(session, catalogue, row.manufacturer, row.model)
                    result.models_created += made
                _store(session, row, model_id, catalogue, actor)
        except DomainValidationError as exc:
            result.errors += 1
            reasons = "; ".join(str(v) for v in exc.errors.values())
            result.messages.append(gettext("Row {row}: {reason}", row=row.number, reason=reasons))
            continue
        if row.row_class == NEW:
            result.created += 1
        else:
            result.updated += 1
    session.flush()
    return result


def _store(session: Session, row: ImportRow, model_id: int | None, catalogue: _Catalogue, actor: Actor | None) -> None:
    org_id = catalogue.orgs.get(_key(row.organization), (None,))[0] if row.organization else None
    if row.row_class == NEW:
        text = None if model_id is not None else (f"{row.manufacturer} {row.model}".strip() or None)
        create_printer(
            session,
            data=PrinterInput(
                ip_address=row.ip,
                serial_number=row.serial,
                device_model_id=model_id,
                organization_id=org_id,
                model=text,
                location=row.location or None,
            ),
            actor=actor,
        )
        return
    printer = session.get(Printer, row.printer_id)
    stored = PrinterInput(**{f: getattr(printer, f) for f in PrinterInput.__dataclass_fields__ if hasattr(printer, f)})
    stored.serial_number = row.serial or printer.serial_number
    stored.device_model_id = model_id if model_id is not None else printer.device_model_id
    stored.organization_id = org_id if org_id is not None else printer.organization_id
    stored.location = row.location or printer.location
    stored.model = None
    update_printer(session, printer_id=printer.id, data=stored, actor=actor)


def _create_model(session: Session, catalogue: _Catalogue, maker: str, model: str) -> tuple[int, int]:
    """The model (and its manufacturer) created, or found when an earlier row of this apply created it."""
    maker_id = catalogue.makers.get(_key(maker), (None, ""))[0]
    if maker_id is None:
        record = Manufacturer(name=" ".join(maker.split())[:128])
        session.add(record)
        session.flush()
        maker_id = record.id
        catalogue.makers[_key(maker)] = (maker_id, record.name)
        catalogue.maker_names[maker_id] = record.name
    hit = next((m for m in catalogue.models if m[1] == maker_id and _key(m[2]) == _key(model)), None)
    if hit is not None:
        return hit[0], 0
    record = DeviceModel(manufacturer_id=maker_id, name=" ".join(model.split())[:128])
    session.add(record)
    session.flush()
    catalogue.models.append((record.id, maker_id, record.name))
    return record.id, 1
