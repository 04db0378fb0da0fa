"""Role x action matrix of `/reports/settings` (the helpers of test_access_matrix.py): the page needs
`access_monthly_report`; overrides need `override_auto_lock`, model specs `upload_monthly_report` as well. Every
handler is called directly on the server with the Cookie header of each role; a refusal (login page, access-denied
panel, "Not allowed" toast) leaves the database unchanged, and the permitted roles really change it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog, PrinterModelSpec, SerialEditOverride
from tests.integration.state_fixtures import app_db, run_handler  # noqa: F401
from tests.integration.test_access_matrix import Who, _count, _refusal, _signed_in, _state

ROLES = ("Monthly reports — Viewer", "Monthly reports — Upload", "Monthly reports — Managers")
ACCESS = ("monthly_report.access_monthly_report",)
OVERRIDE = (*ACCESS, "monthly_report.override_auto_lock")
SPEC = (*ACCESS, "monthly_report.upload_monthly_report")
PATH = "/reports/settings"


@pytest.fixture
def people(app_db: str, session: Session) -> dict[str, Who]:  # noqa: F811
    people = _signed_in(session, ROLES, prefix="settings")
    session.add(SerialEditOverride(serial="KEEP-1", allow_manual_edit=True))
    session.add(PrinterModelSpec(model_name="Keep model", enforce=True))
    session.commit()
    return people


def _overrides():
    from printer_app.state.reports.settings_overrides import OverridesState

    return OverridesState


def _specs():
    from printer_app.state.reports.settings_specs import SpecsState

    return SpecsState


def _snapshot(session: Session) -> tuple:
    session.expire_all()
    overrides = sorted((o.serial, o.allow_manual_edit, o.reason) for o in session.exec(select(SerialEditOverride)))
    specs = sorted((s.model_name, s.is_color, s.enforce) for s in session.exec(select(PrinterModelSpec)))
    return overrides, specs, _count(session, EntityChangeLog)


def _override_add(state, _session):
    state.editing_id = 0
    state.form = {"serial": "NEW-1", "mode": "lock", "expires": "", "reason": "matrix"}
    return run_handler(type(state).save, state)


def _override_edit(state, session):
    state.editing_id = session.exec(select(SerialEditOverride.id)).one()  # as a forged event would set it
    state.form = {"serial": "KEEP-1", "mode": "lock", "expires": "", "reason": "edited"}
    return run_handler(type(state).save, state)


def _override_delete(state, session):
    state.delete_id = session.exec(select(SerialEditOverride.id)).one()
    return run_handler(type(state).confirm_delete, state)


def _spec_add(state, _session):
    state.editing_id = 0
    state.form = {"model_name": "New model", "kind": "color", "paper_format": "A4", "enforce": "true",
                  "allow_manual_edit": "false"}  # fmt: skip
    return run_handler(type(state).save, state)


def _spec_edit(state, session):
    state.editing_id = session.exec(select(PrinterModelSpec.id)).one()
    state.form = {"model_name": "Keep model", "kind": "color", "paper_format": "A4A3", "enforce": "false",
                  "allow_manual_edit": "false"}  # fmt: skip
    return run_handler(type(state).save, state)


def _spec_delete(state, session):
    state.delete_id = session.exec(select(PrinterModelSpec.id)).one()
    return run_handler(type(state).confirm_delete, state)


ACTIONS: dict[str, tuple[Callable, Callable, tuple[str, ...]]] = {
    "override add": (_overrides, _override_add, OVERRIDE),
    "override edit": (_overrides, _override_edit, OVERRIDE),
    "override delete": (_overrides, _override_delete, OVERRIDE),
    "spec add": (_specs, _spec_add, SPEC),
    "spec edit": (_specs, _spec_edit, SPEC),
    "spec delete": (_specs, _spec_delete, SPEC),
}


@pytest.mark.parametrize("cls", [_overrides, _specs], ids=["overrides", "specs"])
def test_page_load(people: dict[str, Who], cls) -> None:
    for who in people.values():
        state = _state(cls(), who, PATH)
        outcome = _refusal(run_handler(cls().load, state), state)
        if who.name == "anonymous":
            assert outcome == "login"
        elif who.holds(ACCESS):
            assert outcome is None and state.access == "ok", f"{who.name} must open the settings"
            assert state.total == 1 and state.rows[0].id > 0
        else:
            assert outcome == "denied", f"{who.name} must not open the settings"


@pytest.mark.parametrize("action", ACTIONS)
def test_actions(people: dict[str, Who], session: Session, action: str) -> None:
    cls, act, needed = ACTIONS[action]
    allowed = []
    for name, who in people.items():
        before = _snapshot(session)
        state = _state(cls(), who, PATH)
        outcome = _refusal(act(state, session), state)
        after = _snapshot(session)
        if who.holds(needed):
            assert outcome is None and not state.errors, (who.name, state.errors)
            assert after != before and after[2] == before[2] + 1, f"{who.name}: changed and logged once"
            allowed.append(name)
            session.rollback()
            _restore(session)
        else:
            assert outcome == ("login" if name == "anonymous" else "toast"), (who.name, outcome)
            assert after == before, f"{who.name} changed something through {action}"
    expected = {"superuser"} | ({"Monthly reports — Upload", "Monthly reports — Managers"} if needed == SPEC else set())
    assert set(allowed) == expected


def _restore(session: Session) -> None:
    """Back to the seeded override and spec for the next person."""
    for row in session.exec(select(SerialEditOverride)).all():
        session.delete(row)
    for row in session.exec(select(PrinterModelSpec)).all():
        session.delete(row)
    session.flush()
    session.add(SerialEditOverride(serial="KEEP-1", allow_manual_edit=True))
    session.add(PrinterModelSpec(model_name="Keep model", enforce=True))
    session.commit()


@pytest.mark.parametrize("handler", ["open_new", "set_value", "ask_delete", "set_dialog_open"])
def test_dialog_handlers_refuse_without_permission(people: dict[str, Who], handler: str) -> None:
    args = {"open_new": (), "set_value": ("serial", "X"), "ask_delete": (1, "X"), "set_dialog_open": (True,)}[handler]
    for cls in (_overrides(), _specs()):
        state = _state(cls, people["Monthly reports — Viewer"], PATH)
        assert _refusal(run_handler(getattr(cls, handler), state, *args), state) == "toast"
        assert not state.dialog_open and state.delete_id == 0 and state.form.get("serial", "") == ""
