"""PrinterModelSpec management for `/reports/settings` (docs/reports.md "Overrides and model specs").

Contract: a spec says which counters a model has (colour or mono, A4 / A3 / both), whether that is enforced and
whether its end counters stay manually editable despite fresh polls. Model names are unique after
`specs.normalise_model` (whitespace collapsed, case-folded). Saving or deleting a spec never rewrites stored counters:
it changes what editing allows from now on and what future uploads zero; deleting one leaves its rows unrestricted.
`save_spec` / `delete_spec` work in the caller's transaction (flush, never commit), write nothing when they refuse,
log the change in the EntityChangeLog and announce REPORTS_CHANGED {"month", "all": True} after the commit to every
open month with a row of the model (old and new name on a rename). Who may do it (`upload_monthly_report`) is the
caller's check.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.i18n import N_, gettext
from printer_app.models import MonthlyReport, PrinterModelSpec
from printer_app.models.choices import PaperFormat
from printer_app.services import events
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.paging import clamp_page
from printer_app.services.reports.month_admin import open_months
from printer_app.services.reports.months import month_key
from printer_app.services.reports.specs import normalise_model

MAX_MODEL = 200
FORMATS = tuple(f.value for f in PaperFormat)
SORTS = ("model", "color", "format", "enforce", "manual", "rows")
LABELS = {
    "model_name": N_("Model"),
    "is_color": N_("Colour"),
    "paper_format": N_("Paper format"),
    "enforce": N_("Enforce"),
    "allow_manual_edit": N_("Allow manual edit"),
}


@dataclass
class SpecRow:
    """One spec as the settings table lists it, with the rows of open months that use it."""

    id: int
    model_name: str
    is_color: bool
    paper_format: str
    enforce: bool
    allow_manual_edit: bool
    rows: int


@dataclass
class SpecPage:
    rows: list[SpecRow]
    total: int
    page: int


def _clean(session: Session, spec_id: int, model_name: object, paper_format: object) -> tuple[str, str]:
    """The checked model name and paper format, or every refusal at once, by field."""
    errors: dict[str, str] = {}
    name = " ".join(str(model_name if model_name is not None else "").split())
    if not name:
        errors["model_name"] = gettext("Type the model name.")
    elif len(name) > MAX_MODEL:
        errors["model_name"] = gettext("A model name has at most {n} characters.", n=MAX_MODEL)
    elif any(unicodedata.category(ch) == "Cc" for ch in name):
        errors["model_name"] = gettext("A model name cannot hold control characters.")
    elif other := _same_model(session, name, spec_id):
        errors["model_name"] = gettext("There is already a spec for the model “{model}”.", model=other)
    if paper_format not in FORMATS:
        errors["paper_format"] = gettext("Choose A4, A3 or A4 + A3.")
    if errors:
        raise DomainValidationError(errors)
    return name, str(paper_format)


def _same_model(session: Session, name: str, spec_id: int) -> str | None:
    """The stored name of another spec equal to `name` after normalise_model, if any."""
    key = normalise_model(name)
    for other_id, other in session.execute(sa.select(PrinterModelSpec.id, PrinterModelSpec.model_name)):
        if other_id != spec_id and normalise_model(other) == key:
            return other
    return None


def save_spec(
    session: Session,
    *,
    spec_id: int = 0,
    model_name: object,
    is_color: bool,
    paper_format: object,
    enforce: bool,
    allow_manual_edit: bool,
    actor: Actor | None = None,
) -> PrinterModelSpec:
    """Create (`spec_id` 0) or change a spec; refused with nothing written when a value is bad."""
    row = None
    if spec_id:
        row = session.get(PrinterModelSpec, spec_id)
        if row is None:
            raise NotFoundError(gettext("This model spec no longer exists."))
    name, paper = _clean(session, spec_id, model_name, paper_format)
    before = snapshot(row) if row is not None else {}
    old_name = row.model_name if row is not None else name
    if row is None:
        row = PrinterModelSpec(model_name=name)
        session.add(row)
    row.model_name, row.paper_format = name, paper
    row.is_color, row.enforce, row.allow_manual_edit = bool(is_color), bool(enforce), bool(allow_manual_edit)
    session.flush()
    changes = diff(before, snapshot(row), labels=LABELS)
    if changes:
        entry = audit(session, row, "update" if before else "create", actor, changes)
        if entry is not None:
            entry.object_repr = f"PrinterModelSpec {row.model_name}"[:500]
        announce_models(session, [old_name, name])
    return row


def delete_spec(session: Session, *, spec_id: int, actor: Actor | None = None) -> str:
    """Delete a spec (logged, announced): its rows become unrestricted, their counters stay. Returns its name."""
    row = session.get(PrinterModelSpec, spec_id)
    if row is None:
        raise NotFoundError(gettext("This model spec no longer exists."))
    entry = audit(session, row, "delete", actor, diff(snapshot(row), {}, labels=LABELS))
    if entry is not None:
        entry.object_repr = f"PrinterModelSpec {row.model_name}"[:500]
    name = row.model_name
    session.delete(row)
    session.flush()
    announce_models(session, [name])
    return name


def _open_model_rows(session: Session, now: datetime | None = None) -> list[tuple[date, str, int]]:
    """(month, model as stored, rows) of the open months."""
    months = open_months(session, now)
    if not months:
        return []
    m = MonthlyReport
    query = sa.select(m.month, m.equipment_model, sa.func.count()).where(m.month.in_(months))
    return [tuple(r) for r in session.execute(query.group_by(m.month, m.equipment_model))]


def model_usage(session: Session, now: datetime | None = None) -> Counter[str]:
    """{normalised model name: rows of open months with that model}."""
    usage: Counter[str] = Counter()
    for _month, model, rows in _open_model_rows(session, now):
        usage[normalise_model(model)] += rows
    return usage


def spec_rows_in_use(session: Session, spec_id: int) -> int:
    """How many rows of open months use the spec (0 when it does not exist)."""
    row = session.get(PrinterModelSpec, spec_id)
    return model_usage(session)[normalise_model(row.model_name)] if row is not None else 0


def announce_models(session: Session, names: list[str], now: datetime | None = None) -> None:
    """REPORTS_CHANGED (the whole month) after the commit for each open month with a row of these models."""
    wanted = {normalise_model(n) for n in names}
    months = {month for month, model, _rows in _open_model_rows(session, now) if normalise_model(model) in wanted}
    for month in sorted(months):
        events.publish_after_commit(session, events.REPORTS_CHANGED, {"month": month_key(month), "all": True})


def _sort_key(sort: str):
    keys = {
        "model": lambda r: (normalise_model(r.model_name),),
        "color": lambda r: (r.is_color, normalise_model(r.model_name)),
        "format": lambda r: (r.paper_format, normalise_model(r.model_name)),
        "enforce": lambda r: (r.enforce, normalise_model(r.model_name)),
        "manual": lambda r: (r.allow_manual_edit, normalise_model(r.model_name)),
        "rows": lambda r: (r.rows, normalise_model(r.model_name)),
    }
    return keys.get(sort, keys["model"])


def list_specs(
    session: Session,
    *,
    search: str = "",
    kind: str = "all",
    paper_format: str = "all",
    enforce: str = "all",
    sort: str = "model",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> SpecPage:
    """One page of specs: `search` in the model name, `kind` all / color / mono, `paper_format` all or one of
    FORMATS, `enforce` all / yes / no. Filtered, counted and sorted on the server in Python: model names compare
    normalised (every alphabet), and the specs are a few hundred at most."""
    usage = model_usage(session)
    wanted = normalise_model(search)
    rows = [
        SpecRow(
            s.id,
            s.model_name,
            s.is_color,
            s.paper_format,
            s.enforce,
            s.allow_manual_edit,
            usage[normalise_model(s.model_name)],
        )
        for s in session.exec(select(PrinterModelSpec)).all()
        if (not wanted or wanted in normalise_model(s.model_name))
        and (kind == "all" or s.is_color == (kind == "color"))
        and (paper_format not in FORMATS or s.paper_format == paper_format)
        and (enforce not in ("yes", "no") or s.enforce == (enforce == "yes"))
    ]
    rows.sort(key=_sort_key(sort), reverse=descending)
    page = clamp_page(page, len(rows), page_size)
    return SpecPage(rows[(page - 1) * page_size : page * page_size], len(rows), page)
