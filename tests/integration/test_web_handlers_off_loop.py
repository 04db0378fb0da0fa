"""The rule builder's handlers (/printers/<id>/web) read and write the database in worker threads, never on the
event loop's thread: a statement run there stalls every tab the backend serves until the database answers.

Each handler runs as Reflex runs it, on an event loop of the test's thread (`run_handler`, `run_background`); a
listener on every engine notes the thread of every statement, and none may be the loop's.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import reflex as rx
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import WebParsingRule, WebParsingTemplate
from printer_app.models.choices import TaskStatus
from printer_app.services.web.rule_store import RuleInput, create_rule
from printer_app.services.web.templates import save_template
from printer_app.state.session import guard_of, principal_for_cookie
from tests.factories import make_model, make_poll, make_printer
from tests.integration.state_fixtures import (  # noqa: F401
    app_db,
    app_states,
    run_background,
    run_handler,
    signed_in,
    tab,
)


@dataclass
class Printers:
    """Two printers of one model: "source" with two rules, a poll and a template, "target" with nothing."""

    source: int
    target: int
    rules: list[int]
    template: int

    def path(self, which: str = "source") -> str:
        return f"/printers/{getattr(self, which)}/web"


@pytest.fixture
def printers(signed_in: str, session: Session) -> Printers:  # noqa: F811
    model = make_model(session, "Dell", "C1765nfw")
    source = make_printer(session, ip_address="192.0.2.20", device_model_id=model.id)
    target = make_printer(session, ip_address="192.0.2.21", device_model_id=model.id)
    rules = [
        create_rule(session, printer_id=source.id, data=RuleInput(field_name=name, xpath=f"//td[@id='{name}']")).id
        for name in ("counter", "serial_number")
    ]
    make_poll(session, source)
    template = save_template(session, printer_id=source.id, name="Dell EWS")
    session.commit()
    return Printers(source=source.id, target=target.id, rules=rules, template=template.id)


@contextmanager
def statements() -> Iterator[list[tuple[bool, str]]]:
    """(ran on this thread, SQL) of every statement run inside the block (on any engine: the app builds its own)."""
    loop_thread, seen = threading.current_thread(), []

    def note(_conn, _cursor, statement: str, *_args) -> None:
        seen.append((threading.current_thread() is loop_thread, statement))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


@contextmanager
def off_the_loop(what: str) -> Iterator[None]:
    """The block runs handlers that must reach the database, and only from worker threads."""
    with statements() as seen:
        yield
    assert seen, f"{what}: no statement at all (the check would prove nothing)"
    on_loop = [sql.split("\n")[0][:120] for on_loop_thread, sql in seen if on_loop_thread]
    assert not on_loop, f"{what} ran statements on the event loop's thread:\n" + "\n".join(on_loop)


def part(state: rx.State, cls: type[rx.State]) -> rx.State:
    """Another part of the same tab's page (its state in the same tree)."""
    root = state
    while root.parent_state is not None:
        root = root.parent_state
    return root.get_substate(cls.get_full_name().split("."))


def _rows(session: Session, model, **where) -> list:
    session.expire_all()
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(session.exec(query).all())


def test_the_check_sees_a_statement_on_the_loop_thread(printers: Printers, signed_in: str) -> None:  # noqa: F811
    with pytest.raises(AssertionError, match="on the event loop's thread"), off_the_loop("a blocking lookup"):
        principal_for_cookie(signed_in)


def test_every_checked_handler_of_the_page_is_async(app_db: str) -> None:  # noqa: F811
    """A permission check is a database lookup: a sync handler would make it on the loop's thread."""
    handlers = [
        f"{cls.__name__}.{name}"
        for cls in app_states()
        if cls.__module__.startswith("printer_app.state.web.")
        for name, handler in cls.event_handlers.items()
        if guard_of(handler.fn) is not None
        and not (inspect.iscoroutinefunction(handler.fn) or inspect.isasyncgenfunction(handler.fn))
    ]
    assert handlers == [], "sync handlers that look the session up on the event loop: " + ", ".join(handlers)


def test_page_load_and_the_loads_it_starts(printers: Printers, signed_in: str) -> None:  # noqa: F811
    from printer_app.state.web.rule_runs import WebRuleRunsState
    from printer_app.state.web.rules import WebRulesState
    from printer_app.state.web.templates import WebTemplatesState

    page = tab(WebRulesState, signed_in, printers.path())
    with off_the_loop("the page load"):
        started = run_handler(WebRulesState.load, page)
        for handler in started:
            run_handler(handler, part(page, handler.state))
    assert page.access == "ok" and [r.id for r in page.all_rows] == printers.rules
    assert part(page, WebRuleRunsState).last_poll["status"] == TaskStatus.SUCCESS
    assert [r.id for r in part(page, WebTemplatesState).all_rows] == [printers.template]

    with off_the_loop("the table's refresh"):
        run_handler(WebRulesState.refresh, page)
    assert len(page.all_rows) == 2


def test_rule_open_save_and_delete(printers: Printers, signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.web.rule_editor import WebRuleEditorState
    from printer_app.state.web.rules import WebRulesState

    page = tab(WebRulesState, signed_in, printers.path())
    form = part(page, WebRuleEditorState)
    with off_the_loop("opening and saving a stored rule"):
        run_handler(WebRuleEditorState.open_rule, form, printers.rules[0])
        form.xpath = "//td[@id='total']"
        assert "saved" in repr(run_handler(WebRuleEditorState.save, form))
    assert session.get(WebParsingRule, printers.rules[0]).xpath == "//td[@id='total']"

    with off_the_loop("saving a new rule"):
        run_handler(WebRuleEditorState.new_rule, form)
        form.field_name, form.xpath = "toner_black", "//td[@id='black']"
        assert "added" in repr(run_handler(WebRuleEditorState.save, form))
    assert len(_rows(session, WebParsingRule, printer_id=printers.source)) == 3
    added = form.editing_id

    with off_the_loop("deleting a rule"):
        run_handler(WebRulesState.load, page)  # a reload: the form starts empty again
        assert form.editing_id == 0 and form.xpath == ""
        run_handler(WebRulesState.ask_delete, page, printers.rules[1])
        assert "deleted" in repr(run_handler(WebRulesState.delete, page))
    assert [r.id for r in _rows(session, WebParsingRule, printer_id=printers.source)] == [
        printers.rules[0],
        added,
    ]


def test_template_save_apply_and_delete(printers: Printers, signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.web.templates import WebTemplatesState

    templates = tab(WebTemplatesState, signed_in, printers.path())
    with off_the_loop("saving a template"):
        templates.name = "Dell, second"
        assert "saved with 2 rules" in repr(run_handler(WebTemplatesState.save, templates))
    assert {t.name for t in _rows(session, WebParsingTemplate)} == {"Dell EWS", "Dell, second"}

    target = tab(WebTemplatesState, signed_in, printers.path("target"))
    with off_the_loop("applying a template"):
        assert "2 rules created" in repr(run_handler(WebTemplatesState.apply, target, printers.template))
    assert len(_rows(session, WebParsingRule, printer_id=printers.target)) == 2

    with off_the_loop("deleting a template"):
        assert "deleted" in repr(run_handler(WebTemplatesState.delete, target, printers.template))
    assert {t.name for t in _rows(session, WebParsingTemplate)} == {"Dell, second"}


def test_runs_and_the_page_fetch_read_off_the_loop(printers: Printers, signed_in: str) -> None:  # noqa: F811
    """The background handlers: what they read before any network work (which runs in a thread of its own)."""
    from printer_app.state.web.rule_editor import WebRuleEditorState
    from printer_app.state.web.rule_runs import WebRuleRunsState

    with off_the_loop("the runs' last poll"):
        runs = tab(WebRuleRunsState, signed_in, printers.path())
        run_handler(WebRuleRunsState.load, runs)
    assert runs.last_poll["total"] == "1,000"  # English: the default language of a test user

    with off_the_loop("testing all rules of a printer that has none"):
        answer = run_background(WebRuleRunsState, WebRuleRunsState.test_all, signed_in, printers.path("target"))
    assert "There are no saved rules to test yet" in repr(answer)

    gone = "/printers/999999/web"
    with off_the_loop("testing the form's rule on a printer deleted meanwhile"):
        answer = run_background(WebRuleEditorState, WebRuleEditorState.test_on_device, signed_in, gone)
    assert "The printer no longer exists" in repr(answer)
    with off_the_loop("fetching the page of a printer deleted meanwhile"):
        answer = run_background(WebRuleEditorState, WebRuleEditorState.fetch_page, signed_in, gone)
    assert "The printer no longer exists" in repr(answer)
