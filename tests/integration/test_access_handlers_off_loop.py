"""The handlers of the access pages (accounts, new user, SSO whitelist, change log) never touch the database on the
event loop's thread: a statement run there would stall every tab the backend worker serves until it returns.

A listener on every engine records the thread of each SQL statement while a handler runs as Reflex runs it
(`run_handler`: inside an event loop on this thread); the permission check and the handler's own work must run in
worker threads, and each handler's effect is checked so a refused or empty handler cannot pass.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import reflex as rx
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import AllowedUser, User
from printer_app.services.access import auth
from printer_app.services.access.roles import user_group_names
from printer_app.services.access.whitelist import save_allowed_user
from tests.factories import make_printer
from tests.integration.state_fixtures import PASSWORD, app_db, run_handler, signed_in, tab  # noqa: F401


class Statements:
    """The thread of every SQL statement any engine of this process runs."""

    def __init__(self) -> None:
        self.seen: list[tuple[threading.Thread, str]] = []

    def __call__(self, _conn, _cursor, statement: str, *_args) -> None:
        self.seen.append((threading.current_thread(), " ".join(statement.split())[:80]))


@pytest.fixture
def statements(app_db: str) -> Iterator[Statements]:  # noqa: F811
    seen = Statements()
    event.listen(Engine, "before_cursor_execute", seen)
    yield seen
    event.remove(Engine, "before_cursor_execute", seen)


@pytest.fixture
def call(statements: Statements):
    """Run a handler as Reflex does and fail when one of its statements ran on the event loop's thread."""

    def run(handler, state: rx.State, *args):
        statements.seen.clear()
        loop_thread = threading.current_thread()  # run_handler's event loop runs in this thread
        result = run_handler(handler, state, *args)
        name = handler.fn.__qualname__
        on_loop = [text for thread, text in statements.seen if thread is loop_thread]
        assert not on_loop, f"{name} ran SQL on the event loop's thread: {on_loop}"
        assert statements.seen, f"{name} did not reach the database at all"
        assert "Not allowed" not in repr(result) and "/auth/login" not in repr(result), f"{name} refused: {result!r}"
        return result

    return run


def _user(session: Session, username: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.username == username)).one()


def test_accounts_table_dialogs_and_activation(signed_in: str, session: Session, call) -> None:  # noqa: F811
    from printer_app.state.access.users import UsersState as U

    target = auth.create_local_user(session, username="target", password=PASSWORD, email="t@corp.example")
    session.commit()
    state = tab(U, signed_in, "/users")
    call(U.load, state)
    assert [r.username for r in state.rows] == ["root", "target"] and state.group_choices and state.me
    call(U.set_search, state, "targ")
    assert [r.username for r in state.rows] == ["target"]
    call(U.set_filter, state, "kind", "local")
    call(U.sort_by, state, "email")
    call(U.set_page_size, state, "50")
    call(U.go_to, state, 1)
    assert [r.username for r in state.rows] == ["target"] and state.page_size == 50
    call(U.reset_filters, state)
    call(U.reload, state)
    assert len(state.rows) == 2

    call(U.ask_deactivate, state, target.id, "target")
    assert "deactivated" in repr(call(U.confirm_deactivate, state))
    assert not _user(session, "target").is_active
    assert "activated" in repr(call(U.activate, state, target.id))
    assert _user(session, "target").is_active

    call(U.open_groups, state, target.id)
    assert state.groups_open and state.groups_username == "target" and state.chosen_groups == []
    U.toggle_group.fn(state, "Viewer", True)
    assert "Viewer" in repr(call(U.save_groups, state))
    assert user_group_names(session, target.id) == ["Viewer"] and not state.groups_open

    other = tab(U, signed_in, "/users")  # a second tab saved meanwhile: refused, the dialog re-reads the user
    call(U.open_groups, state, target.id)
    call(U.open_groups, other, target.id)
    U.toggle_group.fn(other, "Inventory — Editor", True)
    call(U.save_groups, other)
    U.toggle_group.fn(state, "Viewer", False)
    assert call(U.save_groups, state) is None
    assert state.groups_error and sorted(state.chosen_groups) == ["Inventory — Editor", "Viewer"]


def test_new_user_dialog(signed_in: str, session: Session, call) -> None:  # noqa: F811
    from printer_app.state.access.user_form import NewUserState as N

    state = tab(N, signed_in, "/users")
    call(N.open_new, state)
    assert state.open and state.group_choices
    assert call(N.save, state) is None and state.errors["username"]  # refused: every field's message, nothing made
    for name, value in (("username", "newbie"), ("full_name", "New Bie"), ("password", PASSWORD)):
        N.set_value.fn(state, name, value)
    N.toggle_group.fn(state, "Viewer", True)
    assert "newbie" in repr(call(N.save, state)) and not state.open
    assert user_group_names(session, _user(session, "newbie").id) == ["Viewer"]


def _entries(session: Session) -> dict[str, tuple[str, bool]]:
    session.expire_all()
    return {e.username: (e.full_name, e.is_active) for e in session.exec(select(AllowedUser))}


def test_whitelist_tab(signed_in: str, session: Session, call) -> None:  # noqa: F811
    from printer_app.state.access.whitelist import WhitelistState as W

    save_allowed_user(session, username="amy", email="amy@corp.example")
    session.commit()
    state = tab(W, signed_in, "/users")
    call(W.load, state)
    assert [r.username for r in state.rows] == ["amy"]
    call(W.set_search, state, "corp")
    call(W.set_active_filter, state, "active")
    call(W.sort_by, state, "email")
    assert [r.username for r in state.rows] == ["amy"]
    call(W.set_search, state, "")

    call(W.open_new, state)
    assert state.dialog_open and state.group_choices
    W.set_value.fn(state, "username", "bob")
    assert "added to" in repr(call(W.save, state))
    call(W.open_edit, state, "bob")
    assert state.editing and state.form["username"] == "bob"
    W.set_value.fn(state, "full_name", "Bob B")
    assert "updated on" in repr(call(W.save, state))
    assert _entries(session)["bob"] == ("Bob B", True)

    other = tab(W, signed_in, "/users")  # a second tab saved meanwhile: refused, the dialog re-reads the entry
    call(W.open_edit, state, "bob")
    call(W.open_edit, other, "bob")
    W.set_value.fn(other, "full_name", "Bob C")
    call(W.save, other)
    W.set_value.fn(state, "notes", "mine")
    assert call(W.save, state) is None and state.errors["form"] and state.form["full_name"] == "Bob C"

    assert "deactivated" in repr(call(W.toggle_active, state, "bob", True))
    assert _entries(session)["bob"] == ("Bob C", False)
    call(W.ask_remove, state, "bob")
    assert "removed" in repr(call(W.remove, state))
    assert "bob" not in _entries(session) and [r.username for r in state.rows] == ["amy"]

    upload = rx.UploadFile(file=io.BytesIO(b"username,full_name\ncarol,Carol C\n"), path=Path("people.csv"))
    assert "1 added" in repr(call(W.import_csv, state, [upload]))
    assert _entries(session)["carol"] == ("Carol C", True) and len(state.rows) == 2


def test_change_log_page(signed_in: str, session: Session, call) -> None:  # noqa: F811
    from printer_app.state.access.change_log import ChangeLogState as C

    for _ in range(3):
        make_printer(session)  # a "created" change-log row each
    session.commit()
    state = tab(C, signed_in, "/changes")
    call(C.load, state)
    assert state.total >= 3 and ["printer", "Printer"] in state.type_options
    everything = state.total
    call(C.set_filter, state, "object_type", "printer")
    assert state.total == 3
    call(C.set_filter, state, "action", "delete")
    assert state.total == 0
    call(C.set_search, state, "no such thing")
    call(C.set_page_size, state, "25")
    call(C.go_to, state, 1)
    call(C.reset_filters, state)
    assert state.total == everything
