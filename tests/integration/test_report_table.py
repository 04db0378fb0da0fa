"""The month table's query (services/reports/month_table.py): filters, sorts with empty values and Cyrillic,
paging, the totals of the filtered rows, anomalies against a serial's earlier months (Cyrillic serials folded on
SQLite too), duplicate groups shown together with their A4 / A3 marks."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from printer_app.models import MonthlyReport
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.month_table import (
    EXCESS,
    NEGATIVE,
    TableFilters,
    anomalies_of,
    filter_options,
    filtered_rows,
    month_table,
)

MONTH = date(2026, 10, 1)


def _add(session: Session, month: date = MONTH, **values) -> MonthlyReport:
    row = MonthlyReport(month=month, **values)
    session.add(row)
    session.flush()
    return row


def _serials(rows) -> list[str]:
    return [row.values["serial_number"] for row in rows]


def _month(session: Session) -> dict[str, MonthlyReport]:
    """A small month: a duplicate group (Cyrillic serial, different case), rows of two cities, a reset counter."""
    rows = {
        "first": _add(
            session,
            order_number=1,
            organization="Альфа",
            city="Иркутск",
            equipment_model="HP M404",
            serial_number="СН-Дубль",
            inventory_number="ИНВ-1",
            a4_bw_start=100,
            a4_bw_end=400,
            a3_bw_end=50,
            normative_availability=720,
            actual_downtime=72,
        ),
        "later": _add(
            session,
            order_number=5,
            organization="Альфа",
            city="Иркутск",
            equipment_model="HP M404",
            serial_number=" сн-дубль",
            inventory_number="инв-1 ",
            a4_bw_end=999,
            a3_bw_start=10,
            a3_bw_end=30,
        ),
        "reset": _add(
            session,
            order_number=2,
            organization="Бета",
            city="Ангарск",
            equipment_model="Kyocera",
            serial_number="RESET-1",
            a4_bw_start=5000,
            a4_bw_end=100,
            non_overdue_requests=3,
            total_requests=4,
        ),
        "plain": _add(
            session,
            order_number=3,
            organization="бета",
            city="",
            equipment_model="Kyocera",
            serial_number="PLAIN-1",
            inventory_number="ЁЖ-7",
            a4_bw_end=10,
            device_ip="10.0.0.5",
        ),
    }
    recompute_month(session, MONTH)
    session.commit()
    return rows


def test_default_order_keeps_a_duplicate_group_together_with_its_marks(session: Session) -> None:
    rows = _month(session)
    page = month_table(session, MONTH, filters=TableFilters())
    assert [r.id for r in page.rows] == [rows[k].id for k in ("first", "later", "reset", "plain")]
    marks = {r.id: (r.group_position, r.group_size) for r in page.rows}
    assert marks[rows["first"].id] == (0, 2) and marks[rows["later"].id] == (1, 2)
    assert marks[rows["reset"].id] == (0, 1)
    by_id = {r.id: r.values for r in page.rows}
    assert by_id[rows["first"].id]["total_prints"] == 300  # the group's first row: its A4 only
    assert by_id[rows["later"].id]["total_prints"] == 20  # later: its A3 only
    assert by_id[rows["reset"].id]["total_prints"] == -4900
    assert page.total == page.month_rows == 4


def test_filters_each_and_together(session: Session) -> None:
    rows = _month(session)

    def ids(**filters) -> set[int]:
        return {r.id for r in filtered_rows(session, MONTH, filters=TableFilters(**filters))[0]}

    assert ids(organization="БЕТА") == {rows["reset"].id, rows["plain"].id}  # Cyrillic folded, exact name
    assert ids(organization="Бет") == set()
    assert ids(city="иркутск") == {rows["first"].id, rows["later"].id}
    assert ids(model="kyocera") == {rows["reset"].id, rows["plain"].id}
    assert ids(search="дуБЛ") == {rows["first"].id, rows["later"].id}  # serial contains, any case
    assert ids(search="ёж") == {rows["plain"].id}  # inventory number contains
    assert ids(search="  plain-1 ") == {rows["plain"].id}
    assert ids(anomalies=True) == {rows["reset"].id}
    assert ids(duplicates=True) == {rows["first"].id, rows["later"].id}
    assert ids(k1_below=95) == {rows["first"].id, rows["later"].id, rows["reset"].id, rows["plain"].id}
    assert ids(k1_below=50) == {rows["later"].id, rows["reset"].id, rows["plain"].id}  # first has K1 90
    assert ids(k2_below=75) == {rows["first"].id, rows["later"].id, rows["plain"].id}  # K2 75 is not below 75
    assert ids(organization="Бета", k2_below=100) == {rows["reset"].id, rows["plain"].id}
    assert ids(city="Иркутск", search="RESET") == set()


def test_sorts_with_empty_values_last_and_cyrillic_case(session: Session) -> None:
    rows = _month(session)

    def order(sort: str, descending: bool = False) -> list[int]:
        shown, _count = filtered_rows(session, MONTH, filters=TableFilters(), sort=sort, descending=descending)
        return [r.id for r in shown]

    # "Ангарск" < "Иркутск" (twice, default order between them), the row without a city last either way
    assert order("city") == [rows["reset"].id, rows["first"].id, rows["later"].id, rows["plain"].id]
    assert order("city", True) == [rows["first"].id, rows["later"].id, rows["reset"].id, rows["plain"].id]
    # "Альфа" twice, then "Бета" and "бета" equal when folded: the default order (2 before 3) decides
    assert order("organization") == [rows["first"].id, rows["later"].id, rows["reset"].id, rows["plain"].id]
    assert order("total_prints") == [rows["reset"].id, rows["plain"].id, rows["later"].id, rows["first"].id]
    assert order("total_prints", True)[0] == rows["first"].id
    assert order("device_ip") == [rows["plain"].id, rows["first"].id, rows["later"].id, rows["reset"].id]
    assert order("device_ip", True)[0] == rows["plain"].id  # NULLs last in both directions
    assert order("inventory_last_ok") == order("order_number")  # all empty: the default order
    assert order("order_number", True) == list(reversed(order("order_number")))
    assert order("no_such_column; drop table") == order("order_number")  # not whitelisted: the default


def test_paging_and_totals_of_every_filtered_row(session: Session) -> None:
    for i in range(7):
        _add(session, order_number=i + 1, organization="Org", serial_number=f"S{i}", a4_bw_end=10 * (i + 1))
    _add(session, order_number=99, organization="Other", serial_number="X", a4_bw_end=1000)
    recompute_month(session, MONTH)
    session.commit()
    filters = TableFilters(organization="org")
    page = month_table(session, MONTH, filters=filters, page=2, page_size=25)
    assert page.page == 1  # clamped: one page
    assert page.total == 7 and page.month_rows == 8
    assert page.totals["total_prints"] == sum(10 * (i + 1) for i in range(7))
    assert page.totals["a4_bw_end"] == 280
    assert month_table(session, MONTH, filters=TableFilters(), page_size=7).page_size == 50  # not offered: default
    for i in range(60):
        _add(session, order_number=100 + i, organization="Many", serial_number=f"M{i}", a4_bw_end=1)
    recompute_month(session, MONTH)
    session.commit()
    second = month_table(session, MONTH, filters=TableFilters(organization="many"), page=2, page_size=25)
    assert second.page == 2 and len(second.rows) == 25
    assert second.rows[0].values["serial_number"] == "M25"
    assert second.totals["total_prints"] == 60  # every filtered row, not only the page
    last = month_table(session, MONTH, filters=TableFilters(organization="many"), page=99, page_size=25)
    assert last.page == 3 and len(last.rows) == 10


def test_anomalies_against_earlier_months_of_a_cyrillic_serial(session: Session) -> None:
    for month, total in ((date(2026, 8, 1), 1000), (date(2026, 9, 1), 3000)):  # average 2000
        _add(session, month=month, serial_number="СЕР-Ёлка", a4_bw_end=total)
    _add(session, month=date(2026, 11, 1), serial_number="сер-ёлка", a4_bw_end=100_000)  # later: not history
    over = _add(session, serial_number=" сер-ЁЛКА ", a4_bw_end=4001)  # 2001 above the average
    for month in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 11, 1), MONTH):
        recompute_month(session, month)
    edge = _add(session, serial_number="EDGE", a4_bw_end=4000)
    _add(session, month=date(2026, 9, 1), serial_number="edge", a4_bw_end=2000)
    fresh = _add(session, serial_number="NEW", a4_bw_end=50_000)  # no history: no excess
    negative = _add(session, serial_number="NEG", a4_bw_start=10)
    recompute_month(session, MONTH)
    recompute_month(session, date(2026, 9, 1))
    session.commit()
    rows = {r.id: r for r in filtered_rows(session, MONTH, filters=TableFilters())[0]}
    assert rows[over.id].anomalies == (EXCESS,) and rows[over.id].average == 2000
    assert rows[edge.id].anomalies == ()  # exactly 2000 above: not more than
    assert rows[fresh.id].anomalies == () and rows[fresh.id].average is None
    assert rows[negative.id].anomalies == (NEGATIVE,)
    only = filtered_rows(session, MONTH, filters=TableFilters(anomalies=True))[0]
    assert {r.id for r in only} == {over.id, negative.id}
    assert anomalies_of(-5, 0.0) == (NEGATIVE,)
    assert anomalies_of(-5, -3000.0) == (EXCESS, NEGATIVE)  # both may apply


def test_filter_options_are_the_months_values_folded(session: Session) -> None:
    _month(session)
    _add(session, month=date(2026, 9, 1), organization="Другая")
    session.commit()
    options = filter_options(session, MONTH)
    assert options["organization"] == ["Альфа", "Бета"] or options["organization"] == ["Альфа", "бета"]
    assert options["city"] == ["Ангарск", "Иркутск"]
    assert options["equipment_model"] == ["HP M404", "Kyocera"]
