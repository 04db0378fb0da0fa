"""The contract import page's state, called as a signed-in tab calls it: real xlsx uploads built with openpyxl, the
preview, decisions, options, Apply's refusals, the apply actor run as the embedded worker runs it, permissions."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import reflex as rx
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, func, select

from printer_app.models import ContractDevice
from printer_app.models.contracts import (
    City,
    ContractImportFile,
    ContractImportSession,
    ContractStatus,
    ServiceProvider,
)
from printer_app.services import events
from printer_app.state.contracts.contract_import import ContractImportState as S
from tests.factories import make_contract_device, make_model, make_org
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, signed_in, tab  # noqa: F401

HEADER = ["№", "Организация", "Город", "Адрес", "Производитель", "Модель", "Серийный номер", "Примечание склада"]
PATH = "/contracts/import"


def xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name))


@pytest.fixture
def reference(session: Session) -> dict:
    """Two organizations, a model, a city, a status, a provider; a device of Alpha (matched) and one of Beta
    (moved to Alpha by the files)."""
    alpha, beta = make_org(session, name="Alpha"), make_org(session, name="Beta")
    model = make_model(session, "HP", "M404")
    city = City(name="Moscow")
    status = ContractStatus(name="In service", color="#2e7d32")
    provider = ServiceProvider(name="Tonex", code="tonex")
    session.add_all([city, status, provider])
    session.flush()
    make_contract_device(
        session,
        organization=alpha,
        city_id=city.id,
        address="Old street 1",
        device_model_id=model.id,
        serial_number="S-MATCH",
    )
    make_contract_device(
        session,
        organization=beta,
        city_id=city.id,
        address="Beta street",
        device_model_id=model.id,
        serial_number="S-MOVED",
    )
    session.commit()
    return {"status": status.id, "provider": provider.id}


FIRST = [
    [1, "Alpha", "Moscow", "New street 5", "HP", "M404", "S-NEW1", "x"],
    [2, "Alpha", "Moscow", "Old street 1", "HP", "M404", "S-MATCH", ""],
    [3, "Alpha", "Moscow", "Alpha street", "HP", "M404", "S-MOVED", ""],
    [4, "Alpha", "Tver", "Tver street", "HP", "M404", "S-NEW2", ""],
]
SECOND = [
    [1, "Alpha", "Moscow", "Street 9", "HP", "X999", "S-ERR", ""],  # unknown model
    [2, "Alpha", "Moscow", "Street 10", "HP", "M404", "S-DUP", ""],
    [3, "Alpha", "Moscow", "Street 11", "HP", "M404", "S-DUP", ""],
]


def _counts(state) -> dict[str, int]:
    return {c.value: c.count for c in state.chips}


@pytest.fixture
def published() -> Iterator[list[tuple[str, dict]]]:
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    yield seen
    unsubscribe()


@pytest.fixture
def embedded_broker() -> Iterator[None]:
    from workers.broker import broker

    broker.flush_all()
    yield
    broker.flush_all()


def test_upload_preview_decide_and_apply(
    signed_in: str,  # noqa: F811
    session: Session,
    reference: dict,
    published: list,
    embedded_broker: None,
) -> None:
    from workers import actors

    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    assert state.access == "ok" and state.import_id == 0 and state.files == []
    assert [name for _, name in state.status_options] == ["In service"]

    run_handler(S.upload_progress, state, {"loaded": 5, "total": 10, "progress": 0.5})
    assert state.uploading and state.upload_percent == 50
    run_handler(S.upload_progress, state, {"progress": "forged"})
    assert state.upload_percent == 0
    run_handler(S.upload, state, [upload("first.xlsx", xlsx(FIRST)), upload("second.xlsx", xlsx(SECOND))])
    assert not state.uploading and state.reading == ""
    assert state.import_id and [f.name for f in state.files] == ["first.xlsx", "second.xlsx"]
    first = state.files[0]
    assert first.rows == "4 rows" and "Серийный номер → Serial" in first.recognised
    assert first.ignored == ["Примечание склада"]
    assert _counts(state) == {"all": 7, "ERROR": 1, "NEW": 2, "MATCH": 1, "MOVED": 1, "DUP_IN_FILE": 2}
    assert state.unknown_cities == ["Tver"]

    late_header = xlsx([HEADER, *FIRST], header=["Список устройств"])  # the header on row 2
    run_handler(
        S.upload, state, [upload("notes.xlsx", b"this is a text file, renamed"), upload("late.xlsx", late_header)]
    )
    assert [r.split(": ")[0] for r in state.refusals] == ["notes.xlsx", "late.xlsx"]
    assert "first row" in state.refusals[1]
    assert [f.name for f in state.files] == ["first.xlsx", "second.xlsx"]  # nothing stored of it
    assert session.exec(select(func.count()).select_from(ContractImportFile)).one() == 2

    run_handler(S.upload, state, [upload("third.xlsx", xlsx(FIRST[:1]))])  # S-NEW1 again: two duplicates now
    assert _counts(state)["DUP_IN_FILE"] == 4 and len(state.files) == 3
    run_handler(S.remove_file, state, state.files[2].id)
    assert [f.name for f in state.files] == ["first.xlsx", "second.xlsx"] and _counts(state)["NEW"] == 2

    run_handler(S.set_filter, state, "row_class", "no such class")
    assert state.total == 7
    run_handler(S.set_filter, state, "row_class", "ERROR")
    (error,) = state.rows
    assert error.errors == ["Model “X999” of “HP” is not in the reference data"] and error.effective == ""
    run_handler(S.set_filter, state, "row_class", "MATCH")
    (match,) = state.rows
    assert [c.key for c in match.cells if c.changed] == []  # same values as stored
    run_handler(S.set_filter, state, "row_class", "MOVED")
    (moved,) = state.rows
    changed = {c.key: (c.value, c.stored) for c in moved.cells if c.changed}
    assert changed == {"organization": ("Alpha", "Beta"), "address": ("Alpha street", "Beta street")}
    assert moved.waiting and moved.effective == ""
    run_handler(S.decide, state, moved.id, "apply")
    assert state.rows[0].effective == "apply" and not state.rows[0].waiting
    assert "Not a choice" in repr(run_handler(S.decide, state, moved.id, "delete"))

    run_handler(S.set_bulk_class, state, "DUP_IN_FILE")
    run_handler(S.decide_class, state, "skip")
    run_handler(S.set_filter, state, "row_class", "DUP_IN_FILE")
    assert [r.effective for r in state.rows] == ["skip", "skip"]

    run_handler(S.apply, state)  # no status chosen, an unknown city not confirmed
    assert any("status" in p for p in state.problems) and state.status == "open"
    run_handler(S.set_target_status, state, str(reference["status"]))
    run_handler(S.set_provider, state, str(reference["provider"]))
    run_handler(S.apply, state)
    assert state.problems == ["Unknown cities: Tver. Confirm that they are to be created."]
    run_handler(S.set_create_cities, state, True)
    assert state.create_cities and state.problems == []

    run_handler(S.apply, state)
    assert state.status == "applying" and state.problems == []
    other = tab(S, signed_in, PATH)  # a second tab of the same user finds the session and cannot apply it again
    run_handler(S.load, other)
    assert other.import_id == state.import_id
    assert "being applied already" in repr(run_handler(S.apply, other))

    actors.apply_contract_import.fn(state.import_id, None)  # as the embedded worker runs the queued message
    progress = [p for kind, p in published if kind == events.CONTRACT_IMPORT_PROGRESS]
    assert progress[0] == {"import_id": state.import_id, "done": 0, "total": 4, "status": "applying"}
    assert progress[-1] == {"import_id": state.import_id, "done": 4, "total": 4, "status": "applied", "refused": ""}

    run_handler(S.load, other)  # after a reload: the outcome
    assert other.finished and other.stats["created"] == 2 and other.stats["updated"] == 2 and other.stats["total"] == 4
    assert "Created 2, updated 2" in other.stats_text
    session.expire_all()
    devices = {d.serial_number: d for d in session.exec(select(ContractDevice)).all()}
    assert set(devices) == {"S-NEW1", "S-NEW2", "S-MATCH", "S-MOVED"}
    assert devices["S-MOVED"].address == "Alpha street" and devices["S-NEW2"].status_id == reference["status"]
    download = run_handler(S.download_missing, other)
    assert "missing_devices_" in repr(download) and ".xlsx" in repr(download)

    run_handler(S.apply, other)  # applied: nothing to do
    assert other.problems and "already been applied" in other.problems[0]
    run_handler(S.new_session, other)
    assert other.import_id > state.import_id and other.files == [] and other.editable


def test_the_missing_devices_report_opens(signed_in: str, session: Session, reference: dict) -> None:  # noqa: F811
    from printer_app.services.contracts.importing import missing_devices_xlsx

    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    run_handler(S.upload, state, [upload("one.xlsx", xlsx(FIRST[:1]))])
    run_handler(S.set_target_status, state, str(reference["status"]))
    from workers import actors

    actors.apply_contract_import.fn(state.import_id, None)
    book = load_workbook(io.BytesIO(missing_devices_xlsx(session, state.import_id)))
    serials = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert "S-MATCH" in serials  # Alpha's device the file did not mention


def test_without_the_import_permission_nothing_is_read_or_stored(session: Session, app_db: str) -> None:  # noqa: F811
    editor = session_cookie(session, username="editor", groups=("Contracts — Editor",))
    state = tab(S, editor, PATH)
    run_handler(S.load, state)
    assert state.access == "denied" and state.import_id == 0
    refused = run_handler(S.upload, state, [upload("first.xlsx", xlsx(FIRST))])
    assert "Not allowed" in repr(refused)
    for handler, args in ((S.apply, ()), (S.new_session, ()), (S.decide, (1, "apply")), (S.download_missing, ())):
        assert "Not allowed" in repr(run_handler(handler, state, *args))
    assert session.exec(select(func.count()).select_from(ContractImportSession)).one() == 0


def test_every_row_code_reads_as_words_in_both_languages() -> None:
    from printer_app.i18n import use_language
    from printer_app.services.contracts.import_preview import describe
    from printer_app.services.contracts.importing import ERROR_CODES, WARNING_CODES

    values = {"model": "X1", "manufacturer": "HP", "organization": "Alpha", "city": "Tver", "service_month": "13.2026"}
    assert describe("UNKNOWN_MODEL", values) == "Model “X1” of “HP” is not in the reference data"
    with use_language("ru"):
        assert describe("UNKNOWN_MODEL", values) == "Модели «X1» производителя «HP» нет в справочнике"
        assert describe("NEW_CITY", values).startswith("Город «Tver» новый")
        words = {code: describe(code, values) for code in (*ERROR_CODES, *WARNING_CODES)}
    assert all(text != code and not text.isascii() for code, text in words.items())  # every code translated
    assert describe("SOMETHING_NEW", values) == "SOMETHING_NEW"


def test_an_apply_the_worker_refuses_says_why_and_frees_the_session(
    signed_in: str,  # noqa: F811
    session: Session,
    reference: dict,
    published: list,
    embedded_broker: None,
) -> None:
    """The page checked, then something changed (here: no status chosen, the page's check bypassed): the worker
    writes nothing, publishes why, and the next apply of the session may be queued."""
    from workers import actors, coordination, jobs

    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    run_handler(S.upload, state, [upload("first.xlsx", xlsx(FIRST[:2]))])
    jobs.apply_contract_import(state.import_id, None)
    with pytest.raises(jobs.ImportApplying):
        jobs.apply_contract_import(state.import_id, None)
    actors.apply_contract_import.fn(state.import_id, None)
    (outcome,) = [p for kind, p in published if kind == events.CONTRACT_IMPORT_PROGRESS]
    assert outcome["status"] == "open" and "Choose the status" in outcome["refused"]
    assert session.exec(select(func.count()).select_from(ContractDevice)).one() == 2  # the reference devices only
    jobs.apply_contract_import(state.import_id, None)  # queued again: the claim was released
    coordination.release_import(state.import_id)  # (that message is never run: free the session for other tests)


def test_a_tab_shows_the_latest_progress_of_its_own_session_only() -> None:
    from printer_app.state.contracts.import_apply import _latest

    kind = events.CONTRACT_IMPORT_PROGRESS
    batch = [
        (kind, {"import_id": 7, "done": 200, "total": 450, "status": "applying"}),
        (events.INVENTORY_UPDATE, {"printer_id": 1}),
        (kind, {"import_id": 8, "done": 400, "total": 450, "status": "applying"}),
        (kind, {"import_id": 7, "done": 450, "total": 450, "status": "applied"}),
        (kind, {"import_id": 7, "done": 400, "total": 450, "status": "applying"}),  # arrived late
    ]
    assert _latest(batch, 7) == {"import_id": 7, "done": 450, "total": 450, "status": "applied"}
    assert _latest(batch[:3], 8)["done"] == 400 and _latest(batch, 9) is None


def test_another_tab_follows_the_progress_and_shows_the_outcome(
    signed_in: str,  # noqa: F811
    reference: dict,
    embedded_broker: None,
) -> None:
    """A tab's listener (its background handler, on a state manager as Reflex runs it) shows the progress that the
    live updates bring, and the outcome read from the database when the apply (run by the worker) has finished."""
    import asyncio
    import secrets

    from reflex.istate.manager.memory import StateManagerMemory
    from reflex.istate.manager.token import BaseStateToken
    from reflex.istate.proxy import StateProxy
    from reflex_base.event.context import EventContext

    from printer_app.state.live.hub import hub
    from tests.integration.state_fixtures import _router_data
    from workers import actors

    starter = tab(S, signed_in, PATH)
    run_handler(S.load, starter)
    run_handler(S.upload, starter, [upload("first.xlsx", xlsx(FIRST[:2]))])
    run_handler(S.set_target_status, starter, str(reference["status"]))
    import_id = starter.import_id

    async def scenario() -> dict:
        async def ignore(*_args, **_kwargs) -> None:
            return None

        loop = asyncio.get_running_loop()
        manager, token = StateManagerMemory(), "tab-" + secrets.token_hex(6)
        context = EventContext(
            token=token, state_manager=manager, enqueue_impl=ignore, emit_delta_impl=ignore, emit_event_impl=ignore
        )
        state_token = BaseStateToken(ident=token, cls=S)
        unsubscribe = events.subscribe(lambda kind, payload: loop.call_soon_threadsafe(hub.dispatch, kind, payload))

        async def shown() -> dict:
            async with manager.modify_state(state_token) as root:
                state = await root.get_state(S)
                return {"status": state.status, "done": state.done, "total": state.progress_total, **state.stats}

        async def until(wanted, what: str, nudge=None) -> dict:
            for _ in range(400):
                if nudge is not None:
                    nudge()
                if wanted(now := await shown()):
                    return now
                await asyncio.sleep(0.05)
            raise AssertionError(f"the tab never showed {what}: {now} {task.done() and task.exception()!r}")

        try:
            with context:
                async with manager.modify_state(state_token) as root:
                    root.router_data = _router_data(signed_in, PATH)
                    root.router = type(root.router).from_router_data(root.router_data)
                    state = await root.get_state(S)
                    state.import_id, state.status = import_id, "open"

                task = asyncio.create_task(S.listen.fn(StateProxy(state)))
                progress = {"import_id": import_id, "done": 1, "total": 2, "status": "applying"}
                midway = await until(  # sent until the listener, attaching now, receives one
                    lambda s: s["status"] == "applying",
                    "the progress",
                    nudge=lambda: events.publish(events.CONTRACT_IMPORT_PROGRESS, progress),
                )
                assert (midway["done"], midway["total"]) == (1, 2)
                await asyncio.to_thread(actors.apply_contract_import.fn, import_id, None)
                outcome = await until(lambda s: s["status"] == "applied", "the outcome")
                task.cancel()
                return outcome
        finally:
            unsubscribe()
            await manager.close()

    outcome = asyncio.run(scenario())
    assert outcome["created"] == 1 and outcome["updated"] == 1 and outcome["done"] == outcome["total"] == 2


def test_a_failed_apply_is_shown_and_can_be_applied_again(
    signed_in: str,  # noqa: F811
    session: Session,
    reference: dict,
    embedded_broker: None,
) -> None:
    from workers import actors

    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    run_handler(S.upload, state, [upload("first.xlsx", xlsx(FIRST[:2]))])
    run_handler(S.set_target_status, state, str(reference["status"]))
    stored = session.get(ContractImportSession, state.import_id)
    stored.status, stored.error = "failed", "the database went away"
    session.add(stored)
    session.commit()

    run_handler(S.load, state)  # a reload shows what happened, and Apply again
    assert state.finished and state.error == "the database went away" and state.can_apply and not state.editable
    assert "failed while being applied" in repr(run_handler(S.decide, state, state.rows[0].id, "skip"))
    run_handler(S.apply, state)
    assert state.status == "applying" and state.problems == []
    actors.apply_contract_import.fn(state.import_id, None)
    run_handler(S.load, state)
    assert state.status == "applied" and state.stats["created"] == 1 and state.stats["updated"] == 1


def test_the_preview_is_paged_on_the_server(signed_in: str, reference: dict) -> None:  # noqa: F811
    many = [[n, "Alpha", "Moscow", f"Street {n}", "HP", "M404", f"P-{n:03d}", ""] for n in range(60)]
    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    run_handler(S.upload, state, [upload("many.xlsx", xlsx(many)), upload("few.xlsx", xlsx(FIRST[:1]))])
    run_handler(S.set_page_size, state, "25")
    run_handler(S.go_to, state, 3)
    assert state.page == 3 and state.page_count == 3 and len(state.rows) == 11
    assert [r.row_number for r in state.rows][:10] == list(range(52, 62)) and state.rows[-1].file_name == "few.xlsx"
    assert state.range_text == "51–61 of 61"
    run_handler(S.remove_file, state, state.files[0].id)  # 1 row left: back to the only page
    assert state.page == 1 and [r.file_name for r in state.rows] == ["few.xlsx"]
