"""Pages per day and per month from the total counter's differences: resets, gaps, local days, no data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from printer_app.models.choices import TaskStatus
from printer_app.services.polling.usage import pages_per_period, usage
from tests.factories import make_poll, make_printer

IRKUTSK = ZoneInfo("Asia/Irkutsk")  # UTC+8, no daylight saving


def at(day: int, hour: int = 3, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def days(first: int, last: int, month: int = 3) -> dict:
    return {"first": date(2026, month, first), "last": date(2026, month, last)}


def pages(readings, period: str = "day", **span) -> list[int | None]:
    return [b.pages for b in pages_per_period(readings, tz=IRKUTSK, period=period, **span).bars]


def test_differences_land_on_the_day_they_were_observed() -> None:
    readings = [(at(1), 1000), (at(1, 6), 1040), (at(2), 1100), (at(4), 1400)]

    # 2 March: 60 pages; 3 March: no poll (no bar); 4 March: the 300 pages of the gap, on the day they were seen.
    assert pages(readings, **days(1, 5)) == [40, 60, None, 300, None]


def test_a_counter_reset_starts_again_and_is_never_negative() -> None:
    readings = [(at(1), 50000), (at(2), 50200), (at(3), 120), (at(4), 170)]

    usage_bars = pages_per_period(readings, tz=IRKUTSK, period="day", **days(1, 4)).bars

    assert [b.pages for b in usage_bars] == [0, 200, 0, 50]
    assert [b.counter for b in usage_bars] == [50000, 50200, 120, 170]


def test_local_day_boundary() -> None:
    # 15:59 UTC is 23:59 in Irkutsk (1 March); 16:00 UTC is already 2 March there.
    readings = [(at(1, 0), 100), (at(1, 15).replace(minute=59), 110), (at(1, 16), 130)]

    assert pages(readings, **days(1, 2)) == [10, 20]


def test_months_equal_the_last_reading_of_each_month_minus_the_one_before() -> None:
    readings = [
        (at(31, 15, month=1), 1000),  # 23:00 31 January in Irkutsk
        (at(31, 17, month=1), 1010),  # 01:00 1 February there: counted in February
        (at(20, month=2), 1500),
        (at(10, month=4), 2100),  # March without a poll: the April bar holds the gap
    ]

    bars = pages_per_period(readings, tz=IRKUTSK, period="month", first=date(2026, 1, 15), last=date(2026, 4, 30)).bars

    assert [(b.start, b.pages, b.counter) for b in bars] == [
        (date(2026, 1, 1), 0, 1000),
        (date(2026, 2, 1), 500, 1500),
        (date(2026, 3, 1), None, None),
        (date(2026, 4, 1), 600, 2100),
    ]


def test_month_range_crosses_the_new_year() -> None:
    bars = pages_per_period([], tz=IRKUTSK, period="month", first=date(2025, 11, 3), last=date(2026, 2, 1)).bars

    assert [b.start for b in bars] == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_stored_polls_with_the_reading_before_the_range_as_base(session: Session) -> None:
    printer = make_printer(session)
    other = make_printer(session)
    make_poll(session, printer, at=at(1), counters={"total_pages": 900})  # before the range: the base only
    make_poll(session, printer, at=at(3), counters={"total_pages": 1000})
    make_poll(session, printer, at=at(3, 5), status=TaskStatus.FAILED)  # no counter: not a reading
    make_poll(session, printer, at=at(3, 6), counters={"total_pages": None, "bw_a4": 5})  # no total: skipped
    make_poll(session, printer, at=at(4), counters={"total_pages": 1250})
    make_poll(session, other, at=at(4), counters={"total_pages": 99999})
    session.flush()

    result = usage(
        session, printer_id=printer.id, tz=IRKUTSK, period="day", first=date(2026, 3, 2), last=date(2026, 3, 4)
    )

    assert [b.pages for b in result.bars] == [None, 100, 250]
    assert result.readings == 3


def test_fewer_than_two_readings_is_no_data(session: Session) -> None:
    printer = make_printer(session)
    make_poll(session, printer, at=at(3), counters={"total_pages": 1000})
    session.flush()

    result = usage(
        session, printer_id=printer.id, tz=IRKUTSK, period="day", first=date(2026, 3, 1), last=date(2026, 3, 4)
    )

    assert result.readings == 1
