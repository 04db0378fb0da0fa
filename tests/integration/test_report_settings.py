"""`/reports/settings` services on SQLite and PostgreSQL: SerialEditOverride and PrinterModelSpec validation (each
refusal leaves the database unchanged), case-insensitive uniqueness, expiry vs rules.active_overrides, the
EntityChangeLog lines, the REPORTS_CHANGED announcements to open months, and the audited month settings."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from printer_app.models import EntityChangeLog, MonthControl, MonthlyReport, PrinterModelSpec, SerialEditOverride
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError
from printer_app.services.reports import month_admin, overrides, spec_admin
from printer_app.services.reports.rules import active_overrides

NOW = datetime.now(UTC).replace(second=0, microsecond=0)  # the services announce by the real clock
OPEN, CLOSED = date(2026, 3, 1), date(2026, 2, 1)
ACTOR = Actor(user_id=None, ip="10.1.2.3", user_agent="settings-test")


def _seed(session: Session) -> None:
    """March (open for a month more) and February (closed), both with a row of serial "Ж-1" and model "Mono A4"."""
    for month in (OPEN, CLOSED):
        session.add(MonthlyReport(month=month, serial_number="Ж-1", equipment_model="Mono  a4"))
    session.add(MonthlyReport(month=OPEN, serial_number="OTHER", equipment_model="Colour A3"))
    session.add(MonthControl(month=OPEN, edit_until=NOW + timedelta(days=30), is_published=True))
    session.add(MonthControl(month=CLOSED, edit_until=None, is_published=True))
    session.commit()


@contextmanager
def _announced():
    seen: list[dict] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append(payload) if kind == events.REPORTS_CHANGED else 0)
    try:
        yield seen
    finally:
        unsubscribe()


def _counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    count = lambda model: session.exec(select(func.count()).select_from(model)).one()  # noqa: E731
    return count(SerialEditOverride), count(PrinterModelSpec), count(EntityChangeLog)


def _refused(session: Session, fn, **kwargs) -> dict[str, str]:
    before = _counts(session)
    with pytest.raises(DomainValidationError) as caught:
        fn(session, **kwargs)
    session.rollback()
    assert _counts(session) == before, "a refusal writes nothing"
    return caught.value.errors


def _override(session: Session, **values):
    args = {"serial": "Ж-1", "mode": "lock", "expires_at": None, "reason": "disputed", "actor": ACTOR, "now": NOW}
    row = overrides.save_override(session, **{**args, **values})
    session.commit()
    return row


def test_override_validation_refuses_and_writes_nothing(session: Session) -> None:
    _seed(session)
    _override(session)
    base = {"serial": "NEW-1", "mode": "unlock", "expires_at": None, "reason": "", "now": NOW}
    assert "serial" in _refused(session, overrides.save_override, **{**base, "serial": "   "})
    assert "serial" in _refused(session, overrides.save_override, **{**base, "serial": "x" * 129})
    assert "serial" in _refused(session, overrides.save_override, **{**base, "serial": "A\x00B"})
    duplicate = _refused(session, overrides.save_override, **{**base, "serial": "  ж-1 "})
    assert "“Ж-1”" in duplicate["serial"], "the refusal names the existing override"
    assert "mode" in _refused(session, overrides.save_override, **{**base, "mode": "maybe"})
    assert "reason" in _refused(session, overrides.save_override, **{**base, "mode": "lock", "reason": "  "})
    assert "reason" in _refused(session, overrides.save_override, **{**base, "reason": "r" * 2001})
    past = _refused(session, overrides.save_override, **{**base, "expires_at": NOW - timedelta(minutes=1)})
    assert "future" in past["expires"]
    assert "expires" in _refused(session, overrides.save_override, **{**base, "expires_at": datetime(2026, 5, 1)})
    with pytest.raises(DomainValidationError):
        overrides.parse_expiry("tomorrow", ZoneInfo("Asia/Irkutsk"))
    local = overrides.parse_expiry("2026-03-20T09:30", ZoneInfo("Asia/Irkutsk"))
    assert local.astimezone(UTC) == datetime(2026, 3, 20, 1, 30, tzinfo=UTC)
    assert overrides.parse_expiry("", ZoneInfo("Asia/Irkutsk")) is None
    # an edit may keep its own serial, in another case
    kept = _override(session, override_id=session.exec(select(SerialEditOverride.id)).one(), serial="ж-1")
    assert kept.serial == "ж-1"


def test_override_audit_announce_and_expiry(session: Session) -> None:
    _seed(session)
    with _announced() as seen:
        row = _override(session, expires_at=NOW + timedelta(days=2))
    assert seen == [{"month": "2026-03", "all": True}], "only the open month with the serial"
    assert set(active_overrides(session, ["ж-1"], now=NOW)) == {"ж-1"}
    assert not active_overrides(session, ["ж-1"], now=NOW + timedelta(days=3)), "an expired override is not active"

    listed = overrides.list_overrides(session, status="active", now=NOW + timedelta(days=3))
    assert listed.total == 0
    expired = overrides.list_overrides(session, status="expired", now=NOW + timedelta(days=3))
    assert [r.serial for r in expired.rows] == ["Ж-1"] and expired.rows[0].expired

    with _announced() as seen:
        _override(session, override_id=row.id, serial="OTHER", mode="unlock", reason="")
    assert seen == [{"month": "2026-03", "all": True}]
    assert overrides.list_overrides(session, status="unlock", now=NOW).total == 1
    assert overrides.list_overrides(session, search="oth", now=NOW).total == 1
    assert overrides.list_overrides(session, search="%", now=NOW).total == 0, "wildcards are literal"

    with _announced() as seen:
        overrides.delete_override(session, override_id=row.id, actor=ACTOR)
        session.commit()
    assert seen == [{"month": "2026-03", "all": True}]
    log = session.exec(select(EntityChangeLog).order_by(EntityChangeLog.id)).all()
    assert [e.action for e in log] == ["create", "update", "delete"]
    assert all(e.object_type == "serialeditoverride" and e.ip_address == "10.1.2.3" for e in log)
    assert log[0].object_repr == "SerialEditOverride Ж-1" and log[0].changes["mode"]["new"] == "lock"
    assert log[0].changes["expires"]["new"] == (NOW + timedelta(days=2)).isoformat()
    assert log[1].changes["serial"] == {"old": "Ж-1", "new": "OTHER", "label": "Serial number"}
    assert log[1].changes["expires"]["new"] is None
    assert log[2].changes["serial"]["old"] == "OTHER"


def _spec(session: Session, **values) -> PrinterModelSpec:
    args = {"model_name": "Mono A4", "is_color": False, "paper_format": "A4", "enforce": True}
    row = spec_admin.save_spec(session, **{**args, "allow_manual_edit": False, "actor": ACTOR, **values})
    session.commit()
    return row


def test_spec_validation_refuses_and_writes_nothing(session: Session) -> None:
    _seed(session)
    _spec(session)
    base = {"model_name": "New", "is_color": False, "paper_format": "A4", "enforce": True, "allow_manual_edit": False}
    assert "model_name" in _refused(session, spec_admin.save_spec, **{**base, "model_name": " \t "})
    assert "model_name" in _refused(session, spec_admin.save_spec, **{**base, "model_name": "m" * 201})
    duplicate = _refused(session, spec_admin.save_spec, **{**base, "model_name": "  MONO   a4 "})
    assert "“Mono A4”" in duplicate["model_name"]
    assert "paper_format" in _refused(session, spec_admin.save_spec, **{**base, "paper_format": "A5"})


def test_spec_usage_audit_and_announce(session: Session) -> None:
    _seed(session)
    with _announced() as seen:
        spec = _spec(session)
    assert seen == [{"month": "2026-03", "all": True}]
    listed = spec_admin.list_specs(session)
    assert [(r.model_name, r.rows) for r in listed.rows] == [("Mono A4", 1)], "rows of open months only"
    assert spec_admin.spec_rows_in_use(session, spec.id) == 1
    _spec(session, model_name="Nobody", is_color=True, paper_format="A3")
    assert [r.model_name for r in spec_admin.list_specs(session, kind="color").rows] == ["Nobody"]
    assert spec_admin.list_specs(session, sort="rows", descending=True).rows[0].model_name == "Mono A4"
    assert spec_admin.list_specs(session, paper_format="A3", search="nob").total == 1

    with _announced() as seen:
        _spec(session, spec_id=spec.id, is_color=True)
        _spec(session, spec_id=spec.id, is_color=True)  # no change: no log line, no announcement
    assert seen == [{"month": "2026-03", "all": True}]
    stored = session.exec(select(MonthlyReport).where(MonthlyReport.serial_number == "Ж-1")).all()
    assert all(r.a4_bw_end == 0 and r.a4_color_end == 0 for r in stored), "counters are not rewritten"
    with _announced() as seen:
        spec_admin.delete_spec(session, spec_id=spec.id, actor=ACTOR)
        session.commit()
    assert seen == [{"month": "2026-03", "all": True}]
    log = session.exec(
        select(EntityChangeLog).where(EntityChangeLog.object_id == spec.id).order_by(EntityChangeLog.id)
    ).all()
    assert [e.action for e in log] == ["create", "update", "delete"]
    assert log[1].changes == {"is_color": {"old": False, "new": True, "label": "Colour"}}
    assert log[2].object_repr == "PrinterModelSpec Mono A4"


def test_month_settings_are_audited(session: Session) -> None:
    _seed(session)
    session.add(MonthlyReport(month=date(2026, 1, 1), serial_number="J"))
    session.commit()
    month_admin.set_published(session, month=OPEN, published=False, actor=ACTOR)
    month_admin.set_published(session, month=OPEN, published=False, actor=ACTOR)  # unchanged: not logged
    month_admin.set_auto_sync(session, month=OPEN, enabled=False, actor=ACTOR)
    until = (NOW + timedelta(days=40)).astimezone(ZoneInfo("Asia/Irkutsk"))
    month_admin.set_edit_until(session, month=OPEN, edit_until=until, actor=ACTOR)
    month_admin.set_published(session, month=date(2026, 1, 1), published=True, actor=ACTOR)  # creates its control
    session.commit()
    log = session.exec(select(EntityChangeLog).order_by(EntityChangeLog.id)).all()
    assert [(e.action, e.object_repr) for e in log] == [
        ("update", "Month 2026-03"),
        ("update", "Month 2026-03"),
        ("update", "Month 2026-03"),
        ("create", "Month 2026-01"),
    ]
    assert log[0].changes == {"is_published": {"old": True, "new": False, "label": "Published"}}
    assert log[1].changes["auto_sync_enabled"]["new"] is False
    assert log[2].changes["edit_until"]["new"] == until.astimezone(UTC).isoformat(), "stored and logged in UTC"
    assert all(e.object_type == "monthcontrol" and e.user_agent == "settings-test" for e in log)
    assert log[3].changes["is_published"]["new"] is True
    assert month_admin.open_months(session, NOW) == [OPEN]
