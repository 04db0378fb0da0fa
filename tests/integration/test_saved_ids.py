"""Ids a save acts on: a browser cannot set them itself, and a save re-checks that its object still exists and is
the one the dialog opened (nothing is created or moved instead)."""

from __future__ import annotations

import asyncio

import pytest
import reflex as rx
from reflex.state import UpdateVarsInternalState
from sqlmodel import Session, select

from printer_app.models import AllowedUser, EntityChangeLog, WebParsingRule
from printer_app.services.access.whitelist import remove_allowed_user, save_allowed_user
from printer_app.services.web.rule_store import RuleInput, create_rule
from tests.factories import make_printer
from tests.integration.state_fixtures import app_db, app_states, run_handler, signed_in, tab  # noqa: F401


def _id_vars(cls: type[rx.State]) -> list[str]:
    return [name for name in cls.base_vars if name.endswith(("_id", "_ids")) or name in ("editing", "confirm_remove")]


def test_no_id_var_has_a_setter_or_comes_from_the_browser(app_db: str) -> None:  # noqa: F811
    """Reflex 0.10 makes no automatic setters; `setvar` and the browser-storage sync reach only what is listed."""
    reachable = [
        f"{cls.__name__}.{name}"
        for cls in app_states()
        for name in _id_vars(cls)
        if f"set_{name}" in cls.event_handlers or cls._is_client_storage(name)
    ]
    assert reachable == []
    assert len([n for cls in app_states() for n in _id_vars(cls)]) >= 10, "the walk found the id vars"


def test_a_browser_setting_an_id_is_refused(signed_in: str) -> None:  # noqa: F811
    from printer_app.state.inventory.printer_form import PrinterFormState

    state = tab(PrinterFormState, signed_in, "/printers")
    with pytest.raises(AttributeError):
        PrinterFormState.setvar.fn(state, "editing_id", 7)
    sync = state._get_root_state().get_substate(UpdateVarsInternalState.get_full_name().split("."))
    asyncio.run(UpdateVarsInternalState.update_vars_internal.fn(sync, {f"{state.get_full_name()}.editing_id": 7}))
    assert state.editing_id == 0


def _entries(session: Session) -> dict[str, str]:
    session.expire_all()
    return {e.username: e.full_name for e in session.exec(select(AllowedUser)).all()}


def test_whitelist_edit_saves_the_entry_it_opened_or_nothing(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.access.whitelist import WhitelistState

    save_allowed_user(session, username="bob", full_name="Bob")
    session.commit()
    state = tab(WhitelistState, signed_in, "/users")
    run_handler(WhitelistState.open_edit, state, "bob")

    WhitelistState.set_value.fn(state, "username", "mallory")  # the field is read-only in the dialog, not here
    WhitelistState.set_value.fn(state, "full_name", "Mallory")
    assert run_handler(WhitelistState.save, state) is None
    assert state.errors == {"username": "The username of an entry cannot be changed: add a new entry instead"}
    assert _entries(session) == {"bob": "Bob"}

    WhitelistState.set_value.fn(state, "username", "bob")
    remove_allowed_user(session, username="bob")  # removed in another tab while the dialog is open
    session.commit()
    logged = len(session.exec(select(EntityChangeLog.id)).all())
    result = run_handler(WhitelistState.save, state)
    assert "no longer on the whitelist" in repr(result) and state.dialog_open
    assert _entries(session) == {}, "a removed user must not be put back on the whitelist by a stale dialog"
    assert len(session.exec(select(EntityChangeLog.id)).all()) == logged

    run_handler(WhitelistState.open_new, state)  # adding is still adding
    WhitelistState.set_value.fn(state, "username", "bob")
    run_handler(WhitelistState.save, state)
    assert _entries(session) == {"bob": ""}


def test_rule_save_acts_on_the_rule_of_the_page_only(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.web.rule_editor import WebRuleEditorState

    first, second = make_printer(session), make_printer(session)
    rule = create_rule(session, printer_id=first.id, data=RuleInput(field_name="counter", xpath="//a"))
    session.commit()
    state = tab(WebRuleEditorState, signed_in, f"/printers/{first.id}/web")
    run_handler(WebRuleEditorState.open_rule, state, rule.id)
    state.xpath = "//b"
    other_page = tab(WebRuleEditorState, signed_in, f"/printers/{second.id}/web")
    other_page.editing_id, other_page.xpath, other_page.field_name = state.editing_id, "//b", "counter"
    refused = run_handler(WebRuleEditorState.save, other_page)
    assert "open the rule again" in repr(refused)  # the page never opened that rule
    session.expire_all()
    rules = session.exec(select(WebParsingRule.printer_id, WebParsingRule.xpath)).all()
    assert rules == [(first.id, "//a")], "the rule of another printer is neither changed nor copied"
    run_handler(WebRuleEditorState.save, state)
    session.expire_all()
    assert session.exec(select(WebParsingRule.xpath)).all() == ["//b"]
