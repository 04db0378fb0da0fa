"""What the contract import page shows of its session, as plain view rows (translated in the event's language)."""

from __future__ import annotations

from dataclasses import dataclass, field

from printer_app.i18n import gettext, ngettext
from printer_app.models.choices import ImportRowClass
from printer_app.services.contracts import import_preview as preview

CLASSES = tuple(c.value for c in ImportRowClass)
ALL = "all"


@dataclass
class FileView:
    id: int = 0
    name: str = ""
    rows: str = ""
    recognised: list[str] = field(default_factory=list)  # "Header → Column"
    ignored: list[str] = field(default_factory=list)


@dataclass
class CellView:
    key: str = ""
    value: str = ""
    stored: str = ""
    changed: bool = False


@dataclass
class RowView:
    id: int = 0
    file_name: str = ""
    row_number: int = 0
    row_class: str = ""
    class_label: str = ""
    effective: str = ""  # apply / skip / "" (an error, or a MOVED / DUP_IN_FILE row waiting for a decision)
    waiting: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cells: list[CellView] = field(default_factory=list)


@dataclass
class ChipView:
    value: str = ""
    label: str = ""
    count: int = 0


def figures(stats: dict) -> dict[str, int]:
    """The figures of an apply's outcome (its stored list of failures left out)."""
    return {k: int(v) for k, v in stats.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def file_view(f: preview.FileSummary) -> FileView:
    recognised = [f"{header} → {preview.column_label(key)}" for header, key in f.recognised]
    return FileView(f.id, f.name, ngettext("{n} row", "{n} rows", f.rows), recognised, f.ignored)


def row_view(r: preview.PreviewRow) -> RowView:
    return RowView(
        id=r.id,
        file_name=r.file_name,
        row_number=r.row_number,
        row_class=r.row_class,
        class_label=ImportRowClass(r.row_class).text if r.row_class in CLASSES else r.row_class,
        effective=r.effective,
        waiting=r.row_class != ImportRowClass.ERROR and r.effective == "",
        errors=r.errors,
        warnings=r.warnings,
        cells=[CellView(c.key, c.value, c.stored, c.changed) for c in r.cells],
    )


def chips(counts: dict[str, int]) -> list[ChipView]:
    """The filter chips: every row, then each class, with their counts."""
    per_class = {c: int(counts.get(c, 0)) for c in CLASSES}
    return [ChipView(ALL, gettext("All"), sum(per_class.values()))] + [
        ChipView(c, ImportRowClass(c).text, n) for c, n in per_class.items()
    ]
