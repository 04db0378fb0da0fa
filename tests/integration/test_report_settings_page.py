"""The states of `/reports/settings` as a signed-in superuser's tab drives them (SQLite and PostgreSQL): server-side
paging, filter and sort of the overrides, a bad expiry refused by field with nothing stored, the model spec delete
question naming the rows that become unrestricted."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from printer_app.models import MonthControl, MonthlyReport, PrinterModelSpec, SerialEditOverride
from printer_app.models.base import utcnow
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401

PATH = "/reports/settings"


def test_overrides_table_pages_filters_and_sorts(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.reports.settings_overrides import OverridesState as S

    now = utcnow()
    for n in range(30):
        expired = n % 3 == 0
        session.add(SerialEditOverride(serial=f"SN-{n:02d}", allow_manual_edit=n % 2 == 0, reason=f"r{n}",
                                       expires_at=now - timedelta(days=1) if expired else None))  # fmt: skip
    session.commit()
    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    assert (state.total, len(state.rows), state.page_count) == (30, 25, 2)
    run_handler(S.go_to, state, 2)
    assert [r.serial for r in state.rows] == [f"SN-{n}" for n in range(25, 30)]
    run_handler(S.set_filter, state, "status", "expired")
    assert state.page == 1 and state.total == 10 and all(r.expired for r in state.rows)
    run_handler(S.set_filter, state, "status", "lock")
    assert state.total == 15 and not any(r.unlock for r in state.rows)
    run_handler(S.set_filter, state, "status", "nonsense")  # a forged choice lists everything
    assert state.total == 30
    run_handler(S.sort_by, state, "serial")
    assert state.descending and state.rows[0].serial == "SN-29"
    run_handler(S.set_search, state, "r7")
    assert [r.serial for r in state.rows] == ["SN-07"]


def test_bad_expiry_is_refused_by_field(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.reports.settings_overrides import OverridesState as S

    state = tab(S, signed_in, PATH)
    run_handler(S.open_new, state)
    for name, value in {"serial": "NEW-1", "mode": "unlock", "expires": "31.12.2030"}.items():
        run_handler(S.set_value, state, name, value)
    run_handler(S.set_value, state, "serial", "x" * 5000)  # too long to keep while typing: ignored
    run_handler(S.save, state)
    assert state.dialog_open and set(state.errors) == {"expires"}
    assert session.exec(select(func.count()).select_from(SerialEditOverride)).one() == 0
    run_handler(S.set_value, state, "expires", "")
    run_handler(S.save, state)
    assert not state.dialog_open and [r.serial for r in state.rows] == ["NEW-1"]


def test_spec_delete_question_names_the_rows(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.reports.settings_specs import SpecsState as S

    month = utcnow().date().replace(day=1)
    session.add(MonthControl(month=month, edit_until=utcnow() + timedelta(days=5)))
    session.add_all([MonthlyReport(month=month, serial_number=f"S{n}", equipment_model="hp  M404") for n in range(3)])
    session.add(PrinterModelSpec(model_name="HP M404", enforce=True))
    session.commit()
    state = tab(S, signed_in, PATH)
    run_handler(S.load, state)
    assert [(r.model_name, r.rows) for r in state.rows] == [("HP M404", 3)]
    run_handler(S.ask_delete, state, state.rows[0].id, "HP M404")
    assert "3 rows of open months use it" in state.delete_text and "unrestricted" in state.delete_text
    run_handler(S.confirm_delete, state)
    assert state.total == 0 and state.delete_id == 0
    stored = session.exec(select(MonthlyReport.equipment_model)).all()
    assert stored == ["hp  M404"] * 3, "the rows stay"
