"""Synthetic supply histories with a known truth: for the forecast's accuracy tests, the benchmark and the demo data.

A printer prints hour by hour (steady, bursty or weekdays only); each page uses 100/`yield_pages` points of the
cartridge; a cartridge at `replace_below` or less is replaced by a full one. A poll reads the level (rounded, with
noise), sometimes a stale repeat of the previous answer or a special state, and the page counter (which may be reset
once). The truth: when each replacement happened and, at the end, the days and pages left in the cartridge at the
process's mean rate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from printer_app.services.supplies.lifetimes import Reading

PATTERNS = ("steady", "bursty", "weekend")
WORK_HOURS = range(8, 19)


@dataclass(frozen=True)
class Scenario:
    """How one supply is used and read; `pages_per_day` is the mean per calendar day."""

    name: str
    pattern: str = "steady"
    days: int = 90
    polls_per_day: int = 4
    pages_per_day: float = 150.0
    yield_pages: int = 6_000
    start_level: float = 80.0
    replace_below: float = 4.0
    noise: float = 0.0  # sd of the reported level, in points
    stale: float = 0.0  # chance a poll repeats the previous answer
    specials: float = 0.0  # chance a poll reports a special state (-2/-3) instead of a level
    counter_reset_day: int | None = None  # the page counter restarts from a small number that day
    seed: int = 1
    end: datetime = datetime(2026, 11, 30, 12, tzinfo=UTC)


@dataclass
class History:
    """The readings a scenario gives and its truth."""

    scenario: Scenario
    readings: list[Reading] = field(default_factory=list)
    replaced_at: list[datetime] = field(default_factory=list)  # the first poll that showed each new cartridge's level
    true_level: float = 0.0
    true_days_to_empty: float = 0.0
    true_pages_to_empty: float = 0.0


BURST_SIGMA = 0.7  # bursty days: the day's volume is log-normal around the mean (some days 4x others)


@dataclass
class _Day:
    factor: float = 1.0
    burst_hours: tuple[int, ...] = ()


def _new_day(s: Scenario, rng: random.Random) -> _Day:
    if s.pattern != "bursty":
        return _Day()
    factor = rng.lognormvariate(-(BURST_SIGMA**2) / 2, BURST_SIGMA)
    return _Day(factor, tuple(rng.sample(list(WORK_HOURS), 2)))


def _hourly_pages(s: Scenario, rng: random.Random, at: datetime, day: _Day) -> float:
    if at.hour not in WORK_HOURS:
        return 0.0
    per_work_hour = s.pages_per_day / len(WORK_HOURS)
    if s.pattern == "weekend":
        return 0.0 if at.weekday() >= 5 else rng.uniform(0.5, 1.5) * per_work_hour * 7 / 5
    if s.pattern == "bursty":  # the whole day's printing in two hours
        return s.pages_per_day * day.factor / 2 if at.hour in day.burst_hours else 0.0
    return rng.uniform(0.7, 1.3) * per_work_hour


def generate(s: Scenario) -> History:
    """Simulate `s` hour by hour and poll it; deterministic for a seed."""
    rng = random.Random(s.seed)
    history = History(scenario=s)
    start = s.end - timedelta(days=s.days)
    level, counter = s.start_level, rng.randint(5_000, 200_000)
    poll_every = 24 // s.polls_per_day
    previous: Reading | None = None
    replaced_since_poll = False
    day = _new_day(s, rng)
    hours = s.days * 24
    for h in range(hours + 1):
        at = start + timedelta(hours=h)
        if at.hour == 0:
            day = _new_day(s, rng)
        if s.counter_reset_day is not None and h == s.counter_reset_day * 24:
            counter = rng.randint(0, 50)
        printed = _hourly_pages(s, rng, at, day)
        counter += round(printed)
        level -= printed * 100 / s.yield_pages
        if level <= s.replace_below:
            level = 100.0
            replaced_since_poll = True
        if h % poll_every:
            continue
        poll_at = at + timedelta(minutes=rng.randint(0, 9))
        if previous is not None and rng.random() < s.stale:
            reading = Reading(poll_at, previous.percent, previous.state, counter)
        elif rng.random() < s.specials:
            reading = Reading(poll_at, None, rng.choice(("unknown", "some_remaining")), counter)
        else:
            shown = round(level + rng.gauss(0, s.noise)) if s.noise else int(level)
            reading = Reading(poll_at, max(0, min(100, shown)), "ok", counter)
            if replaced_since_poll:  # the first poll that shows the new cartridge's level
                history.replaced_at.append(poll_at)
                replaced_since_poll = False
        history.readings.append(reading)
        previous = reading
    history.true_level = level
    history.true_pages_to_empty = level / 100 * s.yield_pages
    history.true_days_to_empty = history.true_pages_to_empty / s.pages_per_day
    return history


def standard_set(seed: int = 1) -> list[Scenario]:
    """The accuracy test set: each pattern alone, and with replacements, noise, stale repeats and special states."""
    out = []
    for n in range(4):
        k = seed * 100 + n
        out += [
            Scenario(f"steady-{n}", "steady", seed=k, pages_per_day=120 + 40 * n, start_level=95 - 10 * n),
            Scenario(f"steady-noisy-{n}", "steady", seed=k, noise=1.5, stale=0.1, specials=0.05),
            Scenario(f"weekend-{n}", "weekend", seed=k, pages_per_day=100 + 30 * n),
            Scenario(f"bursty-{n}", "bursty", seed=k, pages_per_day=150 + 50 * n, days=120),
            Scenario(f"replaced-{n}", "steady", seed=k, pages_per_day=180, yield_pages=5_000, start_level=60),
            Scenario(f"counter-reset-{n}", "steady", seed=k, pages_per_day=130, counter_reset_day=40 + n),
            Scenario(f"specials-{n}", "weekend", seed=k, pages_per_day=140, specials=0.2, stale=0.2, noise=1.0),
        ]
    return out
