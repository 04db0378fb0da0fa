"""A change-log entry as the change log page and a printer's page show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from printer_app.services.access.change_log import ChangeRow
from printer_app.services.access.change_values import FieldChange
from printer_app.state.view import local_time


@dataclass
class ChangeView:
    """A change-log row as shown."""

    id: int = 0
    when: str = ""
    action: str = ""
    action_label: str = ""
    object_label: str = ""
    object_id: int = 0
    object_repr: str = ""
    user: str = ""
    ip_address: str = ""
    how: str = ""
    link: str = ""
    deleted: bool = False
    shows: str = "both"
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def change_view(row: ChangeRow) -> ChangeView:
    return ChangeView(
        id=row.id,
        when=local_time(row.timestamp),
        action=row.action,
        action_label=row.action_label,
        object_label=row.object_label,
        object_id=row.object_id,
        object_repr=row.object_repr,
        user=row.user,
        ip_address=row.ip_address,
        how=row.how,
        link=row.link,
        deleted=row.deleted,
        shows=row.shows,
        note=row.note,
        changes=row.changes,
    )
