"""Contract import, phase 2 (DOMAIN 8.3): decisions, options, apply in chunks, idempotency, missing devices.

`apply_session` opens its own sessions through the app's engine (`app_database` points it at the test database);
the test's session reads what it wrote.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, event, text
from sqlmodel import Session, func, select

from printer_app.models import EntityChangeLog, Organization
from printer_app.models.contracts import City, ContractDevice, ContractImportRow, ContractImportSession
from printer_app.services import events
from printer_app.services.contracts import importing
from printer_app.services.contracts.importing import ImportRefused
from tests.factories import make_contract_device, make_org, make_printer
from tests.integration.contract_import_fixtures import (  # noqa: F401
    Reference,
    app_database_fixture,
    reference_fixture,
    row,
    xlsx,
)

pytestmark = pytest.mark.usefixtures("app_database")


def _prepare(session: Session, ref: Reference, *files: bytes, provider: bool = True, cities: bool = False) -> int:
    imp = importing.open_session(session, user_id=None)
    for n, data in enumerate(files):
        importing.add_workbook(session, imp.id, f"file{n}.xlsx", data)
    importing.set_options(
        session,
        imp.id,
        target_status_id=ref.status.id,
        service_provider_id=ref.provider.id if provider else None,
        create_cities=cities,
    )
    session.commit()
    return imp.id


def _rows(session: Session, import_id: int) -> list[ContractImportRow]:
    session.expire_all()
    return session.exec(
        select(ContractImportRow)
        .where(ContractImportRow.session_id == import_id)
        .order_by(ContractImportRow.row_number)
    ).all()


def _device(session: Session, serial: str, org: Organization | None = None) -> ContractDevice:
    session.expire_all()
    query = select(ContractDevice).where(ContractDevice.serial_number == serial)
    if org is not None:
        query = query.where(ContractDevice.organization_id == org.id)
    return session.exec(query).one()


def _log_count(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(EntityChangeLog).where(EntityChangeLog.object_type == "contractdevice")
    ).one()


def test_apply_writes_the_rows_to_apply_and_logs_each(session: Session, reference: Reference) -> None:
    ref = reference
    printer = make_printer(session, serial_number="SN-NEW")
    match = make_contract_device(
        session, organization=ref.alpha, serial_number="SN-MATCH", address="old", comment="kept", city_id=ref.irkutsk.id
    )
    moved = make_contract_device(session, organization=ref.beta, serial_number="SN-MOVED", address="there")
    pending = make_contract_device(session, organization=ref.beta, serial_number="SN-PENDING")
    session.commit()
    data = xlsx(
        [
            row("SN-NEW", month="2024-05-17", comment="never written"),
            row("SN-MATCH", address="ул. Новая, 2", room="", month="нет"),
            row("SN-MOVED"),
            row("SN-PENDING"),
            row("SN-DUP"),
            row("SN-DUP", address="другой адрес"),
            row("SN-SKIP"),
            row("SN-ERR", maker="Canon"),
        ]
    )
    import_id = _prepare(session, ref, data)
    rows = {r.values["serial"] + ("/2" if r.row_number == 7 else ""): r for r in _rows(session, import_id)}
    assert rows["SN-MOVED"].row_class == "MOVED"
    importing.set_decision(session, import_id, [rows["SN-MOVED"].id], "apply")
    importing.set_decision(session, import_id, [rows["SN-SKIP"].id, rows["SN-ERR"].id], "skip")
    session.commit()
    assert importing.apply_problems(session, import_id) == []
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    progress: list[tuple[int, int]] = []
    try:
        stats = importing.apply_session(import_id, user_id=None, progress=lambda d, t: progress.append((d, t)))
    finally:
        unsubscribe()

    assert stats == {"created": 1, "updated": 2, "unchanged": 0, "failed": 0, "total": 3, "missing_devices": 0}
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)
    assert (events.CONTRACTS_CHANGED, {"all": True}) in seen
    new = _device(session, "SN-NEW")
    assert (new.organization_id, new.city_id, new.address, new.room_number) == (
        ref.alpha.id,
        ref.irkutsk.id,
        "ул. Ленина, 1",
        "101",
    )
    assert (new.device_model_id, new.status_id, new.service_provider_id) == (
        ref.m404.id,
        ref.status.id,
        ref.provider.id,
    )
    assert new.service_start_month == date(2024, 5, 1)
    assert new.printer_id == printer.id
    assert new.comment == ""
    updated = _device(session, "SN-MATCH")
    assert updated.id == match.id
    assert (updated.address, updated.room_number, updated.comment) == ("ул. Новая, 2", "", "kept")
    assert updated.service_start_month is None  # an unreadable month leaves the stored one
    assert _device(session, "SN-MOVED").id == moved.id
    assert _device(session, "SN-MOVED").organization_id == ref.alpha.id
    assert _device(session, "SN-PENDING").organization_id == ref.beta.id  # MOVED without "apply": untouched
    assert _device(session, "SN-PENDING").id == pending.id
    assert not session.exec(select(ContractDevice).where(ContractDevice.serial_number.in_(["SN-DUP", "SN-SKIP"]))).all()

    imp = session.get(ContractImportSession, import_id)
    assert (imp.status, imp.progress_done, imp.progress_total) == ("applied", 3, 3)
    assert imp.applied_at is not None and imp.stats["created"] == 1
    assert sorted(r.values["serial"] for r in _rows(session, import_id) if r.applied) == [
        "SN-MATCH",
        "SN-MOVED",
        "SN-NEW",
    ]
    logs = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "contractdevice")).all()
    assert sorted((log.object_id, log.action) for log in logs) == sorted(
        [(new.id, "create"), (match.id, "update"), (moved.id, "update")]
    )
    moved_log = next(log for log in logs if log.object_id == moved.id)
    assert moved_log.changes["organization_id"] == {"old": ref.beta.id, "new": ref.alpha.id, "label": "Organization id"}


def test_apply_twice_is_refused_and_the_same_file_again_changes_nothing(session: Session, reference: Reference) -> None:
    data = xlsx([row("SN-1"), row("SN-2", room=12.0, month=date(2023, 1, 9)), row("sn-3 ")])
    first = _prepare(session, reference, data)
    assert importing.apply_session(first, user_id=None)["created"] == 3
    logged = _log_count(session)
    with pytest.raises(ImportRefused, match="already been applied"):
        importing.apply_session(first, user_id=None)

    second = _prepare(session, reference, data)
    assert set(importing.class_counts(session, second).items()) >= {("MATCH", 3), ("NEW", 0)}
    stats = importing.apply_session(second, user_id=None)
    assert stats == {"created": 0, "updated": 0, "unchanged": 3, "failed": 0, "total": 3, "missing_devices": 0}
    assert _log_count(session) == logged
    assert session.exec(select(func.count()).select_from(ContractDevice)).one() == 3


def test_stored_values_compare_equal_to_the_applied_rows(session: Session, reference: Reference) -> None:
    data = xlsx([row("SN-1", room=7.0, month="2024-02-02", comment="")])
    import_id = _prepare(session, reference, data)
    importing.apply_session(import_id, user_id=None)
    [applied] = _rows(session, import_id)
    stored = importing.stored_values(session, [applied.device_id])[applied.device_id]
    assert stored == {**applied.values, "organization": "Alpha", "model": "LaserJet M404", "manufacturer": "HP"}


def test_without_a_provider_the_devices_keep_theirs(session: Session, reference: Reference) -> None:
    make_contract_device(
        session, organization=reference.alpha, serial_number="SN-1", service_provider_id=reference.provider.id
    )
    session.commit()
    import_id = _prepare(session, reference, xlsx([row("SN-1"), row("SN-2")]), provider=False)
    importing.apply_session(import_id, user_id=None)
    assert _device(session, "SN-1").service_provider_id == reference.provider.id
    assert _device(session, "SN-2").service_provider_id is None


def test_a_printer_linked_to_another_device_is_not_taken(session: Session, reference: Reference) -> None:
    printer = make_printer(session, serial_number="SN-P")
    other = make_contract_device(session, organization=reference.beta, serial_number="elsewhere", printer_id=printer.id)
    session.commit()
    import_id = _prepare(session, reference, xlsx([row("SN-P")]))
    assert importing.apply_session(import_id, user_id=None)["created"] == 1
    assert _device(session, "SN-P").printer_id is None
    assert session.get(ContractDevice, other.id).printer_id == printer.id


def test_apply_problems(session: Session, reference: Reference) -> None:
    imp = importing.open_session(session, user_id=None)
    importing.add_workbook(session, imp.id, "a.xlsx", xlsx([row("SN-1", city="Ангарск"), row("SN-2", city="ангарск ")]))
    session.commit()
    problems = importing.apply_problems(session, imp.id)
    assert problems == [
        "Choose the status the devices get.",
        "Unknown cities: Ангарск. Confirm that they are to be created.",
    ]
    assert importing.unknown_cities(session, imp.id) == ["Ангарск"]
    with pytest.raises(ImportRefused, match="Choose the status"):
        importing.apply_session(imp.id, user_id=None)
    assert session.exec(select(func.count()).select_from(ContractDevice)).one() == 0

    importing.set_options(
        session, imp.id, target_status_id=reference.status.id, service_provider_id=None, create_cities=True
    )
    importing.set_class_decision(session, imp.id, "NEW", "skip")
    session.commit()
    assert importing.apply_problems(session, imp.id) == ["Nothing to apply: no row is valid and decided to be applied."]
    assert importing.unknown_cities(session, imp.id) == []

    importing.set_class_decision(session, imp.id, "NEW", "pending")
    session.commit()
    assert importing.apply_problems(session, imp.id) == []
    assert importing.apply_session(imp.id, user_id=None)["created"] == 2
    [city] = session.exec(select(City).where(City.name == "Ангарск")).all()
    assert {d.city_id for d in session.exec(select(ContractDevice)).all()} == {city.id}
    assert (
        session.exec(
            select(func.count()).select_from(EntityChangeLog).where(EntityChangeLog.object_type == "city")
        ).one()
        == 1
    )
    assert importing.apply_problems(session, imp.id) == ["This import has already been applied; start a new one."]
    with pytest.raises(ImportRefused, match="already been applied"):
        importing.add_workbook(session, imp.id, "b.xlsx", xlsx([row("SN-3")]))


def test_decisions(session: Session, reference: Reference) -> None:
    make_contract_device(session, organization=reference.beta, serial_number="SN-M")
    session.commit()
    import_id = _prepare(session, reference, xlsx([row("SN-M"), row("SN-D"), row("SN-D"), row("SN-E", org="")]))
    rows = _rows(session, import_id)
    assert importing.set_decision(session, import_id, [r.id for r in rows], "apply") == 3  # not the ERROR row
    with pytest.raises(ImportRefused, match="Unknown decision"):
        importing.set_decision(session, import_id, [rows[0].id], "maybe")
    with pytest.raises(ImportRefused):
        importing.set_class_decision(session, import_id, "ERROR", "apply")
    assert importing.set_class_decision(session, import_id, "DUP_IN_FILE", "skip") == 2
    session.commit()
    assert [r.decision for r in _rows(session, import_id)] == ["apply", "skip", "skip", "pending"]
    assert importing.apply_session(import_id, user_id=None) == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "failed": 0,
        "total": 1,
        "missing_devices": 0,
    }


def test_dup_rows_applied_explicitly_end_as_one_device(session: Session, reference: Reference) -> None:
    import_id = _prepare(session, reference, xlsx([row("SN-D", address="first"), row("sn-d", address="second")]))
    importing.set_class_decision(session, import_id, "DUP_IN_FILE", "apply")
    session.commit()
    stats = importing.apply_session(import_id, user_id=None)
    assert (stats["created"], stats["failed"], stats["total"]) == (1, 0, 2)
    [device] = session.exec(select(ContractDevice)).all()
    assert device.address == "second"


def test_a_chunk_the_database_refuses_is_retried_row_by_row(session: Session, reference: Reference) -> None:
    gone = make_org(session, name="Gone")
    session.commit()
    serials = [f"SN-{n}" for n in range(1, 9)]
    rows = [row(s, org="Gone" if s == "SN-5" else "Alpha") for s in serials]
    import_id = _prepare(session, reference, xlsx(rows))
    progress: list[int] = []

    def delete_the_organization_after_the_first_chunk(done: int, total: int) -> None:
        progress.append(done)
        if done == 3:  # rows 4-6 are the next chunk: its row of "Gone" now breaks a foreign key
            with Session(session.get_bind()) as other:
                other.execute(delete(Organization).where(Organization.id == gone.id))
                other.commit()

    stats = importing.apply_session(
        import_id, user_id=None, progress=delete_the_organization_after_the_first_chunk, chunk_size=3
    )
    assert progress == [0, 3, 6, 8]
    assert (stats["created"], stats["failed"], stats["total"]) == (7, 1, 8)
    stored = sorted(d.serial_number for d in session.exec(select(ContractDevice)).all())
    assert stored == [s for s in serials if s != "SN-5"]
    imp = session.get(ContractImportSession, import_id)
    assert imp.status == "applied"
    [failure] = imp.stats["failures"]
    assert failure["row_id"] == next(r.id for r in _rows(session, import_id) if r.values["serial"] == "SN-5")
    assert not next(r for r in _rows(session, import_id) if r.values["serial"] == "SN-5").applied
    assert _log_count(session) == 7


def test_missing_devices_and_their_workbook(session: Session, reference: Reference) -> None:
    make_contract_device(session, organization=reference.alpha, serial_number="SN-1")
    left = make_contract_device(
        session,
        organization=reference.alpha,
        serial_number="=cmd|' /C calc'!A0",
        address="ул. Старая",
        status_id=reference.other_status.id,
    )
    make_contract_device(session, organization=reference.beta, serial_number="SN-B")  # Beta is not in the file
    session.commit()
    import_id = _prepare(session, reference, xlsx([row("SN-1"), row("SN-2")]))
    assert [d.id for d in importing.missing_devices(session, import_id)] == [left.id]  # the preview's view
    stats = importing.apply_session(import_id, user_id=None)
    assert stats["missing_devices"] == 1
    assert [d.id for d in importing.missing_devices(session, import_id)] == [left.id]

    book = load_workbook(io.BytesIO(importing.missing_devices_xlsx(session, import_id)))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [
        "Организация",
        "Город",
        "Адрес",
        "№ кабинета",
        "Производитель",
        "Модель оборудования",
        "Серийный номер",
        "Месяц обслуживания",
        "Статус",
    ]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == [
        "Alpha",
        None,
        "ул. Старая",
        None,
        None,
        None,
        "=cmd|' /C calc'!A0",
        None,
        "Снят",
    ]
    assert sheet["G2"].data_type == "s"  # text, not a formula
    assert sheet.max_row == 2


def test_an_unexpected_failure_marks_the_import_failed(session: Session, reference: Reference) -> None:
    import_id = _prepare(session, reference, xlsx([row("SN-1")]))

    def boom(done: int, total: int) -> None:
        if done:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        importing.apply_session(import_id, user_id=None, progress=boom)
    session.expire_all()
    imp = session.get(ContractImportSession, import_id)
    assert (imp.status, imp.error) == ("failed", "the worker was stopped")
    assert session.execute(text("SELECT count(*) FROM contractdevice")).scalar() == 1  # the chunk itself committed
    with pytest.raises(ImportRefused, match="failed while being applied"):
        importing.add_workbook(session, import_id, "more.xlsx", xlsx([row("SN-2")]))
    session.rollback()
    again = importing.apply_session(import_id, user_id=None)  # applied again: what the first run wrote is unchanged
    assert (again["created"], again["unchanged"]) == (0, 1)
    session.expire_all()
    assert session.get(ContractImportSession, import_id).status == "applied"


def test_a_cyrillic_serial_in_another_case_updates_the_stored_device(session: Session, reference: Reference) -> None:
    stored = make_contract_device(session, organization=reference.alpha, serial_number="СЕР-1", address="old")
    session.commit()
    import_id = _prepare(session, reference, xlsx([row("сер-1", address="new")]))
    assert importing.apply_session(import_id, user_id=None)["updated"] == 1
    assert [(d.id, d.address) for d in session.exec(select(ContractDevice)).all()] == [(stored.id, "new")]


def _statements(session: Session) -> list[str]:
    """Every statement the app's engines run while the returned list is being filled."""
    from printer_app.db import get_engine

    seen: list[str] = []
    for engine in {get_engine(), get_engine(write=True), session.get_bind()}:
        event.listen(engine, "before_cursor_execute", lambda *a, seen=seen: seen.append(a[2]))
    return seen


def test_analysis_and_apply_do_not_query_per_row(session: Session, reference: Reference) -> None:
    """Ten times the rows, about the same number of statements: lookups and writes are set-based."""
    counts = []
    for n in (20, 200):
        make_contract_device(session, organization=reference.alpha, serial_number=f"OLD-{n}")
        session.commit()
        rows = [row(f"R{n}-{i}") for i in range(n)] + [row(f"OLD-{n}")]
        seen = _statements(session)
        import_id = _prepare(session, reference, xlsx(rows))
        analysed = len(seen)
        stats = importing.apply_session(import_id, user_id=None)
        assert (stats["created"], stats["updated"]) == (n, 1)
        counts.append((analysed, len(seen) - analysed))
    (small_analysis, small_apply), (big_analysis, big_apply) = counts
    assert big_analysis <= small_analysis + 5, counts
    assert big_apply <= small_apply + 5, (counts, seen[-60:])
