"""Contract devices: linking them to polled printers by serial (DOMAIN 9), compared trimmed and ignoring case
(services/serials.py).

Two entry points: `autolink_devices`, the daily batch over every unlinked device, and `link_new_printer`, what a
printer's creation does. (Linking on a device's own save lives with the device service.) Both are set-based: a few
queries whatever the number of devices. Every link is written to the change log and announced after the commit.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.models import ContractDevice, EntityChangeLog, Printer
from printer_app.models.base import utcnow
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.serials import has_serial, same_serial, serial_key, sql_serial_key

STATS_KEYS = ("total", "linked", "not_found", "multiple_found", "conflicts", "errors")
_LABEL = "Printer"


def _link_candidates(session: Session) -> list[tuple[int, str, int, int | None]]:
    """(device id, serial, printers with its serial, the printer it gets or None) for every unlinked device.

    The rule applied device by device in id order (each takes the first printer with its serial, active before
    inactive then lowest id, that nobody holds yet) gives, per serial, the n-th device the n-th free printer: all
    devices with one serial see the same candidates, and devices of other serials never compete for them. So the
    pairs are a join on (serial, rank) computed by the database in one query.
    """
    device_key = sql_serial_key(ContractDevice.serial_number).label("k")
    devices = (
        select(
            ContractDevice.id.label("id"),
            ContractDevice.serial_number.label("serial"),
            device_key,
            sa.func.row_number().over(partition_by=device_key, order_by=ContractDevice.id).label("rn"),
        )
        .where(ContractDevice.printer_id.is_(None), has_serial(ContractDevice.serial_number))
        .subquery("d")
    )
    printer_key = sql_serial_key(Printer.serial_number)
    counts = (
        select(printer_key.label("k"), sa.func.count().label("n"))
        .where(has_serial(Printer.serial_number))
        .group_by(printer_key)
        .subquery("pc")
    )
    held = select(ContractDevice.id).where(ContractDevice.printer_id == Printer.id).exists()
    free = (
        select(
            Printer.id.label("id"),
            printer_key.label("k"),
            sa.func.row_number()
            .over(partition_by=printer_key, order_by=(Printer.is_active.desc(), Printer.id))
            .label("rn"),
        )
        .where(has_serial(Printer.serial_number), ~held)
        .subquery("p")
    )
    query = (
        select(devices.c.id, devices.c.serial, sa.func.coalesce(counts.c.n, 0), free.c.id)
        .select_from(devices)
        .outerjoin(counts, counts.c.k == devices.c.k)
        .outerjoin(free, sa.and_(free.c.k == devices.c.k, free.c.rn == devices.c.rn))
        .order_by(devices.c.id)
    )
    return [tuple(row) for row in session.execute(query).all()]


def autolink_devices(session: Session, *, actor: Actor | None = None) -> dict[str, int]:
    """Daily batch (DOMAIN 9): each unlinked device with a serial gets the first printer with that serial (any
    activity state; active first, then lowest id) not linked yet. Two devices wanting the one free printer: the
    lower id gets it, the other is a conflict. The caller commits.

    Returns total / linked / not_found / multiple_found / conflicts / errors (a link the database refused, e.g. a
    printer linked by a concurrent save in between).
    """
    stats: Counter = Counter()
    pairs: list[tuple[int, str, int]] = []
    for device_id, serial, printers, printer_id in _link_candidates(session):
        stats["total"] += 1
        if printers == 0:
            stats["not_found"] += 1
            continue
        if printers > 1:
            stats["multiple_found"] += 1
        if printer_id is None:
            stats["conflicts"] += 1
        else:
            pairs.append((device_id, serial, printer_id))
    linked = _store_links(session, pairs, actor)
    stats["linked"] = len(linked)
    stats["errors"] = len(pairs) - len(linked)
    return {key: stats.get(key, 0) for key in STATS_KEYS}


def link_new_printer(session: Session, *, printer: Printer, actor: Actor | None = None) -> list[int]:
    """On a printer's creation (DOMAIN 9): link the unlinked devices carrying its serial, in the caller's transaction.

    A printer holds one device at most (the link is one-to-one), so "all the devices with that serial" is the first
    of them: the one in the printer's organization if there is one (a device moved between organizations keeps its
    serial in both), else the lowest id. Returns the ids of the devices linked (none or one).
    """
    key = serial_key(printer.serial_number)
    if not key or printer.id is None:
        return []
    if session.exec(select(ContractDevice.id).where(ContractDevice.printer_id == printer.id)).first():
        return []
    same_org = sa.case((ContractDevice.organization_id == printer.organization_id, 0), else_=1)
    row = session.exec(
        select(ContractDevice.id, ContractDevice.serial_number)
        .where(same_serial(ContractDevice.serial_number, printer.serial_number), ContractDevice.printer_id.is_(None))
        .order_by(same_org, ContractDevice.id)
    ).first()
    if row is None:
        return []
    return _store_links(session, [(row[0], row[1], printer.id)], actor)


def _store_links(session: Session, pairs: list[tuple[int, str, int]], actor: Actor | None) -> list[int]:
    """Write (device id, serial, printer id) links with their change-log rows in a savepoint; when the database
    refuses the lot, retry link by link so one refusal costs one link. Returns the device ids linked."""
    if not pairs:
        return []
    session.flush()
    _open_transaction(session)
    try:
        with session.begin_nested():
            _write(session, pairs, actor)
        done = [device_id for device_id, _serial, _printer in pairs]
    except IntegrityError:
        done = []
        for pair in pairs:
            try:
                with session.begin_nested():
                    _write(session, [pair], actor)
                done.append(pair[0])
            except IntegrityError:
                continue
    _refresh_loaded(session, done)
    if done:
        events.publish_after_commit(session, events.CONTRACTS_CHANGED, {"device_ids": done})
    return done


def _open_transaction(session: Session) -> None:
    """pysqlite opens its transaction lazily, at the first write: a SAVEPOINT issued before one would become the
    transaction itself and its RELEASE a commit the caller could no longer roll back. Open it first."""
    dbapi = session.connection().connection.dbapi_connection
    if isinstance(dbapi, sqlite3.Connection) and not dbapi.in_transaction:
        session.connection().exec_driver_sql("BEGIN")


def _write(session: Session, pairs: list[tuple[int, str, int]], actor: Actor | None) -> None:
    """Two executemany statements: the links (only where the device is still unlinked) and their audit rows."""
    now, actor = utcnow(), actor or Actor()
    table = ContractDevice.__table__
    result = session.connection().execute(
        table.update()
        .where(table.c.id == sa.bindparam("device_id"), table.c.printer_id.is_(None))
        .values(printer_id=sa.bindparam("printer_id"), updated_at=now),
        [{"device_id": d, "printer_id": p} for d, _s, p in pairs],
    )
    if session.get_bind().dialect.supports_sane_multi_rowcount and 0 <= result.rowcount < len(pairs):
        raise IntegrityError("link contract devices", None, ValueError("a device was linked concurrently"))
    session.connection().execute(
        EntityChangeLog.__table__.insert(),
        [
            {
                "object_type": ContractDevice.__tablename__,
                "object_id": d,
                "action": "update",
                "user_id": actor.user_id,
                "timestamp": now,
                "changes": {"printer_id": {"old": None, "new": p, "label": _LABEL}},
                "object_repr": f"ContractDevice {s}"[:500],
                "ip_address": actor.ip and actor.ip[:45],
                "user_agent": (actor.user_agent or "")[:500],
            }
            for d, s, p in pairs
        ],
    )


def _refresh_loaded(session: Session, device_ids: list[int]) -> None:
    """Devices this session already holds learn their new link (the links were written past the ORM)."""
    wanted = set(device_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ContractDevice) and obj.id in wanted:
            session.expire(obj, ["printer_id", "updated_at"])
