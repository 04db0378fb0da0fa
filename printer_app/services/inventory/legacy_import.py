"""Import of the legacy Flask application's SQLite database (docs/inventory-and-polling.md "Legacy import", DOMAIN
8.1): its printers, poll attempts and page counters, with their original timestamps.

Contract:
- The file is opened read-only; it must be a SQLite database with the tables `printers(id, ip_address, ...)`,
  `inventory_tasks(id, printer_id, status, <timestamp>, ...)` and `page_counters(task_id, ...)`. The timestamp
  column is the first present of `timestamp`, `task_timestamp`, `created_at`, `created`. Anything else is refused
  with a message naming what is missing (LegacyRefused), nothing stored.
- Printers are upserted by IP among the active network printers: a new IP creates a printer through the same
  validation as the form (an invalid one is skipped with its reason); a known one gets the legacy serial, model
  text and community where the legacy value is not empty (written to the change log).
- Poll attempts keep their timestamps (naive ones are read in `naive_tz`, UTC by default) and statuses (an unknown
  status becomes FAILED with a note); counters are stored for successful attempts only, each value a whole
  number 0..10^12 or left empty. Tasks of printers the file does not hold, or that were skipped, and counters of
  tasks the file does not hold are orphans: counted, not stored.
- Idempotent: each attempt carries a message id derived from (IP, legacy id, timestamp), so a second run of the
  same file stores nothing twice (`already_present`).
- One transaction: on any unexpected error nothing is stored; `dry_run` rolls back after counting.
- A printer whose imported history is newer than what it holds gets its latest-poll summary from it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import InventoryTask, PageCounter, Printer
from printer_app.models.choices import ConnectionType, DataSource, TaskStatus, TriggeredBy
from printer_app.services.audit import Actor
from printer_app.services.concurrency import save_changes
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printers import PrinterInput, create_printer

TIMESTAMP_COLUMNS = ("timestamp", "task_timestamp", "created_at", "created")
COUNTER_COLUMNS = ("bw_a4", "color_a4", "bw_a3", "color_a3", "total_pages")
SUPPLY_COLUMNS = (
    "drum_black",
    "drum_cyan",
    "drum_magenta",
    "drum_yellow",
    "toner_black",
    "toner_cyan",
    "toner_magenta",
    "toner_yellow",
    "fuser_kit",
    "transfer_kit",
    "waste_toner",
)
MAX_COUNTER = 10**12
CHUNK = 2000
_STATUSES = {status.value.upper(): status.value for status in TaskStatus if status != TaskStatus.NEVER_RUN}


class LegacyRefused(Exception):
    """The file is not a legacy database this import understands; the message says why."""


@dataclass
class LegacySummary:
    """What an import did (or would do, for a dry run). The keys are the `--json` interface: keep them stable."""

    printers_created: int = 0
    printers_updated: int = 0
    printers_unchanged: int = 0
    printers_skipped: int = 0
    tasks_imported: int = 0
    tasks_already_present: int = 0
    tasks_orphaned: int = 0
    tasks_unknown_status: int = 0
    tasks_bad_timestamp: int = 0
    counters_imported: int = 0
    counters_orphaned: int = 0
    counters_of_failed_polls: int = 0
    dry_run: bool = False
    skipped: list[dict[str, str]] = field(default_factory=list)  # [{"ip", "reason"}] of printers not imported

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_legacy(
    session: Session,
    path: Path,
    *,
    dry_run: bool = False,
    naive_tz: tzinfo = UTC,
    actor: Actor | None = None,
) -> LegacySummary:
    """Import the legacy database at `path` into `session` (flushed; the caller commits, or rolls back for a dry
    run). Raises LegacyRefused for a file that is not such a database."""
    summary = LegacySummary(dry_run=dry_run)
    with _open(path) as legacy:
        stamp = _check_schema(legacy)
        printer_ids = _import_printers(session, legacy, summary, actor)
        counters = _legacy_counters(legacy)
        touched: set[int] = set()
        for chunk in _tasks(legacy, stamp):
            _import_tasks(session, chunk, printer_ids, counters, naive_tz, summary, touched)
        summary.counters_orphaned = len(counters)  # what no task of the file claimed
    _refresh_summaries(session, touched)
    session.flush()
    return summary


# ---- reading the file ----


class _Legacy:
    def __init__(self, connection: sqlite3.Connection):
        self.db = connection

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.db.execute(f'PRAGMA table_info("{table}")')]  # table names are ours


@contextmanager
def _open(path: Path) -> Iterator[_Legacy]:
    """The database read-only; a missing file, a directory or a file that is not SQLite is refused."""
    if not path.is_file():
        raise LegacyRefused(gettext("{path} is not a file.", path=str(path)))
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise LegacyRefused(gettext("{path} is not a SQLite database ({error}).", path=str(path), error=exc)) from None
    with closing(connection):
        yield _Legacy(connection)


def _check_schema(legacy: _Legacy) -> str:
    """The tasks' timestamp column, once every table and required column is known to exist."""
    required = {
        "printers": ("id", "ip_address"),
        "inventory_tasks": ("id", "printer_id", "status"),
        "page_counters": ("task_id",),
    }
    for table, names in required.items():
        present = legacy.columns(table)
        if not present:
            raise LegacyRefused(gettext("The database has no table {table}.", table=table))
        missing = [name for name in names if name not in present]
        if missing:
            raise LegacyRefused(
                gettext("The table {table} has no column {column}.", table=table, column=", ".join(missing))
            )
    task_columns = legacy.columns("inventory_tasks")
    stamp = next((name for name in TIMESTAMP_COLUMNS if name in task_columns), None)
    if stamp is None:
        raise LegacyRefused(
            gettext(
                "The table inventory_tasks has no time column (one of {names}).", names=", ".join(TIMESTAMP_COLUMNS)
            )
        )
    return stamp


def _select(legacy: _Legacy, table: str, wanted: tuple[str, ...]) -> str:
    """SELECT of the `wanted` columns the table has (NULL for the others), in that order."""
    present = set(legacy.columns(table))
    return ", ".join(f'"{name}"' if name in present else "NULL" for name in wanted)


def _legacy_counters(legacy: _Legacy) -> dict[int, dict[str, Any]]:
    """{legacy task id: its counter row}; popped as tasks claim them, so what remains are orphans."""
    wanted = ("task_id", *COUNTER_COLUMNS, *SUPPLY_COLUMNS)
    rows: dict[int, dict[str, Any]] = {}
    for values in legacy.db.execute(f"SELECT {_select(legacy, 'page_counters', wanted)} FROM page_counters"):
        item = dict(zip(wanted, values, strict=True))
        task_id = _whole(item.pop("task_id"))
        if task_id is not None:
            rows[task_id] = item
    return rows


def _tasks(legacy: _Legacy, stamp: str) -> Iterator[list[dict[str, Any]]]:
    wanted = ("id", "printer_id", "status", "error_message", stamp)
    query = f"SELECT {_select(legacy, 'inventory_tasks', wanted)} FROM inventory_tasks ORDER BY id"
    cursor = legacy.db.execute(query)
    while batch := cursor.fetchmany(CHUNK):
        yield [dict(zip(("id", "printer_id", "status", "error_message", "at"), row, strict=True)) for row in batch]


# ---- printers ----


def _text(value: Any, limit: int) -> str:
    return ("" if value is None else str(value)).strip()[:limit]


def _import_printers(
    session: Session, legacy: _Legacy, summary: LegacySummary, actor: Actor | None
) -> dict[int, tuple[int, str]]:
    """{legacy printer id: (our printer id, its IP)} of the printers imported or found."""
    wanted = ("id", "ip_address", "serial_number", "model", "snmp_community")
    found: dict[int, tuple[int, str]] = {}
    for values in legacy.db.execute(f"SELECT {_select(legacy, 'printers', wanted)} FROM printers ORDER BY id"):
        item = dict(zip(wanted, values, strict=True))
        legacy_id, ip = _whole(item["id"]), _text(item["ip_address"], 100)
        if legacy_id is None:
            continue
        changes = {
            "serial_number": _text(item["serial_number"], 100),
            "model": _text(item["model"], 200),
            "snmp_community": _text(item["snmp_community"], 64),
        }
        changes = {name: value for name, value in changes.items() if value}
        printer = _active_by_ip(session, ip)
        if printer is not None:
            written = save_changes(session, printer, changes, version=None, actor=actor)
            summary.printers_updated += bool(written)
            summary.printers_unchanged += not written
            found[legacy_id] = (printer.id, printer.ip_address)
            continue
        try:
            with session.begin_nested():
                printer = create_printer(session, data=PrinterInput(ip_address=ip, **changes), actor=actor)
        except DomainValidationError as exc:
            summary.printers_skipped += 1
            summary.skipped.append({"ip": ip, "reason": "; ".join(str(v) for v in exc.errors.values())})
            continue
        summary.printers_created += 1
        found[legacy_id] = (printer.id, printer.ip_address)
    return found


def _active_by_ip(session: Session, ip: str) -> Printer | None:
    """The active network printer at `ip`; of several (a print server's devices, each on an SNMP port of its own) the
    one on port 161, where the legacy application polled and this import creates them."""
    if not ip:
        return None
    return session.exec(
        select(Printer)
        .where(Printer.ip_address == ip, Printer.is_active.is_(True), Printer.connection_type == ConnectionType.NETWORK)
        .order_by((Printer.snmp_port != 161).asc(), Printer.id)
    ).first()


# ---- tasks and counters ----


def _import_tasks(
    session: Session,
    chunk: list[dict[str, Any]],
    printer_ids: dict[int, tuple[int, str]],
    counters: dict[int, dict[str, Any]],
    naive_tz: tzinfo,
    summary: LegacySummary,
    touched: set[int],
) -> None:
    rows: list[dict[str, Any]] = []
    claimed: list[dict[str, Any] | None] = []
    for task in chunk:
        legacy_id = _whole(task["id"])
        counter = counters.pop(legacy_id, None) if legacy_id is not None else None
        target = printer_ids.get(_whole(task["printer_id"]) or -1)
        if target is None or legacy_id is None:
            summary.tasks_orphaned += 1
            continue
        at = _moment(task["at"], naive_tz)
        if at is None:
            summary.tasks_bad_timestamp += 1
            continue
        status = _STATUSES.get(_text(task["status"], 40).upper())
        note = ""
        if status is None:
            summary.tasks_unknown_status += 1
            note = gettext("Legacy status {status!r} imported as failed.", status=_text(task["status"], 40))
            status = TaskStatus.FAILED.value
        printer_id, ip = target
        rows.append(
            {
                "printer_id": printer_id,
                "task_timestamp": at,
                "status": status,
                "error_message": _text(task["error_message"], 10_000),
                "data_source": DataSource.SNMP_LOCAL.value,
                "triggered_by": TriggeredBy.AUTO_POLL.value,
                "message_id": _message_id(ip, legacy_id, at),
                "note": note,
                "history_check_failed": False,
            }
        )
        claimed.append(counter)
    if not rows:
        return
    present = set(
        session.scalars(
            select(InventoryTask.message_id).where(InventoryTask.message_id.in_([r["message_id"] for r in rows]))
        )
    )
    fresh = [(row, counter) for row, counter in zip(rows, claimed, strict=True) if row["message_id"] not in present]
    summary.tasks_already_present += len(rows) - len(fresh)
    if not fresh:
        return
    ids = session.scalars(
        sa.insert(InventoryTask).returning(InventoryTask.id, sort_by_parameter_order=True), [row for row, _c in fresh]
    ).all()
    summary.tasks_imported += len(ids)
    counter_rows = []
    for task_id, (row, counter) in zip(ids, fresh, strict=True):
        touched.add(row["printer_id"])
        if counter is None:
            continue
        if row["status"] != TaskStatus.SUCCESS.value:
            summary.counters_of_failed_polls += 1
            continue
        counter_rows.append(
            {
                "task_id": task_id,
                "printer_id": row["printer_id"],
                "recorded_at": row["task_timestamp"],
                **{name: _counter(counter.get(name)) for name in COUNTER_COLUMNS},
                **{name: _text(counter.get(name), 20) for name in SUPPLY_COLUMNS},
            }
        )
    if counter_rows:
        session.execute(sa.insert(PageCounter), counter_rows)
        summary.counters_imported += len(counter_rows)


def _refresh_summaries(session: Session, printer_ids: set[int]) -> None:
    """The latest-poll summary of each printer whose imported history is newer than what it shows."""
    session.flush()
    for printer_id in sorted(printer_ids):
        printer = session.get(Printer, printer_id)
        latest = session.exec(
            select(InventoryTask)
            .where(InventoryTask.printer_id == printer_id)
            .order_by(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc())
            .limit(1)
        ).first()
        if printer is None or latest is None:
            continue
        if printer.last_poll_at is None or latest.task_timestamp > printer.last_poll_at:
            printer.last_poll_at = latest.task_timestamp
            printer.last_poll_status = latest.status
            printer.last_error = latest.error_message[:500] or None
        counter = session.exec(
            select(PageCounter)
            .where(PageCounter.printer_id == printer_id)
            .order_by(PageCounter.recorded_at.desc(), PageCounter.id.desc())
            .limit(1)
        ).first()
        if counter is not None and (printer.last_success_at is None or counter.recorded_at > printer.last_success_at):
            printer.last_success_at = counter.recorded_at
            printer.last_counter_id = counter.id
        session.add(printer)


def _message_id(ip: str, legacy_id: int, at: datetime) -> str:
    digest = hashlib.sha1(f"{ip}|{legacy_id}|{at.isoformat()}".encode()).hexdigest()
    return f"legacy:{digest}"


def _whole(value: Any) -> int | None:
    """An integer id or counter from whatever the legacy column holds (text with spaces, float, NULL)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float("".join(str(value).split()).replace(",", "."))  # "2 500", "1,5"
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _counter(value: Any) -> int | None:
    number = _whole(value)
    return number if number is not None and 0 <= number <= MAX_COUNTER else None


def _moment(value: Any, naive_tz: tzinfo) -> datetime | None:
    """A legacy timestamp (ISO text with a space or T, optional fraction and offset; or Unix seconds) as UTC."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not 1990 <= moment.year <= 2100:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_tz)
    return moment.astimezone(UTC)
