"""The change log page's state: one object's entries named by the URL (the printer page's link), dates typed in the
user's format, forged inputs refused."""

from __future__ import annotations

from sqlmodel import Session

from tests.factories import make_printer
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401


def test_the_url_names_one_printer_and_dates_filter_once_whole(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.access.change_log import ChangeLogState

    first, second = make_printer(session), make_printer(session)
    session.commit()

    state = tab(ChangeLogState, signed_in, f"/changes?object_type=printer&object_id={first.id}")
    run_handler(ChangeLogState.load, state)
    assert [(r.object_id, r.link) for r in state.rows] == [(first.id, f"/printers/{first.id}")]
    assert state.object_title == f"Printer #{first.id}"

    run_handler(ChangeLogState.set_date, state, "date_to", "01.01.20")  # not a whole date yet: no filter
    assert (len(state.rows), state.date_to_invalid) == (1, True)
    run_handler(ChangeLogState.set_date, state, "date_to", "01.01.2020")  # DD.MM.YYYY, before every entry
    assert (state.rows, state.date_to_invalid) == ([], False)
    run_handler(ChangeLogState.set_date, state, "date_to", "")
    assert len(state.rows) == 1
    assert "not one of the filter" in repr(run_handler(ChangeLogState.set_date, state, "search", "x"))

    run_handler(ChangeLogState.set_filter, state, "object_type", "organization")  # another kind: the printer goes
    assert (state.object_id, state.rows) == (0, [])

    everything = tab(ChangeLogState, signed_in, "/changes?object_type=printer&object_id=abc")  # not an id: ignored
    run_handler(ChangeLogState.load, everything)
    assert sorted(r.object_id for r in everything.rows if r.object_label == "Printer") == [first.id, second.id]
