"""The month table's rows as the page shows them: texts in the user's locale, marks and their reasons.

The columns (`COLUMNS`) are one list for the header, the cells, the column chooser and the totals row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.numbers import format_decimal

from printer_app import i18n
from printer_app.config import get_settings
from printer_app.i18n import N_, format_number, gettext
from printer_app.services.reports.columns import COUNTER_FIELDS, END_FIELDS
from printer_app.services.reports.counter_edit import CellState
from printer_app.services.reports.month_table import EXCESS, NEGATIVE, TOTALLED, TableRow
from printer_app.services.reports.row_edit import EDITABLE

INLINE = (*COUNTER_FIELDS, *EDITABLE)  # every column a cell editor may open on

# (field, label, kind): kind "text", "int" (thousands separators), "dec" (A, D), "k" (2 decimals), "time"
COLUMNS: list[tuple[str, str, str]] = [
    ("order_number", N_("No."), "int"),
    ("organization", N_("Organization"), "text"),
    ("branch", N_("Branch"), "text"),
    ("city", N_("City"), "text"),
    ("address", N_("Address"), "text"),
    ("equipment_model", N_("Model"), "text"),
    ("serial_number", N_("Serial number"), "text"),
    ("inventory_number", N_("Inventory number"), "text"),
    ("a4_bw_start", N_("A4 b/w start"), "int"),
    ("a4_bw_end", N_("A4 b/w end"), "int"),
    ("a4_color_start", N_("A4 colour start"), "int"),
    ("a4_color_end", N_("A4 colour end"), "int"),
    ("a3_bw_start", N_("A3 b/w start"), "int"),
    ("a3_bw_end", N_("A3 b/w end"), "int"),
    ("a3_color_start", N_("A3 colour start"), "int"),
    ("a3_color_end", N_("A3 colour end"), "int"),
    ("total_prints", N_("Total prints"), "int"),
    ("normative_availability", N_("A"), "dec"),
    ("actual_downtime", N_("D"), "dec"),
    ("k1", N_("K1"), "k"),
    ("non_overdue_requests", N_("L"), "int"),
    ("total_requests", N_("W"), "int"),
    ("k2", N_("K2"), "k"),
    ("device_ip", N_("Device IP"), "text"),
    ("inventory_last_ok", N_("Last successful poll"), "time"),
]
KINDS = {name: kind for name, _label, kind in COLUMNS}
STICKY = ("order_number", "organization")  # always shown: they stay at the left while the table scrolls
HIDEABLE = [(name, label) for name, label, _kind in COLUMNS if name not in STICKY]
DEFAULT_HIDDEN = "branch,address,a4_color_start,a3_color_start,a3_bw_start,device_ip"
HINTS = {
    "normative_availability": N_("A: normative availability (hours), a number of 0 or more"),
    "actual_downtime": N_("D: actual downtime (hours), a number of 0 or more"),
    "non_overdue_requests": N_(
        "L: requests handled on time, a whole number; it may exceed W (K2 is then limited to 100)"
    ),
    "total_requests": N_("W: all requests, a whole number; L may exceed it (K2 is then limited to 100)"),
}


@dataclass
class RowView:
    """One table row: `cells` by field (texts ready to show), `raw` the stored counters and A, D, L, W (what an edit
    checks), and per counter whether this user may edit it (`locks`: "" or the reason shown on hover)."""

    id: int = 0
    cells: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    plain: dict[str, str] = field(default_factory=dict)  # as an edit field starts: no group separators
    locks: dict[str, str] = field(default_factory=dict)  # counter -> "" (editable) or why not
    pinned: dict[str, bool] = field(default_factory=dict)  # end counter auto-locked: a lock icon helps
    manual: dict[str, bool] = field(default_factory=dict)  # end counter changed by hand
    reset_hint: dict[str, str] = field(default_factory=dict)  # end counter -> what "reset" puts back ("": nothing)
    negative: bool = False
    anomaly: str = ""  # the reason shown on hover ("" = none)
    group: str = ""  # "A4" / "A3" in a duplicate group of several rows, else ""
    group_hint: str = ""
    row_class: str = "rt-row"


def show(name: str, value: object) -> str:
    """A stored value as its column shows it, in the current language."""
    kind = KINDS.get(name, "text")
    if value is None or value == "":
        return ""
    if kind == "int":
        return format_number(int(value))
    if kind == "dec":
        number = float(value)
        return format_number(int(number)) if number.is_integer() else format_number(round(number, 3))
    if kind == "k":
        return format_decimal(float(value), format="#,##0.00", locale=i18n.language())
    if kind == "time":
        return i18n.format_datetime(value, get_settings().tz)
    return str(value)


def plain(value: object) -> str:
    """A number as an edit field shows it: digits, a decimal comma in Russian, no group separators."""
    number = float(value or 0)
    text = str(int(number)) if number.is_integer() else f"{number:.6f}".rstrip("0")
    return text.replace(".", ",") if i18n.language() == "ru" else text


def anomaly_text(row: TableRow) -> str:
    reasons = []
    if EXCESS in row.anomalies:
        reasons.append(
            gettext(
                "Excess: {total} is more than {threshold} above the average of earlier months ({average})",
                total=format_number(int(row.values["total_prints"] or 0)),
                threshold=format_number(2000),
                average=format_number(round(row.average or 0)),
            )
        )
    if NEGATIVE in row.anomalies:
        reasons.append(gettext("Negative total: a counter went down (reset or replaced?)"))
    return "; ".join(reasons)


def row_view(row: TableRow, cell: CellState | None = None) -> RowView:
    """A row as the table shows it; `cell` (None: nothing editable) its counters' locks and manual flags."""
    values = row.values
    cell = cell or CellState()
    group, hint, classes = "", "", ["rt-row"]
    if row.group_size > 1:
        group = "A4" if row.group_position == 0 else "A3"
        hint = gettext(
            "Duplicate group (rows: {n}; same serial and inventory number): the first row counts its A4 pages, "
            "the others their A3 pages",
            n=row.group_size,
        )
        classes.append("rt-group-first" if row.group_position == 0 else "rt-group-rest")
    anomaly = anomaly_text(row)
    if anomaly:
        classes.append("rt-anomaly")
    return RowView(
        id=row.id,
        cells={name: show(name, values[name]) for name, _label, _kind in COLUMNS},
        raw={name: repr(values[name]) for name in INLINE},
        plain={name: plain(values[name]) for name in INLINE},
        locks={name: (cell.locks.get(name) or "") if cell.locks else gettext("Read only") for name in COUNTER_FIELDS},
        pinned={name: name in cell.pinned for name in END_FIELDS},
        manual={name: cell.manual.get(name, False) for name in END_FIELDS},
        reset_hint={name: _reset_hint(cell.auto.get(name)) for name in END_FIELDS},
        negative=int(values["total_prints"] or 0) < 0,
        anomaly=anomaly,
        group=group,
        group_hint=hint,
        row_class=" ".join(classes),
    )


def _reset_hint(auto: int | None) -> str:
    if auto is None:
        return ""
    return gettext("Reset to inventory: puts back {value}", value=format_number(auto))


def totals_view(totals: dict[str, float]) -> dict[str, str]:
    """The totals row's texts (columns that are not summed stay empty)."""
    return {name: show(name, int(totals[name]) if KINDS[name] == "int" else totals[name]) for name in TOTALLED}


def next_cell(
    rows: list[RowView], current: str, *, backwards: bool, hidden: set[str], sla: bool
) -> tuple[RowView, str] | None:
    """The editable cell after (`backwards`: before) `current` ("<row id>:<field>"): to the right, then the next
    row; shown columns only; counters whose lock is "" and, with `sla`, A / D / L / W. None at the table's end."""
    row_id, _sep, name = current.partition(":")
    order = [n for n, _label, _kind in COLUMNS if n not in hidden]
    ids = [str(row.id) for row in rows]
    if row_id not in ids or name not in order:
        return None
    here = (ids.index(row_id), order.index(name))
    cells = [
        ((r, c), row, n)
        for r, row in enumerate(rows)
        for c, n in enumerate(order)
        if (n in COUNTER_FIELDS and row.locks.get(n) == "") or (sla and n in EDITABLE)
    ]
    after = [(row, n) for key, row, n in cells if (key < here if backwards else key > here)]
    if not after:
        return None
    return after[-1] if backwards else after[0]
