"""Month recomputation in the database (docs/reports.md §10.2): group totals by (serial, inventory) ignoring case
in every alphabet, K1 / K2 per row, only the named groups when asked; model specs created for unseen models."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from printer_app.models import MonthlyReport, PrinterModelSpec
from printer_app.services.reports.formulas import group_key
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.specs import ensure_specs, load_specs

MONTH = date(2026, 10, 1)


def _add(session: Session, **values) -> MonthlyReport:
    row = MonthlyReport(month=values.pop("month", MONTH), **values)
    session.add(row)
    session.flush()
    return row


def test_recompute_month_groups_totals_and_k(session: Session) -> None:
    first = _add(session, order_number=1, serial_number="СН-1", inventory_number="Инв", a4_bw_end=100, a3_bw_end=5)
    later = _add(session, order_number=2, serial_number="сн-1 ", inventory_number="инв", a4_bw_end=70, a3_bw_end=9)
    alone = _add(
        session,
        order_number=3,
        serial_number="X",
        a4_bw_start=10,
        a4_bw_end=40,
        a3_color_end=2,
        normative_availability=720,
        actual_downtime=36,
        non_overdue_requests=3,
        total_requests=4,
    )
    no_ids = [_add(session, order_number=4 + i, a4_bw_end=10 * (i + 1)) for i in range(2)]
    other_month = _add(session, month=date(2026, 9, 1), serial_number="СН-1", inventory_number="Инв", a4_bw_end=3)
    session.commit()

    assert recompute_month(session, MONTH) == 5
    session.commit()
    session.expire_all()
    got = {row.id: row for row in session.exec(select(MonthlyReport)).all()}
    assert got[first.id].total_prints == 100  # first of the group: its A4 only
    assert got[later.id].total_prints == 9  # later: its A3 only
    assert got[alone.id].total_prints == 32
    assert got[alone.id].k1 == 95.0
    assert got[alone.id].k2 == 75.0
    assert [got[row.id].total_prints for row in no_ids] == [10, 20]  # no serial, no inventory: each alone
    assert got[other_month.id].total_prints == 0  # another month untouched
    assert recompute_month(session, MONTH) == 0  # nothing left to change


def test_recompute_only_named_groups(session: Session) -> None:
    one = _add(session, serial_number="A", a4_bw_end=5)
    two = _add(session, serial_number="B", a4_bw_end=6)
    session.commit()
    assert recompute_month(session, MONTH, keys=[group_key("a", "", None)]) == 1
    session.commit()
    session.expire_all()
    assert session.get(MonthlyReport, one.id).total_prints == 5
    assert session.get(MonthlyReport, two.id).total_prints == 0


def test_ensure_specs_creates_non_enforcing_specs_once(session: Session) -> None:
    session.add(PrinterModelSpec(model_name="Kyocera M2040", is_color=False, paper_format="A4", enforce=True))
    session.commit()
    specs = ensure_specs(session, ["kyocera  m2040", "Кэнон X", "КЭНОН  x", "", "  "])
    session.commit()
    names = sorted(spec.model_name for spec in session.exec(select(PrinterModelSpec)).all())
    assert names == ["Kyocera M2040", "Кэнон X"]
    assert specs["кэнон x"].enforce is False
    assert load_specs(session)["kyocera m2040"].enforce is True
