"""The charts' aggregations on SQLite and PostgreSQL against hand-computed figures: K1 / K2 averages that leave out
rows with A = 0 / W = 0, pages by format and colour under the duplicate-group rule (a Cyrillic serial differing in
case and spaces), the worst devices, and months hidden from users who may not see unpublished ones."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.charts import (
    VolumeFigure,
    chart_months,
    charts,
    lowest_sla,
    month_figures,
    worst_devices,
)
from printer_app.services.reports.groups import recompute_month

OCT, SEP, NOV = date(2026, 10, 1), date(2026, 9, 1), date(2026, 11, 1)  # November is not published
ALPHA, BETA = "Альфа", "Бета"


def _row(session: Session, month: date, organization: str, **values) -> MonthlyReport:
    row = MonthlyReport(month=month, organization=organization, **values)
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def seeded(session: Session) -> dict[str, int]:
    ids = {
        # a duplicate group (same serial and inventory number ignoring case and spaces): the first row's A4 pairs,
        # the later row's A3 pairs count; the later row has A = 0 and W = 0, so it is left out of K1 / K2
        "first": _row(
            session,
            OCT,
            ALPHA,
            order_number=1,
            serial_number="СН-1",
            inventory_number="ИНВ",
            a4_bw_start=100,
            a4_bw_end=250,
            a4_color_end=20,
            a3_bw_end=7,
            normative_availability=720,
            actual_downtime=36,
            non_overdue_requests=3,
            total_requests=4,
        ).id,
        "later": _row(
            session,
            OCT,
            ALPHA,
            order_number=2,
            serial_number=" сн-1",
            inventory_number="инв ",
            a4_bw_end=1000,
            a3_bw_start=10,
            a3_bw_end=40,
            a3_color_end=5,
        ).id,
        "alone": _row(
            session,
            OCT,
            ALPHA,
            order_number=3,
            serial_number="X-3",
            address="ул. Ленина, 1",
            equipment_model="M1",
            a4_bw_start=10,
            a4_bw_end=40,
            a3_color_end=2,
            normative_availability=100,
            actual_downtime=50,
            non_overdue_requests=1,
            total_requests=2,
        ).id,
        # rows with neither serial nor inventory number stand alone: both count all their pairs
        "beta1": _row(session, OCT, BETA, order_number=4, a4_bw_end=10).id,
        "beta2": _row(session, OCT, BETA, order_number=5, a3_bw_end=4).id,
        "sep": _row(
            session,
            SEP,
            ALPHA,
            serial_number="Y",
            a4_bw_end=5,
            normative_availability=200,
            actual_downtime=20,
            non_overdue_requests=10,
            total_requests=10,
        ).id,
        "nov": _row(session, NOV, ALPHA, serial_number="Z", normative_availability=100, actual_downtime=100).id,
    }
    for month in (SEP, OCT, NOV):
        recompute_month(session, month)
    session.add_all(
        [
            MonthControl(month=SEP, is_published=True),
            MonthControl(month=OCT, is_published=True),
            MonthControl(month=NOV),
        ]
    )
    session.commit()
    return ids


def test_sla_averages_leave_out_rows_without_a_or_w(session: Session, seeded: dict[str, int]) -> None:
    figures = {(f.month, f.organization): f for f in month_figures(session, [SEP, OCT])[0]}
    assert set(figures) == {(SEP, ALPHA), (OCT, ALPHA), (OCT, BETA)}
    alpha = figures[(OCT, ALPHA)]
    assert alpha.k1 == pytest.approx((95.0 + 50.0) / 2) and alpha.k1_rows == 2  # not /3: the later row has A = 0
    assert alpha.k2 == pytest.approx((75.0 + 50.0) / 2) and alpha.k2_rows == 2
    assert alpha.rows == 3
    beta = figures[(OCT, BETA)]
    assert beta.k1 is None and beta.k2 is None and beta.k1_rows == 0 and beta.rows == 2  # "no data", not 0 %
    assert figures[(SEP, ALPHA)].k1 == pytest.approx(90.0) and figures[(SEP, ALPHA)].k2 == pytest.approx(100.0)
    only_beta = month_figures(session, [OCT], (BETA,))[0]
    assert [(f.organization, f.rows) for f in only_beta] == [(BETA, 2)]


def test_volumes_follow_the_duplicate_group_rule(session: Session, seeded: dict[str, int]) -> None:
    got = month_figures(session, [SEP, OCT])[1]
    assert got == [
        VolumeFigure(SEP, ALPHA, 5, 0, 0, 0),
        # A4 b/w: 150 (first) + 30 (alone), not the later row's 1000; A3 b/w: the later row's 30, not the first's 7
        VolumeFigure(OCT, ALPHA, 180, 20, 30, 7),
        VolumeFigure(OCT, BETA, 10, 0, 4, 0),
    ]
    assert got[1].total == 237
    # the organization filter does not change a row's place in its group
    assert month_figures(session, [OCT], (ALPHA,))[1] == [VolumeFigure(OCT, ALPHA, 180, 20, 30, 7)]
    # the same rule as the stored total_prints: the sums agree
    session.expire_all()
    stored = sum(r.total_prints for r in session.query(MonthlyReport).filter(MonthlyReport.month == OCT))
    assert stored == sum(f.total for f in got if f.month == OCT)


def test_worst_devices_lowest_k1_with_a(session: Session, seeded: dict[str, int]) -> None:
    worst = worst_devices(session, OCT)
    assert [w.id for w in worst] == [seeded["alone"], seeded["first"]]  # rows with A = 0 are not "worst"
    top = worst[0]
    assert (top.serial, top.model, top.organization, top.address) == ("X-3", "M1", ALPHA, "ул. Ленина, 1")
    assert (top.k1, top.availability, top.downtime) == (pytest.approx(50.0), 100.0, 50.0)
    assert [w.id for w in worst_devices(session, OCT, limit=1)] == [seeded["alone"]]
    assert worst_devices(session, OCT, (BETA,)) == []


def test_unpublished_months_only_for_visibility_managers(session: Session, seeded: dict[str, int]) -> None:
    assert chart_months(session, can_manage=False) == [SEP, OCT]
    assert chart_months(session, can_manage=True) == [SEP, OCT, NOV]
    assert chart_months(session, can_manage=True, month_from=OCT) == [OCT, NOV]
    assert chart_months(session, can_manage=False, month_to=SEP) == [SEP]
    hidden = charts(session, can_manage=False, month_from=NOV)
    assert hidden.months == [] and hidden.sla == [] and hidden.worst == []
    everything = charts(session, can_manage=False, worst_month=NOV)
    assert everything.worst_month == OCT  # a month the user may not see falls back to the newest shown
    assert everything.organizations == [ALPHA, BETA]
    assert charts(session, can_manage=False, organizations=(BETA,)).organizations == [ALPHA, BETA]  # the choices
    assert not any(f.month == NOV for f in everything.sla + everything.volumes)
    managed = charts(session, can_manage=True)
    assert managed.worst_month == NOV and managed.worst[0].k1 == 0.0


def test_dashboard_card_newest_visible_month_lowest_first(session: Session, seeded: dict[str, int]) -> None:
    seen = lowest_sla(session, can_manage=False)
    assert [(f.month, f.organization) for f in seen] == [(OCT, ALPHA), (OCT, BETA)]  # no data sorts last
    assert seen[0].k1 == pytest.approx(72.5)
    assert [(f.month, f.k1) for f in lowest_sla(session, can_manage=True)] == [(NOV, 0.0)]
    assert lowest_sla(session, can_manage=False, limit=1) == seen[:1]


def test_no_months_no_figures(session: Session) -> None:
    assert charts(session, can_manage=True).months == []
    assert lowest_sla(session, can_manage=True) == []
    assert month_figures(session, []) == ([], [])


def test_a_group_of_three_across_organizations(session: Session) -> None:
    dec = date(2026, 12, 1)
    pages = dict(a4_bw_end=100, a4_color_end=10, a3_bw_end=7, a3_color_end=3)
    _row(session, dec, BETA, order_number=2, serial_number="Q-1", **pages)
    _row(session, dec, ALPHA, order_number=1, serial_number="q-1", **pages)  # first by order number
    _row(session, dec, BETA, order_number=3, serial_number=" Q-1 ", **pages)
    _row(session, dec, BETA, order_number=4, serial_number="Q-2", **pages)  # alone: everything
    session.commit()
    assert month_figures(session, [dec])[1] == [
        VolumeFigure(dec, ALPHA, 100, 10, 0, 0),
        VolumeFigure(dec, BETA, 100, 10, 21, 9),
    ]
    assert month_figures(session, [dec], (BETA,))[1] == [VolumeFigure(dec, BETA, 100, 10, 21, 9)]
