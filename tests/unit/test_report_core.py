"""The monthly report's pure rules (docs/reports.md §10.2, §10.3): header normalisation and matching, lenient
numbers, K1 / K2, group totals, months and model specs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from printer_app.services.reports.columns import (
    COLUMNS,
    COUNTER_FIELDS,
    field_for_header,
    match_headers,
    normalise_header,
)
from printer_app.services.reports.formulas import group_key, group_totals, k1, k2, page_deltas
from printer_app.services.reports.months import (
    default_edit_until,
    is_editable,
    month_key,
    parse_report_month,
    previous_month,
)
from printer_app.services.reports.numbers import lenient_float, lenient_int
from printer_app.services.reports.specs import Spec, allowed_fields, normalise_model


def test_normalise_header_rules() -> None:
    assert normalise_header("  Показание счётчика А4 Ч/Б на начало периода ") == "показаниесчетчикаa4чбнаначалопериода"
    assert normalise_header("№ п/п") == "noпп"
    assert normalise_header("Ｋ１") == "k1"  # NFKC folds full-width forms


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.field)
def test_every_export_header_matches_its_own_field(column) -> None:
    assert field_for_header(column.russian) == column.field
    assert field_for_header(column.english) == column.field
    for alias in column.aliases:
        assert field_for_header(alias) == column.field, alias


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Модель", "equipment_model"),
        ("Серийный №", "serial_number"),
        ("Инв №", "inventory_number"),
        ("A4 ч/б начало", "a4_bw_start"),
        ("А4 цвет конец", "a4_color_end"),  # Cyrillic А
        ("Показание счетчика А3 цветные на конец периода", "a3_color_end"),
        ("Показание счетчика A4 ч/б на начало периода", "a4_bw_start"),
        ("Счётчик A3 моно, окончание", "a3_bw_end"),  # token fallback
        ("a4 colour start reading", "a4_color_start"),
        ("A норматив", "normative_availability"),
        ("D недоступность", "actual_downtime"),
        ("L непросроченные", "non_overdue_requests"),
        ("W общее", "total_requests"),
        ("Итого отпечатков", "total_prints"),
    ],
)
def test_aliases_and_token_fallback(header: str, field: str) -> None:
    assert field_for_header(header) == field


def test_ambiguous_counter_headers_match_nothing() -> None:
    assert field_for_header("A4 A3 чб начало") is None
    assert field_for_header("A4 чб цвет начало") is None
    assert field_for_header("A4 чб") is None


def test_match_headers_ignores_computed_unknown_and_repeated_columns() -> None:
    match = match_headers(["№ п/п", "Организация", None, "Итого отпечатков шт.", "Заметки", "Организация", "K2"])
    assert match.positions == {"order_number": 0, "organization": 1}
    assert match.columns == {"order_number": "№ п/п", "organization": "Организация"}
    assert match.ignored == ["Итого отпечатков шт.", "Заметки", "Организация", "K2"]


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12 345", 12345.0),
        ("12\u00a0345,5", 12345.5),
        ("1\u202f000", 1000.0),
        ("около -15 шт", -15.0),
        ("abc", 0.0),
        ("", 0.0),
        (None, 0.0),
        (7, 7.0),
        (2.5, 2.5),
        (float("nan"), 0.0),
        ("−3", -3.0),
    ],
)
def test_lenient_numbers(raw: object, number: float) -> None:
    assert lenient_float(raw) == number


def test_lenient_int_rounds() -> None:
    assert lenient_int("12 345,6") == 12346
    assert lenient_int("-2,5") == -3
    assert lenient_int("x") == 0


@pytest.mark.parametrize(
    ("a", "d", "expected"),
    [(100, 5, 95.0), (100, -5, 100.0), (0, 5, 0.0), (-1, 0, 0.0), (100, 150, 0.0), (720, 36, 95.0), (None, None, 0.0)],
)
def test_k1(a, d, expected) -> None:
    assert k1(a, d) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("l_", "w", "expected"), [(9, 10, 90.0), (0, 0, 0.0), (5, -1, 0.0), (12, 10, 100.0), (-3, 10, 0.0)]
)
def test_k2(l_, w, expected) -> None:
    assert k2(l_, w) == pytest.approx(expected)


def _row(row_id: int, order: int = 1, **counters: int) -> dict:
    return {"id": row_id, "order_number": order, **{name: 0 for name in COUNTER_FIELDS}, **counters}


def test_group_totals_single_and_duplicates() -> None:
    single = _row(1, a4_bw_end=100, a4_bw_start=40, a3_color_end=10)
    assert page_deltas(single) == (60, 10)
    assert group_totals([single]) == {1: 70}
    first = _row(5, order=1, a4_bw_end=100, a3_bw_end=7)
    later = _row(3, order=2, a4_bw_end=50, a3_bw_end=9, a3_bw_start=2)
    assert group_totals([later, first]) == {5: 100, 3: 7}
    tie_a, tie_b = _row(9, order=1, a4_bw_end=1), _row(8, order=1, a3_bw_end=4)
    assert group_totals([tie_a, tie_b]) == {8: 0, 9: 0}  # (order, id): row 8 first gets its a4 (0), row 9 its a3


def test_negative_total_kept() -> None:
    assert group_totals([_row(1, a4_bw_start=500, a4_bw_end=20)]) == {1: -480}


def test_group_key() -> None:
    assert group_key(" SN1 ", "Inv-7", 1) == group_key("sn1", "inv-7 ", 2)
    assert group_key("СН1", "", 1) == group_key("сн1", "", 2)  # Cyrillic folds too
    assert group_key("SN1", "A", 1) != group_key("SN1", "B", 2)
    assert group_key("", "INV", 1) == group_key(None, "inv", 2)
    assert group_key("", "", 1) != group_key(None, None, 2)  # nothing to group by: each row alone


def test_months() -> None:
    assert parse_report_month("2026-03") == date(2026, 3, 1)
    assert parse_report_month("03.2026") == date(2026, 3, 1)
    assert parse_report_month("2026-03-17") == date(2026, 3, 1)
    for bad in ("2026-13", "march", "", "1999-01"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_report_month(bad)
    assert month_key(date(2026, 3, 1)) == "2026-03"
    assert previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    until = default_edit_until(date(2026, 2, 1), ZoneInfo("Asia/Irkutsk"))
    assert until == datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC)
    assert is_editable(until, datetime(2026, 2, 28, 15, 0, tzinfo=UTC))
    assert not is_editable(until, datetime(2026, 2, 28, 16, 0, tzinfo=UTC))
    assert not is_editable(None)


def test_spec_allowed_fields() -> None:
    assert allowed_fields(None) == frozenset(COUNTER_FIELDS)
    mono_a4 = Spec("M", False, "A4", True, False)
    assert allowed_fields(mono_a4) == {"a4_bw_start", "a4_bw_end"}
    colour = Spec("C", True, "A4A3", True, False)
    assert allowed_fields(colour) == {"a4_color_start", "a4_color_end", "a3_color_start", "a3_color_end"}
    assert allowed_fields(Spec("N", False, "A4", False, False)) == frozenset(COUNTER_FIELDS)
    assert normalise_model("  HP  LaserJet\tM404 ") == "hp laserjet m404"
    assert normalise_model("Кэнон") == normalise_model("КЭНОН")
