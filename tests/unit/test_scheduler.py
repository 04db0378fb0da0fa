"""The schedule: the scheduled poll runs every POLL_INTERVAL_MINUTES on the clock's slots of TIME_ZONE."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import ValidationError

from printer_app.config import Settings, get_settings

IRKUTSK = ZoneInfo("Asia/Irkutsk")


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("TIME_ZONE", "Asia/Irkutsk")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def fire_times(interval: str, monkeypatch: pytest.MonkeyPatch, after: datetime, count: int) -> list[datetime]:
    """The next `count` times the scheduler sends the poll dispatch, with POLL_INTERVAL_MINUTES=`interval`."""
    from workers.scheduler import configure

    monkeypatch.setenv("POLL_INTERVAL_MINUTES", interval)
    get_settings.cache_clear()
    scheduler = BackgroundScheduler(timezone=IRKUTSK)
    configure(scheduler)
    trigger = scheduler.get_job("scheduled_dispatch").trigger
    times, previous = [], None
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1) if previous else after)
        times.append(previous)
    return times


def local(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=IRKUTSK)


def test_the_scheduled_poll_runs_every_interval_on_the_clock(settings_env: pytest.MonkeyPatch) -> None:
    after = local(2, 10, 7)
    assert fire_times("15", settings_env, after, 4) == [
        local(2, 10, 15),
        local(2, 10, 30),
        local(2, 10, 45),
        local(2, 11, 0),
    ]
    assert fire_times("5", settings_env, after, 2) == [local(2, 10, 10), local(2, 10, 15)]
    assert fire_times("60", settings_env, after, 2) == [local(2, 11, 0), local(2, 12, 0)]
    assert fire_times("180", settings_env, after, 3) == [local(2, 12, 0), local(2, 15, 0), local(2, 18, 0)]
    assert fire_times("1440", settings_env, after, 2) == [local(3, 0, 0), local(4, 0, 0)]


@pytest.mark.parametrize("value", ["0", "-5", "7", "45", "90", "100", "1000", "2880", "many"])
def test_an_interval_that_does_not_fit_the_clock_is_refused_with_a_clear_message(value: str) -> None:
    with pytest.raises(ValidationError, match="POLL_INTERVAL_MINUTES"):
        Settings(POLL_INTERVAL_MINUTES=value)


@pytest.mark.parametrize("value", ["1", "2", "10", "20", "30", "60", "120", "360", "720", "1440"])
def test_intervals_that_fit_the_clock_are_accepted(value: str) -> None:
    assert Settings(POLL_INTERVAL_MINUTES=value).poll_interval_minutes == int(value)


def test_schedulers_seconds_apart_name_the_same_slot_and_the_next_run_another(settings_env: pytest.MonkeyPatch) -> None:
    from workers.scheduler import jobs, slot_of

    settings_env.setenv("POLL_INTERVAL_MINUTES", "15")
    settings_env.setenv("TIME_ZONE", "Asia/Kolkata")  # UTC+5:30: the local quarter hours are not UTC's
    get_settings.cache_clear()
    poll, cleanup, *_ = jobs(get_settings())
    kolkata = ZoneInfo("Asia/Kolkata")
    on_time = datetime(2026, 3, 2, 10, 15, tzinfo=kolkata)
    early, late = on_time - timedelta(seconds=2), on_time + timedelta(seconds=90)  # clocks differ; one ran late
    assert slot_of(poll, early) == slot_of(poll, on_time) == slot_of(poll, late)
    assert slot_of(poll, on_time + timedelta(minutes=15)) == slot_of(poll, on_time) + 1
    three = datetime(2026, 3, 2, 3, 0, tzinfo=kolkata)
    assert slot_of(cleanup, three - timedelta(seconds=5)) == slot_of(cleanup, three + timedelta(minutes=4))
    assert slot_of(cleanup, three + timedelta(days=1)) == slot_of(cleanup, three) + 1
