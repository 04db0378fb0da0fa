"""Phase 2 of a contracts import (DOMAIN 8.3): apply the decided rows in chunks, a refused chunk row by row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import EntityChangeLog
from printer_app.models.base import utcnow
from printer_app.models.choices import ImportRowClass, ImportSessionStatus
from printer_app.models.contracts import (
    City,
    ContractDevice,
    ContractImportFile,
    ContractImportRow,
    ContractImportSession,
)
from printer_app.services import events
from printer_app.services.audit import Actor, audit, diff, is_audited_field
from printer_app.services.contracts.import_lookups import Lookups, in_batches, name_key
from printer_app.services.contracts.import_queries import (
    apply_problems,
    missing_devices,
    to_apply_condition,
    unknown_city_names,
)
from printer_app.services.contracts.import_rows import IGNORED, ImportRefused, parse_service_month
from printer_app.services.serials import serial_key

CHUNK_SIZE = 200  # rows applied in one transaction


@dataclass
class _ApplyContext:
    lookups: Lookups
    present: dict[int, set[str]]  # file id -> the keys its header had
    status_id: int
    provider_id: int | None
    actor: Actor


@dataclass
class _ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row id, why)


_DEVICE = ContractDevice.__table__
_ROW = ContractImportRow.__table__
_LOG = EntityChangeLog.__table__
_AUDITED = tuple(c.name for c in _DEVICE.columns if is_audited_field(c.name))
_WRITTEN = tuple(c.name for c in _DEVICE.columns if c.name not in ("id", "created_at"))


def _device_log(ctx: _ApplyContext, state: dict[str, Any], action: str, changes: dict[str, Any], now) -> dict:
    """A change-log row as `audit.record_change` writes it, built as a plain dict for one bulk INSERT."""
    return {
        "object_type": _DEVICE.name,
        "object_id": state["id"],
        "action": action,
        "user_id": ctx.actor.user_id,
        "timestamp": now,
        "changes": changes,
        "object_repr": f"ContractDevice {state['serial_number']}"[:500],
        "ip_address": None,
        "user_agent": "",
    }


def _apply_chunk(session: Session, ctx: _ApplyContext, row_ids: Sequence[int]) -> _ChunkResult:
    """Create or update the devices of some rows in the caller's transaction (DOMAIN 8.3).

    Set-based: the rows and the stored devices with their serials are read with a few queries, the rows are
    applied to plain dicts in file order (a later row about the same device sees the earlier one's result), then
    the new devices, the changed devices, their change-log rows and the rows' applied flags are written with one
    bulk statement each.
    """
    result = _ChunkResult()
    now = utcnow()
    rows = {
        r.id: r
        for r in session.execute(
            select(
                ContractImportRow.id,
                ContractImportRow.file_id,
                ContractImportRow.values,
                ContractImportRow.row_class,
                ContractImportRow.device_id,
            ).where(ContractImportRow.id.in_(row_ids))
        ).all()
    }
    lookups = ctx.lookups
    keys = {serial_key(r.values.get("serial")) for r in rows.values()}
    device_ids = sorted({entry[0] for key in keys for entry in lookups.devices.get(key, ())})
    stored = [
        dict(m)
        for batch in in_batches(device_ids)
        for m in session.execute(select(_DEVICE).where(_DEVICE.c.id.in_(batch))).mappings()
    ]
    stored.sort(key=lambda d: d["id"])
    originals = {d["id"]: dict(d) for d in stored}
    by_serial: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for state in stored:
        by_serial[serial_key(state["serial_number"])].append(state)
    linked = dict(lookups.linked)
    for state in stored:
        if state["printer_id"] is not None:
            linked[state["printer_id"]] = state["id"]
    new_states: list[dict[str, Any]] = []
    applied: list[tuple[int, dict[str, Any]]] = []
    for rid in row_ids:
        row = rows.get(rid)
        if row is None:
            continue
        values = row.values
        key = serial_key(values.get("serial"))
        org_id = lookups.orgs.get(name_key(values.get("organization")))
        city_id = lookups.cities.get(name_key(values.get("city")))
        manufacturer_id = lookups.manufacturers.get(name_key(values.get("manufacturer")))
        model_id = lookups.models.get((manufacturer_id, name_key(values.get("model"))))
        if org_id is None or city_id is None or model_id is None:
            result.failed.append((rid, gettext("The organization, city or model of this row does not exist any more.")))
            continue
        candidates = by_serial[key]
        state = next((d for d in candidates if d["organization_id"] == org_id), None)
        if state is None and candidates and row.row_class in (ImportRowClass.MOVED, ImportRowClass.DUP_IN_FILE):
            state = next((d for d in candidates if d["id"] is not None and d["id"] == row.device_id), candidates[0])
        if state is None:
            state = {
                "id": None,
                "serial_number": values["serial"],
                "room_number": "",
                "service_provider_id": None,
                "service_start_month": None,
                "comment": "",
                "printer_id": None,
                "created_at": now,
            }
            candidates.append(state)
            new_states.append(state)
        state.update(
            organization_id=org_id,
            city_id=city_id,
            address=values.get("address", ""),
            device_model_id=model_id,
            status_id=ctx.status_id,
        )
        if "room" in ctx.present.get(row.file_id, ()):
            state["room_number"] = values.get("room", "")
        if serial_key(state["serial_number"]) != key:
            state["serial_number"] = values["serial"]
        month = parse_service_month(values.get("service_month"))
        if month is not None:
            state["service_start_month"] = month
        if ctx.provider_id is not None:
            state["service_provider_id"] = ctx.provider_id
        if state["printer_id"] is None:
            for pid in lookups.printers.get(key, ()):
                owner = linked.get(pid)
                if owner is None or (state["id"] is not None and owner == state["id"]):
                    state["printer_id"] = pid
                    linked[pid] = state["id"] if state["id"] is not None else -1
                    break
        applied.append((rid, state))

    logs: list[dict[str, Any]] = []
    if new_states:
        for state in new_states:
            state["updated_at"] = now
        # The ids come back unordered (an ordered RETURNING is one INSERT per row on SQLite); each new device is
        # the only one of its organization and exact serial in the chunk, so that pair finds its id.
        returned = session.execute(
            insert(_DEVICE).returning(_DEVICE.c.id, _DEVICE.c.organization_id, _DEVICE.c.serial_number),
            [{name: state[name] for name in (*_WRITTEN, "created_at")} for state in new_states],
        ).all()
        ids = {(org_id, serial): device_id for device_id, org_id, serial in returned}
        for state in new_states:
            state["id"] = ids[(state["organization_id"], state["serial_number"])]
            logs.append(_device_log(ctx, state, "create", diff({}, {k: state[k] for k in _AUDITED}), now))
        result.created = len(new_states)
    changed: list[dict[str, Any]] = []
    touched = {state["id"]: state for _rid, state in applied if state["id"] in originals}
    for device_id, state in touched.items():
        before = originals[device_id]
        changes = diff({k: before[k] for k in _AUDITED}, {k: state[k] for k in _AUDITED})
        if not changes:
            result.unchanged += 1
            continue
        state["updated_at"] = now
        changed.append({"b_id": device_id, **{f"v_{name}": state[name] for name in _WRITTEN}})
        logs.append(_device_log(ctx, state, "update", changes, now))
        result.updated += 1
    if changed:
        session.execute(
            update(_DEVICE)
            .where(_DEVICE.c.id == bindparam("b_id"))
            .values({name: bindparam(f"v_{name}") for name in _WRITTEN}),
            changed,
        )
    if logs:
        session.execute(insert(_LOG), logs)
    if applied:
        session.execute(
            update(_ROW).where(_ROW.c.id == bindparam("b_id")).values(applied=True, device_id=bindparam("v_device")),
            [{"b_id": rid, "v_device": state["id"]} for rid, state in applied],
        )
    for _rid, state in applied:  # the next chunks see these devices (a failed commit reloads the index)
        lookups.record(state["id"], state["organization_id"], state["printer_id"], serial_key(state["serial_number"]))
    return result


def apply_session(
    import_id: int,
    *,
    user_id: int | None,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict:
    """Apply an import (phase 2) in sessions of its own; returns {created, updated, unchanged, failed, total,
    missing_devices}.

    Refused (ImportRefused, nothing written) when `apply_problems` names a problem. The import is marked
    "applying" first (a second apply is refused), then each chunk of `chunk_size` rows is one transaction; a
    chunk the database refuses is retried row by row, each row alone, and the rows that still fail are counted
    as failed. After each chunk the import's progress is stored and `progress(done, total)` called (the caller
    publishes it). An unexpected error marks the import failed with its text and is raised again.
    """
    from printer_app.db import session_scope

    with session_scope(write=True) as session:
        imp = session.exec(
            select(ContractImportSession).where(ContractImportSession.id == import_id).with_for_update()
        ).first()
        if imp is None:
            raise ImportRefused(gettext("This import does not exist any more; start a new one."))
        problems = apply_problems(session, import_id)
        if problems:
            raise ImportRefused(" ".join(problems))
        row_ids = list(
            session.exec(
                select(ContractImportRow.id)
                .where(ContractImportRow.session_id == import_id, to_apply_condition())
                .order_by(ContractImportRow.file_id, ContractImportRow.row_number, ContractImportRow.id)
            ).all()
        )
        actor = Actor(user_id=user_id)
        if imp.create_cities:
            for name in unknown_city_names(session, import_id, to_apply_condition()):
                city = City(name=name)
                session.add(city)
                session.flush()
                audit(session, city, "create", actor)
        imp.status = ImportSessionStatus.APPLYING.value
        imp.progress_done = 0
        imp.progress_total = len(row_ids)
        imp.error = ""
        imp.updated_at = utcnow()
        session.add(imp)
        status_id, provider_id = imp.target_status_id, imp.service_provider_id
        present = {
            f.id: {k for k in f.headers if k != IGNORED}
            for f in session.exec(select(ContractImportFile).where(ContractImportFile.session_id == import_id)).all()
        }
    total = len(row_ids)
    if progress is not None:
        progress(0, total)
    try:
        with session_scope() as session:
            lookups = Lookups.load(session)
        ctx = _ApplyContext(lookups=lookups, present=present, status_id=status_id, provider_id=provider_id, actor=actor)
        stats = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0, "total": total}
        failures: list[dict[str, Any]] = []
        done = 0
        for chunk in in_batches(row_ids, max(1, chunk_size)):
            outcomes: list[_ChunkResult] = []
            done += len(chunk)
            try:
                with session_scope(write=True) as session:
                    outcomes.append(_apply_chunk(session, ctx, chunk))
                    _store_progress(session, import_id, done)  # in the chunk's own transaction
            except SQLAlchemyError:
                outcomes = []
                ctx.lookups = _reload(ctx.lookups)
                for rid in chunk:
                    try:
                        with session_scope(write=True) as session:
                            outcomes.append(_apply_chunk(session, ctx, [rid]))
                    except SQLAlchemyError as exc:
                        ctx.lookups = _reload(ctx.lookups)
                        outcomes.append(_ChunkResult(failed=[(rid, _db_message(exc))]))
                with session_scope(write=True) as session:
                    _store_progress(session, import_id, done)
            for outcome in outcomes:
                stats["created"] += outcome.created
                stats["updated"] += outcome.updated
                stats["unchanged"] += outcome.unchanged
                stats["failed"] += len(outcome.failed)
                failures.extend({"row_id": rid, "error": why} for rid, why in outcome.failed)
            if progress is not None:
                progress(done, total)
        with session_scope(write=True) as session:
            stats["missing_devices"] = len(missing_devices(session, import_id, applied_only=True))
            imp = session.get(ContractImportSession, import_id)
            imp.status = ImportSessionStatus.APPLIED.value
            imp.stats = {**stats, "failures": failures[:200]}
            imp.progress_done = total
            imp.applied_at = utcnow()
            imp.updated_at = imp.applied_at
            session.add(imp)
            events.publish_after_commit(session, events.CONTRACTS_CHANGED, {"all": True})
        return stats
    except Exception as exc:
        with session_scope(write=True) as session:
            session.execute(
                update(ContractImportSession)
                .where(ContractImportSession.id == import_id)
                .values(status=ImportSessionStatus.FAILED.value, error=str(exc)[:2000], updated_at=utcnow())
            )
        raise


def _store_progress(session: Session, import_id: int, done: int) -> None:
    session.execute(
        update(ContractImportSession)
        .where(ContractImportSession.id == import_id)
        .values(progress_done=done, updated_at=utcnow())
    )


def _reload(lookups: Lookups) -> Lookups:
    """Fresh reference data after a rolled-back chunk (its new cities, links, ... were not stored)."""
    from printer_app.db import session_scope

    with session_scope() as session:
        return Lookups.load(session)


def _db_message(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return " ".join(str(original or exc).split())[:300]
