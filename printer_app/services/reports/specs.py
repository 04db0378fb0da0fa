"""Model specs (docs/reports.md §10.1, §10.5): which counters a model can have. An enforcing spec zeroes the
others on upload and limits editing; a model without a spec, or with `enforce` false, is not restricted. An upload
creates a non-enforcing spec for every model it has not seen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from printer_app.models import PrinterModelSpec
from printer_app.models.choices import PaperFormat
from printer_app.services.reports.columns import COUNTER_FIELDS


@dataclass(frozen=True)
class Spec:
    model_name: str
    is_color: bool
    paper_format: str
    enforce: bool
    allow_manual_edit: bool


def normalise_model(name: str | None) -> str:
    """A model name as specs are matched: whitespace collapsed, case-folded (every alphabet)."""
    return " ".join((name or "").split()).casefold()


def allowed_fields(spec: Spec | None) -> frozenset[str]:
    """The counters a spec allows: colour models the colour ones, mono the b/w ones; A4 / A3 that format only.
    No spec or a non-enforcing one: all eight."""
    if spec is None or not spec.enforce:
        return frozenset(COUNTER_FIELDS)
    mode = "color" if spec.is_color else "bw"
    formats = {"A4": ("a4",), "A3": ("a3",)}.get(spec.paper_format, ("a4", "a3"))
    return frozenset(name for name in COUNTER_FIELDS if name.split("_")[0] in formats and name.split("_")[1] == mode)


def load_specs(session: Session) -> dict[str, Spec]:
    """Every spec keyed by its normalised model name."""
    specs: dict[str, Spec] = {}
    for row in session.exec(select(PrinterModelSpec)).all():
        specs.setdefault(
            normalise_model(row.model_name),
            Spec(row.model_name, row.is_color, row.paper_format, row.enforce, row.allow_manual_edit),
        )
    return specs


def ensure_specs(session: Session, model_names: Iterable[str], specs: dict[str, Spec] | None = None) -> dict[str, Spec]:
    """`specs` (loaded when None) completed with a non-enforcing spec for each unseen, non-empty model name; the
    new rows are added to the session (flushed, not committed)."""
    known = load_specs(session) if specs is None else specs
    for name in model_names:
        clean = " ".join((name or "").split())
        key = normalise_model(clean)
        if not key or key in known:
            continue
        session.add(PrinterModelSpec(model_name=clean[:200], enforce=False, paper_format=PaperFormat.A4A3.value))
        known[key] = Spec(clean, False, PaperFormat.A4A3.value, False, False)
    session.flush()
    return known
