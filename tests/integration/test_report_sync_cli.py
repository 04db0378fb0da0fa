"""`python -m printer_app reports sync --month YYYY-MM [--json]` on SQLite and PostgreSQL: the stats object with its
stable keys, the month synced, and exit code 2 with the reason on stderr for a missing or closed month."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.services.reports.months import month_bounds, month_key, previous_month
from tests.factories import make_printer
from tests.integration.cli_runner import app_cli  # noqa: F401
from tests.integration.report_sync_data import add_row, open_month, poll, row_of, this_month

MONTH = previous_month(this_month())


def test_sync_prints_the_stats_and_fills_the_month(app_cli, session: Session) -> None:  # noqa: F811
    open_month(session, MONTH)
    printer = make_printer(session, serial_number="SN-C")
    poll(session, printer, month_bounds(MONTH, get_settings().tz)[0] + timedelta(days=2), bw_a4=321)
    row = add_row(session, MONTH, "SN-C")
    add_row(session, MONTH, "SN-NONE")
    session.commit()
    done = app_cli("reports", "sync", "--month", month_key(MONTH), "--json")
    assert done.exit_code == 0, done.output
    stats = json.loads(done.stdout)
    assert list(stats) == ["updated_rows", "groups_recomputed", "skipped_serials", "duplicate_groups", "errors"]
    assert (stats["updated_rows"], stats["groups_recomputed"], stats["duplicate_groups"], stats["errors"]) == (
        1,
        1,
        0,
        [],
    )
    assert [s["serial"] for s in stats["skipped_serials"]] == ["SN-NONE"]
    assert row_of(session, row)["a4_bw_end"] == 321
    plain = app_cli("reports", "sync", "--month", month_key(MONTH))
    assert plain.exit_code == 0 and "0 rows updated" in plain.stdout and "skipped SN-NONE" in plain.stdout


def test_a_missing_closed_or_malformed_month_exits_2(app_cli, session: Session) -> None:  # noqa: F811
    missing = app_cli("reports", "sync", "--month", month_key(MONTH), "--json")
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert "does not exist" in missing.stderr
    open_month(session, MONTH, closed=True)
    session.commit()
    closed = app_cli("reports", "sync", "--month", month_key(MONTH))
    assert closed.exit_code == 2 and "closed" in closed.stderr
    bad = app_cli("reports", "sync", "--month", "2026-13")
    assert bad.exit_code == 2 and "YYYY-MM" in bad.stderr
