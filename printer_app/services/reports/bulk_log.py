"""A month's bulk operations as people read them, for `/reports/<YYYY-MM>/log` (issue #17): uploads, syncs, bulk
edits and deletions from BulkChangeLog.

Contract: `log_page(session, month, operation=..., sort=..., descending=..., page=..., page_size=...)` returns one
page of `LogEntry`, newest first by default. Entries are found by their `month` column, not through the month's
rows: a deleted month's log (and the deletion itself) stays visible after the month is uploaded again. `params`
are shown as readable "name: value" lines (sync stats, upload options). Who may read it is the caller's check
(`view_change_history`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.i18n import N_, format_number, gettext
from printer_app.models import BulkChangeLog, MonthlyReport, User
from printer_app.models.choices import BulkOperation
from printer_app.services.paging import allowed_page_size, clamp_page
from printer_app.services.reports.columns import BY_FIELD
from printer_app.services.reports.history import field_label
from printer_app.services.reports.visibility import month_control, month_visible

SORTS = ("started", "operation", "user", "records")
DEFAULT_PAGE_SIZE = 25
_B = BulkChangeLog.__table__
_U = User.__table__
_R = MonthlyReport.__table__
_WHO = sa.func.coalesce(sa.func.nullif(_U.c.full_name, ""), _U.c.username)
PARAM_LABELS = {
    "file_name": N_("File"),
    "replace_month": N_("Replace the month"),
    "allow_edit": N_("Allow editing"),
    "edit_until": N_("Editable until"),
    "publish": N_("Publish"),
    "deleted": N_("Rows deleted"),
    "source": N_("Source"),
    "created": N_("Rows created"),
    "updated_rows": N_("Rows updated"),
    "groups_recomputed": N_("Groups recomputed"),
    "duplicate_groups": N_("Duplicate groups"),
    "skipped_serials": N_("Skipped serials"),
    "errors": N_("Errors"),
}
HIDDEN_PARAMS = ("upload_id", "month", "had_control")  # internal references, nothing a reader can use


@dataclass
class LogEntry:
    id: int
    operation: str
    operation_label: str
    user: str
    started: datetime
    finished: datetime | None
    duration: str  # "1.2 s", "3 min 5 s", "" while unfinished
    success: bool
    error: str
    records: int
    fields: list[str] = field(default_factory=list)  # translated labels
    params: list[str] = field(default_factory=list)  # "Label: value"
    ip: str = ""


@dataclass
class LogPage:
    rows: list[LogEntry] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _order(sort: str, descending: bool) -> list:
    columns = {
        "operation": _B.c.operation_type,
        "user": sa.func.lower(sa.func.coalesce(_WHO, "")),
        "records": _B.c.records_affected,
        "started": _B.c.started_at,
    }
    column = columns.get(sort, _B.c.started_at)
    return [column.desc() if descending else column.asc(), _B.c.id.desc() if descending else _B.c.id.asc()]


def log_page(
    session: Session,
    month: date,
    *,
    operation: str = "",
    sort: str = "started",
    descending: bool = True,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> LogPage:
    """One page of the month's bulk operations (of one `operation` when given; an unknown one matches nothing)."""
    where: list = [_B.c.month == month]
    if operation:
        where.append(_B.c.operation_type == operation if operation in set(BulkOperation) else sa.false())
    joined = _B.outerjoin(_U, _U.c.id == _B.c.user_id)
    page_size = allowed_page_size(page_size, DEFAULT_PAGE_SIZE)
    total = session.execute(sa.select(sa.func.count()).select_from(_B).where(*where)).scalar_one()
    page = clamp_page(page, total, page_size)
    query = (
        sa.select(_B, _WHO.label("who"))
        .select_from(joined)
        .where(*where)
        .order_by(*_order(sort, descending))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [_entry(r) for r in session.execute(query).mappings()]
    return LogPage(rows=rows, total=total, page=page, page_size=page_size)


def _entry(r) -> LogEntry:
    operation = r["operation_type"]
    started, finished = r["started_at"], r["finished_at"]
    return LogEntry(
        id=r["id"],
        operation=operation,
        operation_label=BulkOperation(operation).text if operation in set(BulkOperation) else operation,
        user=r["who"] or gettext("system"),
        started=started,
        finished=finished,
        duration=duration_text(finished - started) if finished and started else "",
        success=bool(r["success"]),
        error=r["error_message"] or "",
        records=int(r["records_affected"] or 0),
        fields=[field_label(f) if f in BY_FIELD else str(f) for f in (r["fields_changed"] or [])],
        params=params_lines(r["params"] or {}),
        ip=r["ip_address"] or "",
    )


def duration_text(span: timedelta) -> str:
    """0.4 s, 12 s, 3 min 5 s, 1 h 2 min."""
    seconds = max(span.total_seconds(), 0.0)
    if seconds < 10:
        return gettext("{n} s", n=format_number(round(seconds, 1)))
    whole = int(seconds)
    if whole < 60:
        return gettext("{n} s", n=whole)
    if whole < 3600:
        return gettext("{m} min {s} s", m=whole // 60, s=whole % 60)
    return gettext("{h} h {m} min", h=whole // 3600, m=whole % 3600 // 60)


def params_lines(params: dict[str, Any]) -> list[str]:
    """The operation's parameters and stats as "Label: value" lines, in a stable order."""
    lines = []
    for key, value in params.items():
        if key in HIDDEN_PARAMS or value in (None, "", [], {}):
            continue
        label = gettext(PARAM_LABELS[key]) if key in PARAM_LABELS else key.replace("_", " ").capitalize()
        lines.append(f"{label}: {_value(value)}")
    return lines


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        shown = ", ".join(_value(v) for v in value[:10])
        return shown + (gettext(" … and {n} more", n=len(value) - 10) if len(value) > 10 else "")
    return str(value)[:200]


def log_visible(session: Session, month: date, *, can_manage: bool) -> bool:
    """A month's log may be read when the month may be seen, or when the month is gone (deleted: only its log
    is left, which is what the page is for); an unpublished month's log needs `can_manage_month_visibility`."""
    if month_visible(session, month, can_manage=can_manage):
        return True
    has_rows = session.execute(sa.select(_R.c.id).where(_R.c.month == month).limit(1)).first()
    return month_control(session, month) is None and has_rows is None
