"""Default deny: every event handler of every state of the app checks the signed-in user's permissions, unless it
is on the allow-list below of pure form setters (each with the reason it may run for anyone).

A browser can call any handler of `State.event_handlers` by name with any arguments (background ones and Reflex's
`setvar` included), whatever the page shows, so the check is per handler: `@requires` / `@requires_page` from
printer_app/state/session.py, or, where the check cannot come first, `@checks_inline` with `self._deny_async` in
the body.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Iterator

import pytest
import reflex as rx
from sqlmodel import Session

from printer_app.state.session import guard_of, requires
from tests.factories import make_printer
from tests.integration.state_fixtures import app_db, app_states, run_background, session_cookie  # noqa: F401

# Pure form setters: they change what an open dialog or form of this tab shows and nothing else (no database, no
# service, no other state, no queue). Keyed by where the function is defined.
ALLOWED = {
    "PrintersState.toggle_column": "shows or hides a column of the table (a preference kept in the browser)",
    "PrintersState.set_english": "picks the export's header language; exporting checks",
    "PrinterImportState.set_create_models": "ticks 'create missing models' for the apply; applying checks",
    "GroupPickerMixin.toggle_group": "ticks a group box in the open user / whitelist dialog; saving checks",
    "UsersState.cancel_deactivate": "closes the deactivation question without doing it",
    "UsersState.set_groups_open": "opens / closes the groups dialog",
    "NewUserState.set_open": "opens / closes the new-user dialog (closing forgets the typed password)",
    "NewUserState.set_value": "types into a field of the new-user dialog (its field names only)",
    "WhitelistState.set_dialog_open": "opens / closes the whitelist entry dialog",
    "WhitelistState.set_value": "types into a field of the whitelist dialog (its field names only)",
    "WhitelistState.cancel_remove": "closes the removal question without doing it",
    "OrganizationsState.set_dialog_open": "opens / closes the organization dialog",
    "OrganizationsState.set_name": "types the name in the organization dialog",
    "OrganizationsState.set_code": "types the code in the organization dialog",
    "PrinterFormState.set_open": "opens / closes the printer dialog",
    "PrinterFormState.set_value": "types into a field of the printer dialog (its field names only)",
    "PrinterFormState.set_active": "ticks 'active' in the printer dialog",
    "PrinterFormState.cancel_delete": "closes the delete question without deleting",
    "DiscoveryState.set_field": "types into the scan form (its field names only); starting a scan checks",
    "DiscoveryState.toggle": "ticks a found printer to add; adding checks",
    "DiscoveryState.select_all": "ticks every found printer not added yet; adding checks",
    "DiscoveryState.select_none": "unticks every found printer",
    "WebRulesState.cancel_delete": "closes the delete question without deleting",
    "WebRulesState.cancel_poll": "closes the 'poll without an identity rule?' question without polling",
    "WebRuleEditorState.forget": "a rule deleted in this tab: the form's rule becomes a new, unsaved one",
    "WebTemplatesState.set_name": "types the name of a template to save",
    "WebTemplatesState.set_description": "types the description of a template to save",
    "WebTemplatesState.set_is_public": "ticks 'public' for a template to save; saving checks the permission",
    "WebTemplatesState.set_overwrite": "ticks 'overwrite' for the next apply; applying checks",
    "WebPreviewState.set_render": "ticks 'run JavaScript' for the next fetch; fetching checks",
    "DevicesState.toggle_column": "shows or hides a column of the contracts table (a preference kept in the browser)",
    "DevicesState.set_english": "ticks 'English headers' for the next export; exporting checks",
    "DevicesState.dismiss_link_result": "closes the figures of the last 'Link now' run",
    "SuppliesState.clear_selected": "forgets the rows chosen for a cartridge request; requesting checks",
    "DeviceFormState.set_open": "opens / closes the contract device dialog",
    "DeviceFormState.set_value": "types into a field of the contract device dialog (its field names only)",
    "DeviceFormState.cancel_delete": "closes the delete question without deleting",
    "ReferenceState.set_dialog_open": "opens / closes the reference row dialog",
    "ReferenceState.set_value": "types into a field of the reference row dialog (its field names only); saving checks",
    "ReferenceState.cancel_delete": "closes the delete question without deleting",
    "ModelCartridgesState.set_open": "opens / closes a model's cartridges dialog",
    "ModelCartridgesState.set_pick": "chooses the cartridge to add; adding checks",
    "ModelCartridgesState.set_primary": "ticks 'primary' for the cartridge to add; adding checks",
    "CartridgeImportState.set_option": "ticks an option of the next cartridge import; importing checks",
    "MonthsState.set_edit_value": "types the moment of the 'Editable until' dialog; saving checks",
    "MonthsState.close_edit_until": "closes the 'Editable until' dialog without saving",
    "MonthsState.cancel_delete": "closes the month delete question without deleting",
    "FromContractsState.set_open": "opens / closes the 'Create month from contracts' dialog",
    "FromContractsState.set_month": "types the month of the dialog; preview and create check",
    "FromContractsState.toggle_org": "ticks an organization in the dialog; preview and create check",
    "FromContractsState.toggle_status": "ticks a status in the dialog; preview and create check",
    "FromContractsState.choose_all_orgs": "ticks every organization the dialog lists; preview and create check",
    "MonthTableState.toggle_column": "shows or hides a column of the month table (a preference kept in the browser)",
    "MonthTableState.set_english": "ticks 'English headers' for the next export; exporting checks",
    "MonthTableState.cancel_edit": "closes the inline editor of a cell without saving",
    "MonthTableState.edit_key": "Escape in the inline editor closes it without saving",
    "AlertRulesState.set_dialog_open": "opens / closes the alert rule dialog",
    "AlertRulesState.set_value": "types into a field of the alert rule dialog (its field names only); saving checks",
    "AlertRulesState.toggle_kind": "ticks a supply kind in the alert rule dialog; saving checks",
    "AlertRulesState.cancel_delete": "closes the rule delete question without deleting",
}
# What a pure setter's code may name besides its own state's vars and module constants.
PURE_NAMES = {"bool", "int", "str", "len", "list", "vars", "enumerate", "split", "join", "items", "get", "strip"}
PURE_NAMES.add("setattr")  # the `set_value` / `set_field` setters set only the names of their FIELDS tuple


def _handlers() -> Iterator[tuple[str, type[rx.State], str, types.FunctionType]]:
    """(label, state, name, function) of every handler a browser can call on the app's states."""
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if name != "setvar":  # Reflex's own: it calls the state's `set_<name>` handler (see the last test)
                yield f"{cls.__name__}.{name}", cls, name, handler.fn


def _defined_as(fn: types.FunctionType) -> str:
    return fn.__code__.co_qualname  # a mixin's handler copied onto a state keeps the mixin's code


def _names(code: types.CodeType) -> set[str]:
    """Every global, attribute and method name the code uses, nested comprehensions included."""
    nested = (c for c in code.co_consts if isinstance(c, types.CodeType))
    return set(code.co_names).union(*(_names(c) for c in nested))


@pytest.fixture
def app(app_db: str) -> None:  # noqa: F811
    """The app imported: every state registered."""


def test_every_handler_checks_permissions_or_is_an_allowed_pure_setter(app) -> None:
    handlers = list(_handlers())
    assert len(handlers) > 100, "the walk found the app's states"
    unguarded = [label for label, _, _, fn in handlers if guard_of(fn) is None and _defined_as(fn) not in ALLOWED]
    assert unguarded == [], "handlers that check no permission and are not allowed pure setters:\n" + "\n".join(
        unguarded
    )


def test_the_allow_list_names_unguarded_pure_setters_only(app) -> None:
    found = {_defined_as(fn): (cls, fn) for _, cls, _, fn in _handlers() if _defined_as(fn) in ALLOWED}
    assert sorted(set(ALLOWED) - set(found)) == [], "allow-list entries naming no handler"
    for where, (cls, fn) in found.items():
        assert guard_of(fn) is None, f"{where} is guarded: take it off the allow-list"
        assert not inspect.iscoroutinefunction(fn) and not inspect.isasyncgenfunction(fn), f"{where} awaits"
        names = _names(fn.__code__)
        constants = {n for n in names if isinstance(fn.__globals__.get(n), str | int | tuple | frozenset)}
        views = [fn.__globals__[n] for n in names if dataclasses.is_dataclass(fn.__globals__.get(n))]
        view_fields = {f.name for view in views for f in dataclasses.fields(view)} | {v.__name__ for v in views}
        impure = names - set(cls.__fields__) - constants - view_fields - PURE_NAMES
        assert not impure, f"{where} is not a pure setter: it uses {sorted(impure)}"


def test_inline_checks_really_check(app) -> None:
    for label, _, _, fn in _handlers():
        if (guard := guard_of(fn)) is not None and guard.inline:
            source = inspect.getsource(inspect.unwrap(fn))
            checks = ("self._deny_async(", "self._refusal(")
            assert any(check in source for check in checks), f"{label} says it checks inline"


def test_a_guarded_handler_must_be_async() -> None:
    """Its session lookup runs in a worker thread; a sync handler would do it on the event loop every tab shares."""

    def load(self) -> None:
        return None

    with pytest.raises(TypeError, match="must be `async def`"):
        requires("inventory.view_printer")(load)


def test_setvar_reaches_walked_handlers_only(app) -> None:
    """`setvar(name, value)` calls `set_<name>`: every such name on a state must be one of its event handlers."""
    for cls in app_states():
        setters = {name for name in dir(cls) if name.startswith("set_")} - set(dir(rx.State))  # Reflex's own
        assert setters <= set(cls.event_handlers), f"{cls.__name__}: {sorted(setters - set(cls.event_handlers))}"


def test_background_handlers_check_under_the_state_lock(app, session: Session) -> None:
    """Run as Reflex runs them (a StateProxy, no lock held): refused, or past the check into their own work."""
    from printer_app.state.inventory.discovery import DiscoveryState
    from printer_app.state.live.state import LiveState
    from printer_app.state.web.rule_runs import WebRuleRunsState

    printer_id = make_printer(session).id
    viewer = session_cookie(session, username="viewer", groups=("Inventory — Viewer",))
    admin = session_cookie(session, username="admin", groups=("Inventory — Administrator",))
    web = f"/printers/{printer_id}/web"

    def answers(cls, handler, cookie: str, path: str, *args) -> str:
        return repr(run_background(cls, handler, cookie, path, *args))

    for handler, path, args in [
        (WebRuleRunsState.test_all, web, ()),
        (DiscoveryState.listen, "/discover", ()),
        (LiveState.listen, "/printers", ("printers",)),
    ]:
        assert "/auth/login" in answers(handler.state, handler, "", path, *args), f"{handler.fn.__name__}: signed out"
    assert "Not allowed" in answers(WebRuleRunsState, WebRuleRunsState.test_all, viewer, web)
    assert "Not allowed" in answers(DiscoveryState, DiscoveryState.listen, viewer, "/discover")
    assert "There are no saved rules to test yet" in answers(WebRuleRunsState, WebRuleRunsState.test_all, admin, web)
