"""What an edit form shows when its save was refused because someone else changed the object first."""

from __future__ import annotations

from collections.abc import Mapping

from printer_app.i18n import gettext
from printer_app.services.errors import ConflictError


def conflict_message(exc: ConflictError) -> str:
    """The service's "changed by X at HH:MM" refusal, saying what the form shows now."""
    reloaded = gettext("The form now shows the current values.")
    return f"{exc.errors['form']} {reloaded}"


def not_saved(
    mine: Mapping[str, str], loaded: Mapping[str, str], current: Mapping[str, str], labels: Mapping[str, str]
) -> list[str]:
    """What the user changed in the form since it loaded and the reloaded values do not hold, as "Label: value"
    lines shown beside the form; `labels` are English messages (N_), shown in the current language."""
    empty = gettext("(empty)")
    return [
        f"{gettext(labels.get(name, name))}: {value or empty}"
        for name, value in mine.items()
        if value != loaded.get(name) and value != current.get(name)
    ]
