"""Retention (docs/inventory-and-polling.md §6) and the daily cleanup: old polls thinned to the day's latest,
long-ended sessions purged.

A day is a calendar day of TIME_ZONE, as on every page and report, not a UTC day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models import InventoryTask, LoginThrottle, PageCounter, UserSession
from printer_app.models.base import utcnow
from printer_app.services.access import auth
from printer_app.services.polling.retention import thin_history
from tests.factories import make_poll, make_printer

IRKUTSK = ZoneInfo("Asia/Irkutsk")  # UTC+8: local 00:00-07:59 is the previous UTC day


def _day(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A time of the Irkutsk day `days_ago` days back."""
    base = (utcnow() - timedelta(days=days_ago)).astimezone(IRKUTSK)
    return base.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _left(session: Session) -> set[int]:
    session.expire_all()
    return set(session.exec(select(InventoryTask.id)).all())


def test_old_polls_keep_the_latest_of_each_day_recent_polls_stay(session: Session) -> None:
    a, b = make_printer(session), make_printer(session)
    old_latest = {p.id: make_poll(session, p, at=_day(100, 18), counters={"total_pages": 900}).id for p in (a, b)}
    for printer in (a, b):
        make_poll(session, printer, at=_day(100, 6), counters={"total_pages": 800})
        make_poll(session, printer, at=_day(100, 12), status="FAILED")
    single = make_poll(session, a, at=_day(120, 9)).id  # the only poll of its day stays
    recent = [make_poll(session, a, at=_day(5, h)).id for h in (6, 12, 18)]  # inside the period: all stay
    session.commit()

    assert thin_history(session, older_than_days=90, tz=IRKUTSK) == 4
    session.commit()
    left = _left(session)
    assert left == {*old_latest.values(), single, *recent}
    counters = session.exec(select(func.count()).select_from(PageCounter)).one()
    assert counters == len(left), "the deleted polls took their counters with them"
    assert thin_history(session, older_than_days=90, tz=IRKUTSK) == 0


def test_a_day_is_the_configured_zones_day_around_its_midnight(session: Session) -> None:
    """Irkutsk's day runs from 16:00 UTC to 16:00 UTC: polls of one UTC day fall on two local days and back."""
    printer = make_printer(session)
    late_evening = make_poll(session, printer, at=_day(101, 23, 30)).id  # the only one of its local day
    for hour, minute in ((0, 30), (7, 59), (8, 0)):  # the previous UTC day, then the same UTC day as the next
        make_poll(session, printer, at=_day(100, hour, minute))
    day_latest = make_poll(session, printer, at=_day(100, 23, 59)).id
    next_midnight = make_poll(session, printer, at=_day(99, 0, 0)).id  # 16:00 UTC, the UTC day of 08:00 above
    session.commit()

    assert thin_history(session, older_than_days=90, tz=IRKUTSK) == 3
    session.commit()
    assert _left(session) == {late_evening, day_latest, next_midnight}


def test_a_day_with_a_daylight_saving_change_is_still_one_local_day(session: Session) -> None:
    """Berlin moved from UTC+1 to UTC+2 on 2025-03-30: the evenings around it belong to the local days."""
    berlin = ZoneInfo("Europe/Berlin")
    printer = make_printer(session)
    at = [
        datetime(2025, 3, 29, 23, 30, tzinfo=berlin),  # 22:30 UTC on the 29th
        datetime(2025, 3, 30, 0, 30, tzinfo=berlin),  # 23:30 UTC on the 29th, winter time
        datetime(2025, 3, 30, 23, 30, tzinfo=berlin),  # 21:30 UTC on the 30th, summer time
        datetime(2025, 3, 31, 0, 30, tzinfo=berlin),  # 22:30 UTC on the 30th
    ]
    ids = [make_poll(session, printer, at=when).id for when in at]
    session.commit()

    assert thin_history(session, older_than_days=90, tz=berlin) == 1
    session.commit()
    assert _left(session) == {ids[0], ids[2], ids[3]}


@pytest.fixture
def app_db(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIME_ZONE", "Asia/Irkutsk")
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield db_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_daily_cleanup_thins_history_and_purges_ended_sessions(app_db: str, session: Session) -> None:
    from workers.actors import daily_cleanup

    printer = make_printer(session)
    for hour in (0, 12, 23):  # one Irkutsk day, two UTC days
        make_poll(session, printer, at=_day(200, hour))
    user = auth.create_local_user(session, username="cleaner", password="Cleanup-password-2026")
    live = auth.create_session(session, user=user, auth_method=auth.LOCAL)
    auth.create_session(session, user=user, auth_method=auth.LOCAL)  # revoked long ago below
    auth.create_session(session, user=user, auth_method=auth.LOCAL)  # expired long ago below
    session.commit()
    rows = session.exec(select(UserSession).order_by(UserSession.created_at, UserSession.id)).all()
    kept_id = next(r.id for r in rows if r.id == auth._token_id(live))
    others = [r for r in rows if r.id != kept_id]
    others[0].revoked_at = utcnow() - timedelta(days=40)
    others[1].expires_at = utcnow() - timedelta(days=31)
    session.add(LoginThrottle(key="address:192.0.2.1", failures=3, last_failure_at=utcnow() - timedelta(hours=1)))
    session.add(LoginThrottle(key="address:192.0.2.2", failures=3, last_failure_at=utcnow()))
    session.commit()

    daily_cleanup.fn()

    session.expire_all()
    assert session.exec(select(func.count()).select_from(InventoryTask)).one() == 1
    assert session.exec(select(UserSession.id)).all() == [kept_id]
    assert session.exec(select(LoginThrottle.key)).all() == ["address:192.0.2.2"]  # failures still remembered
