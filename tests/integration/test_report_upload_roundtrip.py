"""The exported month uploaded again with "replace month" gives the same rows: every text, counter, A, D, L, W,
K1, K2 and total (docs/reports.md §10.4), with the Russian and the English headers."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from printer_app.models.reports import MonthlyReport
from printer_app.services.reports.export import FIELDS, export_month_bytes
from printer_app.services.reports.groups import recompute_month
from tests.factories import make_org
from tests.integration.report_upload_fixtures import (
    MONTH,
    app_database_fixture,  # noqa: F401
    import_bytes,
    month_rows,
)

pytestmark = pytest.mark.usefixtures("app_database")
COMPARED = [name for name in FIELDS if name != "order_number"] + ["order_number"]


def _month(session: Session) -> None:
    make_org(session, name="ООО «Ёлка»")
    make_org(session, name="=Formula Org")
    rows = [
        dict(
            organization="ООО «Ёлка»",
            serial_number="DUP",
            inventory_number="I-1",
            a4_bw_start=1000,
            a4_bw_end=1500,
            a4_color_start=10,
            a4_color_end=20,
            normative_availability=720.5,
            actual_downtime=12.25,
            non_overdue_requests=7,
            total_requests=9,
            equipment_model="HP Color 1",
            city="Омск",
        ),
        dict(
            organization="ООО «Ёлка»",
            serial_number="dup",
            inventory_number="i-1",
            a3_bw_start=5,
            a3_bw_end=65,
            a3_color_start=1,
            a3_color_end=2,
            normative_availability=0,
            actual_downtime=3,
            equipment_model="HP Color 1",
        ),
        dict(
            organization="=Formula Org",
            serial_number="+7 903",
            address="-дом 5",
            a4_bw_start=0,
            a4_bw_end=12_345_678,
            normative_availability=100,
            actual_downtime=-5,
            non_overdue_requests=12,
            total_requests=10,
            branch="@branch",
            equipment_model="Kyocera  FS",
        ),
        dict(organization="=Formula Org", inventory_number="ONLY-INV", a4_bw_end=3, total_requests=0),
        dict(organization="=Formula Org", a4_bw_start=9, a4_bw_end=4),  # a counter reset: negative total
    ]
    for order, values in enumerate(rows, start=1):
        session.add(MonthlyReport(month=MONTH, order_number=order, **values))
    session.flush()
    recompute_month(session, MONTH)
    session.commit()


@pytest.mark.parametrize("english", [False, True])
def test_the_exported_month_uploads_back_unchanged(session: Session, english: bool) -> None:
    _month(session)
    before = [{name: row[name] for name in COMPARED} for row in month_rows(session)]
    assert before[0]["total_prints"] == 510 and before[1]["total_prints"] == 61 and before[4]["total_prints"] == -5
    data, count = export_month_bytes(session, MONTH, english=english)
    assert count == 5
    result = import_bytes(session, data, replace_month=True)
    assert result["deleted"] == 5 and result["rows"] == 5 and result["zeroed"] == 0
    assert sorted(result["fields"]) == sorted(n for n in FIELDS if n not in ("total_prints", "k1", "k2"))
    after = [{name: row[name] for name in COMPARED} for row in month_rows(session)]
    for old, new in zip(before, after, strict=True):
        for name in ("k1", "k2"):
            assert new[name] == pytest.approx(old[name], abs=1e-6), name
        assert {k: v for k, v in new.items() if k not in ("k1", "k2")} == {
            k: v for k, v in old.items() if k not in ("k1", "k2")
        }
