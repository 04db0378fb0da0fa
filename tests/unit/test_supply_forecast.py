"""The supply forecast against synthetic histories with a known truth (services/supplies/synthetic.py).

`pytest -s` prints the figures: per scenario the true and forecast days to empty, the error, the replacements.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from printer_app.services.supplies.forecast import EMPTY, NO_LEVEL, NOT_ENOUGH, OK, analyse
from printer_app.services.supplies.lifetimes import Reading, reading_of
from printer_app.services.supplies.synthetic import Scenario, generate, standard_set

SEEDS = range(1, 6)
STEADY = ("steady", "replaced", "counter-reset", "weekend", "specials")  # every pattern but bursty
T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)


def _runs():
    for seed in SEEDS:
        for scenario in standard_set(seed):
            history = generate(scenario)
            yield scenario, history, analyse(history.readings)


RUNS = list(_runs())


def _error(history, analysis) -> float:
    return abs(analysis.forecast.days_to_empty - history.true_days_to_empty) / history.true_days_to_empty


def test_print_the_figures():
    print(f"\n{'scenario':<18}{'seed':>5}{'true d':>8}{'forecast d':>11}{'band':>16}{'error':>8}{'repl':>6}  method")
    errors: dict[str, list[float]] = {}
    for s, h, a in RUNS:
        f = a.forecast
        band = f"{f.days_low:.1f}-{f.days_high:.1f}" if f.days_high is not None else f"{f.days_low:.1f}-"
        error = _error(h, a)
        errors.setdefault(s.pattern if s.name.split("-")[0] != "bursty" else "bursty", []).append(error)
        found = sum(lt.started_by_replacement for lt in a.lifetimes)
        print(
            f"{s.name:<18}{s.seed:>5}{h.true_days_to_empty:>8.1f}{f.days_to_empty:>11.1f}{band:>16}"
            f"{error * 100:>7.1f}%{found:>3}/{len(h.replaced_at):<2}  {f.method}"
        )
    for pattern, values in errors.items():
        v = np.array(values) * 100
        print(f"{pattern}: {v.size} histories, error median {np.median(v):.1f} %, max {v.max():.1f} %")


@pytest.mark.parametrize("prefix", STEADY)
def test_steady_usage_is_forecast_within_ten_percent(prefix):
    runs = [(s, h, a) for s, h, a in RUNS if s.name.startswith(prefix)]
    assert runs
    for s, h, a in runs:
        assert a.forecast.status == OK, s
        assert _error(h, a) <= 0.10, (s.name, s.seed, h.true_days_to_empty, a.forecast.days_to_empty)
        assert a.forecast.days_low <= a.forecast.days_to_empty
        assert a.forecast.pages_to_empty == pytest.approx(h.true_pages_to_empty, rel=0.12)


def test_bursty_usage_is_forecast_within_twenty_five_percent():
    runs = [(s, h, a) for s, h, a in RUNS if s.pattern == "bursty"]
    assert len(runs) == 4 * len(SEEDS)
    for s, h, a in runs:
        assert _error(h, a) <= 0.25, (s.name, s.seed, h.true_days_to_empty, a.forecast.days_to_empty)


def test_every_replacement_is_found_when_it_happened_and_no_other():
    for s, h, a in RUNS:
        found = [lt.started_at for lt in a.lifetimes if lt.started_by_replacement]
        assert len(found) == len(h.replaced_at), (s.name, s.seed, found, h.replaced_at)
        assert found == h.replaced_at, (s.name, s.seed)  # the first poll that showed the new cartridge's level


def test_a_finished_cartridge_counts_its_pages_and_its_yield():
    h = generate(Scenario("yield", yield_pages=5_000, pages_per_day=200, start_level=50, seed=7))
    a = analyse(h.readings)
    complete = [lt for lt in a.lifetimes if lt.complete]
    assert len(complete) >= 2
    for lt in complete:  # replaced at 4 % left: 96 % of 5000 pages, give or take the hours around the polls
        assert lt.pages == pytest.approx(4_800, rel=0.04)
        assert lt.yield_of(5_000) == pytest.approx(0.96, abs=0.04)
    last, average = a.pages_per_cartridge()
    assert last == complete[-1].pages and average == pytest.approx(4_800, rel=0.04)
    assert not a.lifetimes[0].started_by_replacement and a.lifetimes[0].yield_of(5_000) is None


def test_a_single_glitch_up_or_down_is_no_replacement():
    levels = [80, 79, 79, 78, 95, 77, 76, 40, 75, 74, 73]
    a = analyse([Reading(T0 + timedelta(days=i), v, pages=1000 + 100 * i) for i, v in enumerate(levels)])
    assert a.replacements == 0 and len(a.lifetimes) == 1


def test_a_new_max_capacity_is_a_replacement_even_at_a_small_rise():
    readings = [Reading(T0 + timedelta(days=i), 60 - i, max_capacity=3000) for i in range(10)]
    readings += [Reading(T0 + timedelta(days=10 + i), 56 - i, max_capacity=6000) for i in range(5)]
    a = analyse(readings)
    assert a.replacements == 1 and a.lifetimes[1].started_at == T0 + timedelta(days=10)


def test_a_newest_reading_far_up_is_a_new_cartridge_at_once():
    readings = [Reading(T0 + timedelta(days=i), 30 - 2 * i, pages=100 * i) for i in range(10)]
    readings.append(Reading(T0 + timedelta(days=10), 100, pages=1000))
    a = analyse(readings)
    assert a.replacements == 1
    assert a.lifetimes[0].ended_at == a.lifetimes[1].started_at == T0 + timedelta(days=10)
    assert a.lifetimes[0].pages == 900 and a.lifetimes[1].ended_at is None


def test_too_little_history_says_not_enough_data():
    a = analyse([Reading(T0, 80, pages=10), Reading(T0 + timedelta(hours=6), 80, pages=12)])
    assert a.forecast.status == NOT_ENOUGH and a.forecast.days_to_empty is None
    flat = analyse([Reading(T0 + timedelta(days=i), 80, pages=10) for i in range(30)])  # nothing printed
    assert flat.forecast.status == NOT_ENOUGH


def test_the_rated_yield_gives_pages_to_empty_for_a_cartridge_just_put_in():
    readings = [Reading(T0 + timedelta(days=i), 100, pages=1000 + 150 * i) for i in range(5)]
    a = analyse(readings, rated_yield=6000)
    assert a.forecast.pages_to_empty == pytest.approx(6030, rel=0.01)  # 100.5 % of 6000 (a truncated level)
    assert a.forecast.days_to_empty == pytest.approx(40.2, rel=0.02)  # at 150 pages a day


def test_special_states_and_empty():
    only_states = [reading_of(T0 + timedelta(days=i), v) for i, v in enumerate((-3, -2, "low", -3))]
    assert [r.state for r in only_states] == ["some_remaining", "unknown", "low", "some_remaining"]
    assert analyse(only_states).forecast.status == NO_LEVEL
    assert analyse([*only_states, reading_of(T0 + timedelta(days=9), "Empty")]).forecast.status == EMPTY
    zero = [Reading(T0 + timedelta(days=i), max(0, 10 - 5 * i)) for i in range(4)]
    a = analyse(zero)
    assert a.forecast.status == EMPTY and a.level_percent == 0


def test_a_counter_reset_does_not_lose_or_invent_pages():
    pages = [50_000, 50_100, 50_200, 30, 130, 230]
    a = analyse([Reading(T0 + timedelta(days=i), 90 - i, pages=p) for i, p in enumerate(pages)])
    assert a.pages_since_replacement == 400


@pytest.mark.parametrize(
    ("text", "pages"),
    [("12 000 стр.", 12000), ("7.2K pages", 7200), ("3,000", 3000), ("2,5 тыс.", 2500), ("1 шт.", None), ("", None)],
)
def test_a_rated_capacity_is_read_from_its_free_text(text, pages):
    from printer_app.services.supplies.yields import parse_capacity

    assert parse_capacity(text) == pages
