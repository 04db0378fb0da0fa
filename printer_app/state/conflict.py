"""What an edit form shows when its save was refused because someone else changed the object first."""

from __future__ import annotations

from collections.abc import Mapping

from printer_app.services.errors import ConflictError

RELOADED = " The form now shows the current values."


def conflict_message(exc: ConflictError) -> str:
    """The service's "changed by X at HH:MM" refusal, saying what the form shows now."""
    return exc.errors["form"] + RELOADED


def not_saved(
    mine: Mapping[str, str], loaded: Mapping[str, str], current: Mapping[str, str], labels: Mapping[str, str]
) -> list[str]:
    """What the user changed in the form since it loaded and the reloaded values do not hold, as "Label: value"
    lines shown beside the form."""
    return [
        f"{labels.get(name, name)}: {value or '(empty)'}"
        for name, value in mine.items()
        if value != loaded.get(name) and value != current.get(name)
    ]
