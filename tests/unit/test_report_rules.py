"""Which counters of a month row a user may edit (services/reports/rules.py, docs/reports.md §10.5): the allowed set
for every combination of permissions × duplicate-group position × model spec × auto-lock situation, the lock
precedence, and the reasons a locked cell shows. Pure: no database (expired overrides are filtered by
`active_overrides`, tested in tests/integration/test_report_counter_edit.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from printer_app.services.reports.rules import (
    EDIT_END,
    EDIT_START,
    OVERRIDE_LOCK,
    Override,
    allowed_set,
    auto_lock,
    field_locks,
    group_fields,
)
from printer_app.services.reports.specs import Spec

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
START = {"a4_bw_start", "a4_color_start", "a3_bw_start", "a3_color_start"}
END = {"a4_bw_end", "a4_color_end", "a3_bw_end", "a3_color_end"}
A4 = {"a4_bw_start", "a4_bw_end", "a4_color_start", "a4_color_end"}
A3 = {"a3_bw_start", "a3_bw_end", "a3_color_start", "a3_color_end"}
BW = {"a4_bw_start", "a4_bw_end", "a3_bw_start", "a3_bw_end"}
COLOUR = (START | END) - BW

PERMISSIONS = {"none": set(), "start": {EDIT_START}, "end": {EDIT_END}, "both": {EDIT_START, EDIT_END}}
PERMITTED = {"none": set(), "start": START, "end": END, "both": START | END}
POSITIONS = {"single": (0, 1, START | END), "first": (0, 3, A4), "later": (2, 3, A3)}
SPECS = {
    "none": (None, START | END),
    "non-enforcing": (Spec("Any", True, "A4", False, False), START | END),
    "mono A4": (Spec("Mono", False, "A4", True, False), A4 & BW),
    "colour A3": (Spec("Colour", True, "A3", True, False), A3 & COLOUR),
    "colour A4A3": (Spec("Both", True, "A4A3", True, False), COLOUR),
}
FORCE_LOCK = Override(False, None, "disputed meter")
UNLOCK = Override(True, None, "")


def _row(*, days: float | None, auto: int = 1500) -> dict:
    last_ok = None if days is None else NOW - timedelta(days=days)
    return {
        "inventory_last_ok": last_ok,
        "a4_bw_end_auto": auto,
        "a4_color_end_auto": 0,
        "a3_bw_end_auto": None,
        "a3_color_end_auto": 0,
    }


# (extra permissions, override, spec allows manual edit, days since the last good poll, auto value) -> locked?
# A spec's allow_manual_edit can only unlock a row that has a spec: without one the fresh poll decides.
SITUATIONS = {
    "override_auto_lock perm": ({OVERRIDE_LOCK}, FORCE_LOCK, False, 1, 1500, lambda spec: False),
    "override unlocks a fresh poll": (set(), UNLOCK, False, 1, 1500, lambda spec: False),
    "override force-locks a stale poll": (set(), FORCE_LOCK, True, 30, 0, lambda spec: True),
    "spec allows manual edit": (set(), None, True, 1, 1500, lambda spec: spec is None),
    "fresh poll, auto > 0": (set(), None, False, 2, 1500, lambda spec: True),
    "fresh poll exactly 7 days": (set(), None, False, 7, 1500, lambda spec: True),
    "stale poll 8 days": (set(), None, False, 8, 1500, lambda spec: False),
    "fresh poll, all autos 0": (set(), None, False, 1, 0, lambda spec: False),
    "never polled": (set(), None, False, None, 1500, lambda spec: False),
}


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("spec_name", SPECS)
@pytest.mark.parametrize("position_name", POSITIONS)
@pytest.mark.parametrize("perm_name", PERMISSIONS)
def test_allowed_set_for_every_combination(perm_name: str, position_name: str, spec_name: str, situation: str):
    extra, override, spec_allows, days, auto, locked_for = SITUATIONS[situation]
    position, size, by_group = POSITIONS[position_name]
    spec, by_spec = SPECS[spec_name]
    if spec is not None:
        spec = replace(spec, allow_manual_edit=spec_allows)
    locks = field_locks(
        _row(days=days, auto=auto),
        month_editable=True,
        closed_reason="",
        permissions=PERMISSIONS[perm_name] | extra,
        position=position,
        size=size,
        spec=spec,
        override=override,
        now=NOW,
    )
    expected = PERMITTED[perm_name] & by_group & by_spec
    if locked_for(spec):
        expected -= END
    assert allowed_set(locks) == expected
    assert all(reason for name, reason in locks.items() if name not in expected)  # every locked cell says why


@pytest.mark.parametrize("perm_name", PERMISSIONS)
def test_a_closed_month_locks_everything_with_its_reason(perm_name: str) -> None:
    locks = field_locks(
        _row(days=None),
        month_editable=False,
        closed_reason="Month closed on 05.12.2026.",
        permissions=PERMISSIONS[perm_name] | {OVERRIDE_LOCK},
        position=0,
        size=1,
        spec=None,
        override=UNLOCK,
        now=NOW,
    )
    assert set(locks.values()) == {"Month closed on 05.12.2026."}


def test_reasons_name_the_rule_that_failed_first() -> None:
    def locks(**kw) -> dict:
        base = {
            "month_editable": True,
            "closed_reason": "",
            "permissions": {EDIT_END},
            "position": 0,
            "size": 1,
            "spec": None,
            "override": None,
            "now": NOW,
        }
        return field_locks(_row(days=2), **{**base, **kw})

    assert locks()["a4_bw_start"] == "You may not edit start counters."
    assert locks()["a4_bw_end"] == "Auto-filled from the inventory 2 days ago"
    assert locks(position=1, size=2)["a4_bw_end"] == "A4 fields belong to the first row of this duplicate group."
    assert locks(position=0, size=2)["a3_bw_end"] == "A3 fields belong to the later rows of this duplicate group."
    mono = Spec("Mono", False, "A4", True, False)
    assert locks(spec=mono)["a4_color_end"] == "The model Mono has no such counter."
    assert locks(override=FORCE_LOCK)["a3_bw_end"] == "Locked for this serial number by an override: disputed meter"
    assert "no reason given" in locks(override=Override(False, None, " "))["a3_bw_end"]
    assert locks(permissions={EDIT_START})["a4_bw_end"] == "You may not edit end counters."


def test_auto_lock_ages_and_naive_times() -> None:
    today = _row(days=0.1)
    assert auto_lock(today, permissions=(), spec=None, override=None, now=NOW).reason.endswith("today")
    naive = {**_row(days=None), "inventory_last_ok": (NOW - timedelta(days=1)).replace(tzinfo=None)}
    lock = auto_lock(naive, permissions=(), spec=None, override=None, now=NOW)
    assert lock.locked and lock.reason.endswith("1 day ago")


def test_group_fields_is_the_split_sync_uses() -> None:
    assert group_fields(0, 1) == START | END
    assert group_fields(0, 2) == A4 and group_fields(1, 2) == A3 and group_fields(5, 9) == A3


def test_tab_moves_to_the_next_editable_shown_cell() -> None:
    from printer_app.state.reports.table_view import RowView, next_cell

    open_ = dict.fromkeys(START | END, "")
    rows = [
        RowView(id=1, locks={**open_, "a4_color_end": "Not this model"}),
        RowView(id=2, locks=dict.fromkeys(START | END, "Month closed")),
        RowView(id=3, locks=open_),
    ]
    hidden = {"a4_color_start", "a3_bw_start"}

    def move(current: str, backwards: bool = False, sla: bool = False):
        found = next_cell(rows, current, backwards=backwards, hidden=hidden, sla=sla)
        return found and (found[0].id, found[1])

    assert move("1:a4_bw_end") == (1, "a3_bw_end")  # past a locked and a hidden cell
    assert move("1:a3_color_end") == (3, "a4_bw_start")  # past a row with nothing editable
    assert move("1:a3_color_end", sla=True) == (1, "normative_availability")  # uploaders also stop at A / D / L / W
    assert move("3:a4_bw_start", backwards=True) == (1, "a3_color_end")
    assert move("3:a3_color_end") is None and move("1:a4_bw_start", backwards=True) is None
    assert move("9:a4_bw_end") is None  # a row no longer shown
