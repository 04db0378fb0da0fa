"""Turning domain rows into display rows (local time, labels, supply bars) shared by the page states."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_timedelta

from printer_app import i18n
from printer_app.config import get_settings
from printer_app.i18n import N_
from printer_app.models.base import utcnow
from printer_app.models.choices import MatchRule, SupplyState, TaskStatus
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.health import FAILING
from printer_app.services.inventory.printer_list import PrinterRow
from printer_app.services.paging import page_count as page_count
from printer_app.services.validators import row_id

_STATE_LABELS = {s.value: s.label for s in SupplyState}
_STATE_LABELS.update(
    {"ok": N_("OK"), "some_remaining": N_("Some left"), "unknown": N_("Unknown"), "other": N_("Other")}
)
_COLOUR_NAMES = {
    "black": N_("Black"),
    "cyan": N_("Cyan"),
    "magenta": N_("Magenta"),
    "yellow": N_("Yellow"),
    "other": N_("Other"),
}
_STATE_TONES = {s.value: s.color for s in SupplyState}
_STATUSES = {s.value: s.color for s in TaskStatus}
LOW_SUPPLY, EMPTY_SUPPLY = 20, 5  # percent


_PRINTER_PATH = re.compile(r"^/printers/([^/]+)(?:/|$)")


def printer_id_from_path(path: str) -> int:
    """The id of `/printers/<id>[/...]` (the browser's path, as `router.url.path` gives it), or 0."""
    match = _PRINTER_PATH.match(path or "")
    return (row_id(match.group(1)) if match else None) or 0


def refusal_text(exc: DomainValidationError) -> str:
    """The messages of a refused input, for a toast."""
    return "; ".join(exc.errors.values())


def not_a_choice(value: object) -> str:
    """The message for a value no select, segmented control or filter of the page offers."""
    text = str(value)
    return i18n.gettext("Not a choice: “{value}”", value=text if len(text) <= 20 else text[:20] + "…")


def range_text(total: int, page: int, page_size: int, shown: int, empty: str) -> str:
    """The pager's "51–100 of 1 234", or `empty` when nothing matches."""
    if not total:
        return empty
    first = (page - 1) * page_size + 1
    last = min(total, first + shown - 1)
    return i18n.gettext(
        "{first}–{last} of {total}",
        first=i18n.format_number(first),
        last=i18n.format_number(last),
        total=i18n.format_number(total),
    )


def local_time(value: datetime | None) -> str:
    """The date and time in the configured time zone in the user's format (2026-12-05 14:30 / 05.12.2026 14:30)."""
    if value is None:
        return "—"
    return i18n.format_datetime(value, get_settings().tz)


def number(value: int | None) -> str:
    """1,234,567 / 1 234 567 by the user's language, or an em dash."""
    return "—" if value is None else i18n.format_number(value)


@dataclass
class SupplyView:
    color: str = "other"
    percent: int = 0
    known: bool = False
    label: str = ""  # "Black: 75%", or the supply's description and its level
    tone: str = "gray"  # colour of a state word: amber for low, red for empty or error
    level: str = ""  # "75%" or the state word
    name: str = ""  # the colour, or the supply's description


def supply_view(color: str, value: str, name: str = "") -> SupplyView:
    """A percentage string becomes a bar; a state word ("low", "some_remaining") stays a word, never 0 %.

    `name` (default: the colour) starts the label; words are in the language of the current event.
    """
    name = name or i18n.gettext(_COLOUR_NAMES.get(color, color.title()))
    if value.isdigit():
        percent = min(int(value), 100)
        level = f"{percent}%"
        return SupplyView(color=color, percent=percent, known=True, label=f"{name}: {level}", level=level, name=name)
    level = i18n.gettext(_STATE_LABELS[value]) if value in _STATE_LABELS else value
    tone = _STATE_TONES.get(value, "gray")
    return SupplyView(color=color, label=f"{name}: {level}", tone=tone, level=level, name=name)


def stored_supply_view(description: str, color: str | None, percent: int | None, state: str) -> SupplyView:
    """One supply as a poll stored it (printer page): its percentage, else its state."""
    value = str(percent) if percent is not None else state
    return supply_view(color or "other", value, name=description or i18n.gettext("Supply"))


@dataclass
class PrinterView:
    id: int = 0
    organization: str = ""
    ip_address: str = ""
    serial_number: str = ""
    mac_address: str = ""
    model: str = ""
    is_active: bool = True
    total: str = ""
    bw_a4: str = ""
    color_a4: str = ""
    bw_a3: str = ""
    color_a3: str = ""
    supplies: list[SupplyView] = field(default_factory=list)
    last_poll: str = ""
    status: str = ""
    error: str = ""
    match_rule: str = ""
    no_counter: bool = False  # shown as "no page counter" instead of counters
    unverified: bool = False  # match rule NONE: shown as "identity not verifiable"
    status_label: str = ""
    status_tone: str = "gray"  # the status's colour (a CSS class of the badge)
    last_ok: str = ""  # beside counters whose last poll failed: "last OK 3 days ago"
    lowest_supply: str = "—"  # "12%"
    lowest_supply_name: str = ""  # which supply that is
    lowest_tone: str = "gray"  # amber at 20 % and below, red at 5 %
    location: str = ""


def printer_view(row: PrinterRow) -> PrinterView:
    return PrinterView(
        id=row.id,
        organization=row.organization or "—",
        ip_address=row.ip_address,
        serial_number=row.serial_number or "—",
        mac_address=row.mac_address or "—",
        model=row.model or "—",
        is_active=row.is_active,
        total=number(row.total),
        bw_a4=number(row.bw_a4),
        color_a4=number(row.color_a4),
        bw_a3=number(row.bw_a3),
        color_a3=number(row.color_a3),
        supplies=[supply_view(c, v) for c, v in row.toners.items()],
        last_poll=local_time(row.last_poll_at),
        status=row.status,
        error=row.last_error,
        match_rule=MatchRule(row.match_rule).text if row.match_rule else "—",
        no_counter=row.no_counter,
        unverified=row.match_rule == MatchRule.NONE,
        status_label=TaskStatus(row.status).text if row.status in _STATUSES else row.status,
        status_tone=_STATUSES.get(row.status, "gray"),
        last_ok=last_ok(row.last_success_at) if row.status in FAILING else "",
        lowest_supply="—" if row.lowest_supply is None else f"{row.lowest_supply}%",
        lowest_supply_name=row.lowest_supply_name,
        lowest_tone=supply_tone(row.lowest_supply),
        location=row.location or "—",
    )


def supply_tone(percent: int | None) -> str:
    """How urgent a supply level looks: red at 5 % and below, amber at 20 % and below."""
    if percent is None or percent > LOW_SUPPLY:
        return "gray"
    return "red" if percent <= EMPTY_SUPPLY else "amber"


def last_ok(at: datetime | None, now: datetime | None = None) -> str:
    """ "last OK 3 days ago" (the age of the last good data, in the user's language), or "never OK"."""
    if at is None:
        return i18n.gettext("never OK")
    age = (now or utcnow()) - at
    return i18n.gettext(
        "last OK {age}", age=format_timedelta(-age, add_direction=True, threshold=1.0, locale=i18n.language())
    )


# Chart colours for supply lines, matched on words in the supply description.
SUPPLY_CSS_BY_WORD = {
    "cyan": "#00a3d9",
    "magenta": "#d6198a",
    "yellow": "#e8c200",
    "black": "#1f2328",
    "drum": "#6e56cf",
    "waste": "#a18072",
    "fuser": "#e5484d",
}
