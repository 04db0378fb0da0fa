"""Importing an analysed month workbook (docs/reports.md §10.3) in ONE transaction.

`import_upload` takes the upload (an atomic status change: only one import of it ever runs, whether the page, the
CLI or a worker asked), then in a single transaction: with "replace month" the month's rows and their counter logs
are deleted first, otherwise the rows are added beside the month's existing ones (append); counters the model's
spec does not allow are zeroed (a model without a spec gets a non-enforcing one); the rows are inserted in chunks
(executemany); the month's control row gets the options (editable until, published); every duplicate group of the
month is recomputed (total prints, K1, K2); the upload is logged as BulkChangeLog `excel_upload`. REPORTS_CHANGED
is published after the commit. Uploaded rows are new rows: their values are the upload's, logged once in the
BulkChangeLog, not field by field in CounterChangeLog.

The progress (rows inserted) is published per chunk (REPORT_UPLOAD_PROGRESS, status "running") and, on
PostgreSQL, stored on the upload in short transactions of its own; SQLite allows one writer, so there the stored
progress jumps at the end. A failure rolls the whole import back and marks the upload failed with the error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.i18n import gettext
from printer_app.models.base import utcnow
from printer_app.models.choices import BulkOperation, ReportUploadStatus
from printer_app.models.reports import BulkChangeLog, CounterChangeLog, MonthControl, MonthlyReport, ReportUpload
from printer_app.services import events
from printer_app.services.reports.columns import COUNTER_FIELDS, SLA_FLOAT_FIELDS, SLA_INT_FIELDS, TEXT_FIELDS
from printer_app.services.reports.formulas import group_key, group_totals, k1, k2
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.months import default_edit_until, month_key
from printer_app.services.reports.specs import allowed_fields, ensure_specs, normalise_model
from printer_app.services.reports.upload import UploadRefused

CHUNK_SIZE = 500
WORKER_ROWS = 2_000  # an upload of more rows is imported by a worker, the page follows its progress
STARTABLE = (ReportUploadStatus.ANALYSED.value, ReportUploadStatus.FAILED.value)  # a queued one is the worker's
_T = MonthlyReport.__table__
_U = ReportUpload.__table__
STORED_FIELDS = ("order_number", *TEXT_FIELDS, *COUNTER_FIELDS, *SLA_FLOAT_FIELDS, *SLA_INT_FIELDS)

Progress = Callable[[int, int], None]


def options_of(
    *, replace_month: bool = False, allow_edit: bool = False, edit_until: datetime | None = None, publish: bool = False
) -> dict[str, Any]:
    """The options of an upload as stored on it (edit_until as ISO text in UTC, only with allow_edit)."""
    until = None
    if allow_edit and edit_until is not None:
        until = (edit_until if edit_until.tzinfo else edit_until.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return {
        "replace_month": bool(replace_month),
        "allow_edit": bool(allow_edit),
        "edit_until": until,
        "publish": bool(publish),
    }


def upload_of(session: Session, upload_id: int) -> ReportUpload:
    upload = session.get(ReportUpload, int(upload_id))
    if upload is None:
        raise UploadRefused(gettext("This upload does not exist any more; upload the file again."))
    return upload


def prepare(session: Session, upload_id: int, *, month: date, options: dict[str, Any]) -> ReportUpload:
    """Set the month and options an upload will be imported with; refused once it is importing or imported, or
    when its analysis refused it."""
    upload = upload_of(session, upload_id)
    if upload.analysis.get("refusal"):
        raise UploadRefused(str(upload.analysis["refusal"]))
    if upload.status not in STARTABLE:
        raise UploadRefused(_status_refusal(upload.status))
    upload.month, upload.options, upload.updated_at = month, dict(options), utcnow()
    session.add(upload)
    session.flush()
    return upload


def _status_refusal(status: str) -> str:
    if status == ReportUploadStatus.DONE:
        return gettext("This upload was imported already; upload the file again to import it once more.")
    return gettext("This upload is being imported right now; its progress shows on the page.")


def claim(session: Session, upload_id: int, *, to: str, allowed: tuple[str, ...] = STARTABLE) -> bool:
    """Move an upload to status `to` when it is in one of `allowed` (one UPDATE: two callers cannot both win)."""
    moved = session.execute(
        _U.update()
        .where(_U.c.id == int(upload_id), _U.c.status.in_(allowed))
        .values(status=to, updated_at=utcnow(), error="")
    )
    return moved.rowcount == 1


def _store_progress(upload_id: int, done: int, total: int) -> None:
    with session_scope(write=True) as session:
        session.execute(_U.update().where(_U.c.id == upload_id).values(progress_done=done, progress_total=total))


def _progress_payload(upload: ReportUpload, done: int, total: int, status: str) -> dict[str, Any]:
    return {"upload_id": upload.id, "month": month_key(upload.month), "done": done, "total": total, "status": status}


def _edit_until(month: date, options: dict[str, Any]) -> datetime | None:
    if not options.get("allow_edit"):
        return None
    given = options.get("edit_until")
    if given:
        moment = datetime.fromisoformat(str(given))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return default_edit_until(month, get_settings().tz)


def _control(session: Session, month: date, options: dict[str, Any]) -> None:
    control = session.exec(select(MonthControl).where(MonthControl.month == month)).first()
    if control is None:
        control = MonthControl(month=month)
    control.edit_until = _edit_until(month, options)
    control.is_published = bool(options.get("publish"))
    session.add(control)


def _replace(session: Session, month: date) -> int:
    ids = sa.select(_T.c.id).where(_T.c.month == month)
    session.execute(sa.delete(CounterChangeLog.__table__).where(CounterChangeLog.__table__.c.report_id.in_(ids)))
    return session.execute(sa.delete(_T).where(_T.c.month == month)).rowcount or 0


def _records(session: Session, rows: list[dict[str, Any]], month: date) -> tuple[list[dict[str, Any]], int]:
    """The rows to insert with the counters their model's spec does not allow zeroed; and how many were zeroed."""
    specs = ensure_specs(session, {row.get("equipment_model", "") for row in rows})
    now = utcnow()
    zeroed = 0
    records = []
    for row in rows:
        allowed = allowed_fields(specs.get(normalise_model(row.get("equipment_model"))))
        record = {name: row.get(name) for name in STORED_FIELDS}
        for name in COUNTER_FIELDS:
            if name not in allowed and record[name]:
                record[name] = 0
                zeroed += 1
        records.append({**record, "month": month, "created_at": now, "updated_at": now})
    _precompute(records)
    return records, zeroed


def _precompute(records: list[dict[str, Any]]) -> None:
    """total_prints, K1 and K2 of the new rows among themselves (positions standing in for ids), so that
    `recompute_month` afterwards only corrects the groups they share with rows already in the month."""
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for position, record in enumerate(records):
        key = group_key(record["serial_number"], record["inventory_number"], -1 - position)
        groups[key].append({**record, "id": position})
    for rows in groups.values():
        for position, total in group_totals(rows).items():
            records[position]["total_prints"] = total
    for record in records:
        record["k1"] = round(k1(record["normative_availability"], record["actual_downtime"]), 6)
        record["k2"] = round(k2(record["non_overdue_requests"], record["total_requests"]), 6)


def import_upload(
    upload_id: int,
    *,
    user_id: int | None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
    queued: bool = False,
) -> dict[str, Any]:
    """Import an analysed upload (see the module's docstring); returns {rows, deleted, zeroed, fields}.

    Raises UploadRefused, writing nothing, when the upload is refused, imported, or being imported (`queued`: the
    caller is the worker the upload was queued for). Any other error marks the upload failed and is raised again.
    """
    with session_scope(write=True) as session:
        upload = upload_of(session, upload_id)
        if upload.analysis.get("refusal"):
            raise UploadRefused(str(upload.analysis["refusal"]))
        allowed = (ReportUploadStatus.QUEUED.value,) if queued else STARTABLE
        if not claim(session, upload_id, to=ReportUploadStatus.RUNNING.value, allowed=allowed):
            raise UploadRefused(_status_refusal(upload.status))
    started = utcnow()
    pg = not _is_sqlite()
    try:
        with session_scope(write=True) as session:
            upload = upload_of(session, upload_id)
            month, options, rows = upload.month, dict(upload.options), list(upload.rows)
            total = len(rows)
            running = ReportUploadStatus.RUNNING.value
            events.publish(events.REPORT_UPLOAD_PROGRESS, _progress_payload(upload, 0, total, running))
            if progress is not None:
                progress(0, total)
            deleted = _replace(session, month) if options.get("replace_month") else 0
            records, zeroed = _records(session, rows, month)
            for start in range(0, total, chunk_size):
                session.execute(sa.insert(_T), records[start : start + chunk_size])
                done = min(start + chunk_size, total)
                if pg:
                    _store_progress(upload_id, done, total)
                events.publish(events.REPORT_UPLOAD_PROGRESS, _progress_payload(upload, done, total, running))
                if progress is not None:
                    progress(done, total)
            _control(session, month, options)
            recompute_month(session, month)
            fields = list(upload.analysis.get("columns", {}))
            session.add(
                BulkChangeLog(
                    user_id=user_id,
                    operation_type=BulkOperation.EXCEL_UPLOAD.value,
                    month=month,
                    records_affected=total,
                    fields_changed=fields,
                    params={**options, "file_name": upload.file_name, "upload_id": upload.id, "deleted": deleted},
                    started_at=started,
                    finished_at=utcnow(),
                    success=True,
                    ip_address=upload.ip_address,
                )
            )
            result = {"rows": total, "deleted": deleted, "zeroed": zeroed, "fields": fields}
            upload.status, upload.result = ReportUploadStatus.DONE.value, result
            upload.progress_done, upload.progress_total = total, total
            upload.finished_at = upload.updated_at = utcnow()
            session.add(upload)
            events.publish_after_commit(session, events.REPORTS_CHANGED, {"month": month_key(month), "all": True})
            events.publish_after_commit(
                session,
                events.REPORT_UPLOAD_PROGRESS,
                _progress_payload(upload, total, total, ReportUploadStatus.DONE.value),
            )
        return result
    except Exception as exc:
        _fail(upload_id, user_id, started, exc)
        raise


def _is_sqlite() -> bool:
    from printer_app.db import get_engine

    return get_engine().dialect.name == "sqlite"


def _fail(upload_id: int, user_id: int | None, started: datetime, exc: Exception) -> None:
    """Mark the upload failed (the import was rolled back) and log the failed operation."""
    message = (getattr(exc, "message", None) or str(exc) or type(exc).__name__)[:2000]
    with session_scope(write=True) as session:
        upload = session.get(ReportUpload, upload_id)
        if upload is None:
            return
        upload.status, upload.error = ReportUploadStatus.FAILED.value, message
        upload.progress_done, upload.finished_at, upload.updated_at = 0, utcnow(), utcnow()
        session.add(upload)
        session.add(
            BulkChangeLog(
                user_id=user_id,
                operation_type=BulkOperation.EXCEL_UPLOAD.value,
                month=upload.month,
                records_affected=0,
                fields_changed=list(upload.analysis.get("columns", {})),
                params={**upload.options, "file_name": upload.file_name, "upload_id": upload.id},
                started_at=started,
                finished_at=utcnow(),
                success=False,
                error_message=message,
                ip_address=upload.ip_address,
            )
        )
        events.publish_after_commit(
            session,
            events.REPORT_UPLOAD_PROGRESS,
            _progress_payload(upload, 0, upload.progress_total, ReportUploadStatus.FAILED.value),
        )


def read_upload(session: Session, upload_id: int, *, user_id: int | None) -> ReportUpload | None:
    """An upload as its page shows it: only the uploader's own (another user's id shows nothing)."""
    found = session.get(ReportUpload, int(upload_id)) if upload_id else None
    if found is None or found.user_id != user_id:
        return None
    session.expunge(found)
    return found
