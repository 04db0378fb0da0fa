"""The printer page's supply chart: history, each forecast's line to 0 % and the replacement marks, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from printer_app.models import SupplyForecast, SupplyLifetime
from printer_app.state.supplies.printer_chart import lifetime_view, supply_chart
from printer_app.state.view import local_time

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _forecast(**values) -> SupplyForecast:
    base = {"printer_id": 1, "supply_key": "toner:black:1", "kind": "toner", "color": "black"}
    return SupplyForecast(**(base | {"description": "Black Toner", "forecast_status": "ok"} | values))


def test_forecast_line_runs_from_the_newest_level_to_zero_and_the_replacement_is_marked():
    series = [{"at": T0 + timedelta(days=d), "Black Toner": level} for d, level in ((0, 20), (2, 100), (4, 80))]
    forecast = _forecast(level_percent=80, last_seen_at=T0 + timedelta(days=4), days_to_empty=10)
    stale = _forecast(
        supply_key="drum:-:2",
        kind="drum",
        color=None,
        description="Drum",
        level_percent=50,
        last_seen_at=T0 - timedelta(days=30),
        days_to_empty=3,
    )
    nodata = _forecast(
        supply_key="toner:cyan:3", description="Cyan", level_percent=40, forecast_status="not_enough_data"
    )
    lives = [
        SupplyLifetime(printer_id=1, supply_key="toner:black:1", started_at=T0 + timedelta(days=2)),
        SupplyLifetime(
            printer_id=1,
            supply_key="toner:black:1",
            started_at=T0 - timedelta(days=90),
            ended_at=T0 + timedelta(days=2),
            started_by_replacement=False,
            pages=2700,
            rated_yield=3000,
            start_percent=100,
            end_percent=4,
        ),
    ]
    chart = supply_chart(series, [forecast, stale, nodata], lives)
    assert [line[2] for line in chart.lines] == ["history", "forecast"]  # no line for the stale or figureless ones
    key = chart.lines[1][0]
    assert key == "Black Toner · forecast"
    assert [p.get(key) for p in chart.points] == [None, None, 80, 0]
    assert chart.points[-1]["at"] == local_time(T0 + timedelta(days=14))
    assert chart.marks == [[local_time(T0 + timedelta(days=2)), "#1f2328", "Black Toner"]]
    ended = lifetime_view(lives[1], {"toner:black:1": "Black Toner"})
    assert (ended.pages, ended.yield_text, ended.yield_tone, ended.levels) == (
        "2,700",
        "90 % of 3,000",
        "gray",
        "100 % → 4 %",
    )
    current = lifetime_view(lives[0], {})
    assert (current.ended, current.yield_text, current.levels) == ("in the printer now", "—", "—")


def test_an_empty_forecast_beside_a_level_bar_reads_due_now() -> None:
    from printer_app.state.supplies.views import days_text

    assert days_text("empty", None, None, None, 6) == "Due now"
    assert days_text("empty", None, None, None, 0) == days_text("empty", None, None, None) == "Empty"
    assert days_text("ok", 9.4, 7.2, 12.9, 40) == "9 days (7–12)"


def test_a_long_forecast_stops_at_the_horizon_instead_of_squeezing_the_history():
    series = [{"at": T0 + timedelta(days=d), "Drum": level} for d, level in ((0, 92), (30, 80))]
    drum = _forecast(
        supply_key="drum:-:2", kind="drum", color=None, description="Drum",
        level_percent=80, last_seen_at=T0 + timedelta(days=30), days_to_empty=211,
    )  # fmt: skip
    chart = supply_chart(series, [drum], [])
    key = next(name for name, _colour, style in chart.lines if style == "forecast")
    drawn = [p for p in chart.points if key in p]
    assert drawn[0]["at"] == local_time(T0 + timedelta(days=30)) and drawn[0][key] == 80
    assert drawn[-1]["at"] == local_time(T0 + timedelta(days=60)) and drawn[-1][key] == round(80 * (1 - 30 / 211))
