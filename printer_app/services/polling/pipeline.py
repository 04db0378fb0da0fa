"""The poll pipeline (docs/inventory-and-polling.md §3 and §4): acquire a reading, check identity and history, store
the outcome.

One call = one poll = one transaction. Acquisition is pluggable (`ReadingSource`) so SNMP, web pages and
imported XML share every rule after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.models import InventoryTask, PageCounter, Printer
from printer_app.models.base import utcnow
from printer_app.models.choices import ChangeAction, TaskStatus, TriggeredBy
from printer_app.services import events
from printer_app.services.polling.history import COUNTER_FIELDS, PollOutcome, record_poll
from printer_app.services.polling.identity import PastCounters, check_history, match_identity
from printer_app.services.polling.reading import COUNTER_KEYS, AcquisitionError, DeviceReading, ReadingSource
from printer_app.services.polling.replacement import log_change, replace_device
from printer_app.services.snmp.decode import map_counters
from printer_app.services.validators import check_community, parse_ipv4

log = logging.getLogger(__name__)


def run_inventory_for_printer(
    session: Session,
    *,
    printer_id: int,
    triggered_by: str = TriggeredBy.AUTO_POLL,
    source: ReadingSource | None = None,
    now: datetime | None = None,
    message_id: str | None = None,
    announced: bool = False,
) -> InventoryTask:
    """Poll one printer and store the outcome; never raises for a device problem (it becomes a FAILED task).

    The start of the poll is published first (unless the caller `announced` it already, before reading the device
    itself); the result once the caller commits `session` (never if it rolls back).

    With `message_id` (the broker message being processed) a redelivered message returns the poll it already
    stored instead of polling again.
    """
    if message_id:
        done = session.exec(select(InventoryTask).where(InventoryTask.message_id == message_id)).first()
        if done is not None:
            return done
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise LookupError(f"Printer #{printer_id} does not exist")
    now = now or utcnow()
    if not announced:
        announce_start(printer, triggered_by)
    base = {"triggered_by": triggered_by, "at": now}
    try:
        with session.begin_nested():
            outcome, target = _evaluate(session, printer, source or _default_source(), now, base)
            task = record_poll(session, printer=target, outcome=outcome, message_id=message_id)
    except Exception as exc:  # any bug must still leave a FAILED record, not a half-written poll
        log.exception("poll of printer %s failed unexpectedly", printer_id)
        session.expire_all()
        printer = session.get(Printer, printer_id)
        target = printer
        task = record_poll(
            session,
            printer=printer,
            outcome=PollOutcome(status=TaskStatus.FAILED, error_message=f"Unexpected error: {exc}", **base),
            message_id=message_id,
        )
    session.flush()
    if task.status == TaskStatus.SUCCESS:
        _sync_month_reports(session, target, task)
    events.publish_after_commit(session, events.INVENTORY_UPDATE, result_payload(session, target, task))
    return task


def _sync_month_reports(session: Session, printer: Printer, task: InventoryTask) -> None:
    """The per-poll sync of the month reports (services/reports/sync_poll.py), in a savepoint of the poll's
    transaction: a failure there is logged and rolled back alone, never failing or blocking the poll."""
    from printer_app.services.reports.sync import reading_of
    from printer_app.services.reports.sync_poll import sync_after_poll

    try:
        counter = session.get(PageCounter, printer.last_counter_id) if printer.last_counter_id else None
        if counter is None or counter.task_id != task.id:
            return
        with session.begin_nested():
            reading = reading_of(counter, at=counter.recorded_at, ip=printer.ip_address)
            sync_after_poll(session, serial=printer.serial_number, reading=reading)
    except Exception:
        log.exception("month report sync after the poll of printer %s failed; the poll is kept", printer.id)


def poll_and_store(
    printer_id: int,
    *,
    triggered_by: str = TriggeredBy.AUTO_POLL,
    message_id: str | None = None,
    sessions: Callable[[], AbstractContextManager[Session]] | None = None,
) -> InventoryTask:
    """Poll a stored printer with no transaction open during the network read, then store in one transaction."""
    from printer_app.services.inventory.device_models import model_label
    from printer_app.services.polling.sources import polling_method_for, read_printer, store_polling_method
    from printer_app.services.web.rules import load_web_rules

    sessions = sessions or (lambda: session_scope(write=True))
    with sessions() as session:
        if message_id:
            done = session.exec(select(InventoryTask).where(InventoryTask.message_id == message_id)).first()
            if done is not None:
                return done
        printer = session.get(Printer, printer_id)
        if printer is None:
            raise LookupError(f"Printer #{printer_id} does not exist")
        web_rules = load_web_rules(session, printer_id)
        label = model_label(session, printer) if web_rules else None  # for the web poll's XML export
        session.expunge(printer)
    announce_start(printer, triggered_by)  # before the read, which may take the device's whole timeout
    outcome = read_printer(printer, web_rules, export=label)  # a reading, or the AcquisitionError to record

    def source(_printer: Printer) -> DeviceReading:
        if isinstance(outcome, AcquisitionError):
            raise outcome
        return outcome

    with sessions() as session:
        store_polling_method(session, printer_id=printer_id, method=polling_method_for(printer, web_rules))
        return run_inventory_for_printer(
            session,
            printer_id=printer_id,
            triggered_by=triggered_by,
            source=source,
            message_id=message_id,
            announced=True,
        )


def announce_start(printer: Printer, triggered_by: str) -> None:
    """Tell every tab a poll of `printer` starts now (a "Poll now" shows a spinner on its row in every tab)."""
    payload = {"printer_id": printer.id, "ip": printer.ip_address, "triggered_by": str(triggered_by)}
    events.publish(events.INVENTORY_START, payload)


def _default_source() -> ReadingSource:
    from printer_app.services.polling.sources import snmp_source

    return snmp_source


def _fail(message: str, base: dict, **extra) -> PollOutcome:
    return PollOutcome(status=TaskStatus.FAILED, error_message=message, **base, **extra)


def _evaluate(
    session: Session, printer: Printer, source: ReadingSource, now: datetime, base: dict
) -> tuple[PollOutcome, Printer]:
    try:
        parse_ipv4(printer.ip_address)
        check_community(printer.snmp_community)
    except ValueError as exc:
        return _fail(str(exc), base), printer
    try:
        reading = source(printer)
    except AcquisitionError as exc:
        return _fail(str(exc), {**base, "data_source": exc.data_source}), printer
    base = {**base, "data_source": reading.data_source}
    notes = list(reading.notes)
    has_counter = any(k in reading.raw_counters for k in COUNTER_KEYS)
    if not has_counter and not reading.supplies:
        detail = f" ({'; '.join(reading.errors)})" if reading.errors else ""
        return _fail("No valid page counters or supplies in the device answer" + detail, base), printer
    if not has_counter:  # its supplies are still worth storing: a success with empty (not 0) counters
        notes.append("no page counter reported")

    failure = _learn_before_check(session, printer, reading)
    if failure:
        return _fail(failure, base), printer
    target = printer
    rule, why = match_identity(
        reading_serial=reading.serial,
        stored_serial=printer.serial_number,
        reading_mac=reading.mac,
        stored_mac=printer.mac_address,
    )
    if rule is None and reading.serial and reading.serial != printer.serial_number.strip():
        replaced = replace_device(session, printer=printer, reading=reading, now=now)
        if replaced is not None:
            target = replaced
            rule, why = match_identity(
                reading_serial=reading.serial,
                stored_serial=target.serial_number,
                reading_mac=reading.mac,
                stored_mac=target.mac_address,
            )
    if rule is None:
        return PollOutcome(status=TaskStatus.VALIDATION_ERROR, error_message=why, **base), target
    _learn_identity(session, target, reading)

    counters: dict[str, int | None] = dict.fromkeys(COUNTER_FIELDS)
    if has_counter:
        mapped = map_counters(reading.raw_counters, reading.is_color)
        counters = {key: mapped["total" if key == "total_pages" else key] for key in COUNTER_FIELDS}
    reasons, crash = _check_history(session, target, counters, now)
    notes += [crash] if crash else []
    if reasons:
        return (
            PollOutcome(
                status=TaskStatus.HISTORICAL_INCONSISTENCY, error_message="; ".join(reasons), match_rule=rule, **base
            ),
            target,
        )
    outcome = PollOutcome(
        status=TaskStatus.SUCCESS,
        match_rule=rule,
        counters=counters,
        supplies=reading.supplies,
        note="; ".join(notes),
        history_check_failed=bool(crash),
        **base,
    )
    return outcome, target


def _check_history(
    session: Session, printer: Printer, counters: dict[str, int | None], now: datetime
) -> tuple[list[str], str]:
    """docs/inventory-and-polling.md §4.5: reasons to reject the counters, and a note when the check itself crashed.

    A crash accepts the poll (docs/inventory-and-polling.md §3.10), marked so a report billing from it can tell.
    """
    settings = get_settings()
    try:
        reasons = check_history(
            counters,
            _past_counters(session, printer),
            now=now,
            window_hours=settings.anomaly_check_time_window_hours,
            skip_days=settings.anomaly_skip_check_days,
            jump_threshold=settings.anomaly_jump_threshold,
        )
    except Exception as exc:
        log.exception("history validation failed for printer %s; accepting", printer.id)
        return [], f"history check failed: {type(exc).__name__}: {exc}"
    return reasons, ""


def _learn_before_check(session: Session, printer: Printer, reading: DeviceReading) -> str:
    """docs/inventory-and-polling.md §3.8: a printer without a MAC learns the device's; one with no identity at all
    learns its serial.

    Returns why the poll fails ("" when it goes on): the MAC belongs to another active printer.
    """
    if not printer.mac_address and reading.mac:
        owner = session.exec(
            select(Printer).where(Printer.mac_address == reading.mac, Printer.is_active, Printer.id != printer.id)
        ).first()
        if owner:
            return (
                f"MAC {reading.mac} is already used by active printer #{owner.id} "
                f"(IP {owner.ip_address}, serial {owner.serial_number or '—'})"
            )
        printer.mac_address = reading.mac
        log_change(session, printer, ChangeAction.MAC_UPDATE, {"mac_address": None}, {"mac_address": reading.mac})
    if not printer.mac_address and not printer.serial_number.strip() and reading.serial:
        _learn_serial(session, printer, reading.serial)
    return ""


def _learn_identity(session: Session, printer: Printer, reading: DeviceReading) -> None:
    """Fill what the user left empty: the serial (never overwritten once set), the model text and the location."""
    if not printer.serial_number.strip() and reading.serial:
        _learn_serial(session, printer, reading.serial)
    if not printer.model and printer.device_model_id is None and reading.model:
        maker = reading.manufacturer or ""
        text = reading.model if reading.model.lower().startswith(maker.lower()) else f"{maker} {reading.model}"
        printer.model = text.strip()[:200]
    if not (printer.location or "").strip() and reading.location:  # a location the user set is never replaced
        printer.location = reading.location
    session.add(printer)


def _learn_serial(session: Session, printer: Printer, serial: str) -> None:
    printer.serial_number = serial[:100]
    log_change(
        session,
        printer,
        ChangeAction.SERIAL_UPDATE,
        {"serial_number": ""},
        {"serial_number": printer.serial_number},
        comment="learned from the device",
    )


def _past_counters(session: Session, printer: Printer) -> list[PastCounters]:
    """The last five successful polls that reported a counter, recorded after the printer's accepted baseline."""
    query = (
        select(PageCounter)
        .join(InventoryTask, InventoryTask.id == PageCounter.task_id)
        .where(
            InventoryTask.printer_id == printer.id,
            InventoryTask.status == TaskStatus.SUCCESS,
            or_(*(getattr(PageCounter, key).is_not(None) for key in COUNTER_FIELDS)),
        )
        .order_by(InventoryTask.task_timestamp.desc())
        .limit(5)
    )
    if printer.counter_baseline_at is not None:
        query = query.where(PageCounter.recorded_at > printer.counter_baseline_at)
    rows = session.exec(query).all()
    return [PastCounters(at=c.recorded_at, values={k: getattr(c, k) for k in COUNTER_FIELDS}) for c in rows]


def result_payload(session: Session, printer: Printer, task: InventoryTask) -> dict:
    """What the live update carries: the outcome and, for a success, the stored counters and supply summary."""
    payload = {
        "printer_id": printer.id,
        "ip": printer.ip_address,
        "task_id": task.id,
        "status": task.status,
        "error": task.error_message,
        "match_rule": task.match_rule,
        "mac": printer.mac_address,
        "timestamp_ms": int(task.task_timestamp.timestamp() * 1000),
    }
    if task.status == TaskStatus.SUCCESS and printer.last_counter_id:
        counter = session.get(PageCounter, printer.last_counter_id)
        if counter is not None:
            payload["counters"] = counter.model_dump(exclude={"id", "task_id", "printer_id", "recorded_at"})
    return payload


def announce_result(task_id: int) -> None:
    """Publish a stored poll's result again: a request folded into that poll is answered by it."""
    with session_scope() as session:
        task = session.get(InventoryTask, task_id)
        printer = session.get(Printer, task.printer_id) if task is not None else None
        if task is not None and printer is not None:
            events.publish(events.INVENTORY_UPDATE, result_payload(session, printer, task))
