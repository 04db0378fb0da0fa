"""The SLA charts page draws K1 / K2 lines with the target line, pages per month and the lowest K1 devices for the
seeded months; each chart's numbers table equals the figures computed here from the database rows (in Python, by
the report's own formulas: an independent check of the SQL aggregation); hovering a chart shows its numbers; the
dashboard's SLA card shows last month's lowest organizations and links to the page."""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from datetime import date
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.i18n import format_number, format_period
from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.formulas import group_key, group_position
from printer_app.services.reports.groups import recompute_month
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

MONTHS = (date(2031, 8, 1), date(2031, 9, 1), date(2031, 10, 1))  # far ahead: the newest months of the database
KINDS = ("a4_bw", "a4_color", "a3_bw", "a3_color")


def _seed(db_session) -> tuple[str, str]:
    """Three published months of two organizations: a duplicate group (Cyrillic serial, case and spaces differ),
    rows without A or W, a device with a poor K1. Returns the organization names."""
    tag = secrets.token_hex(2)
    alpha, beta = f"Альфа {tag}", f"Бета {tag}"
    with db_session() as s:
        for index, month in enumerate(MONTHS):
            grow = 100 * (index + 1)
            rows = [
                dict(organization=alpha, order_number=1, serial_number=f"СН-{tag}", inventory_number="ИНВ-1",
                     a4_bw_start=1000, a4_bw_end=1000 + grow, a4_color_end=grow // 2, a3_bw_end=7,
                     normative_availability=720, actual_downtime=36 * index, non_overdue_requests=3, total_requests=4),
                dict(organization=alpha, order_number=2, serial_number=f" сн-{tag}", inventory_number="инв-1 ",
                     a4_bw_end=999, a3_bw_start=10, a3_bw_end=10 + grow, a3_color_end=5),
                dict(organization=alpha, order_number=3, serial_number=f"LOW-{tag}", equipment_model="Kyocera M2040",
                     address="ул. Ленина, 1", a4_bw_end=50, normative_availability=100, actual_downtime=40 + index,
                     non_overdue_requests=1, total_requests=2),
                dict(organization=beta, order_number=4, serial_number=f"B1-{tag}", a4_bw_end=30 + index,
                     a4_color_end=3, normative_availability=200 if index else 0, actual_downtime=10,
                     non_overdue_requests=5, total_requests=5 if index else 0),
                dict(organization=beta, order_number=5, a3_bw_end=4, a3_color_end=2),
            ]  # fmt: skip
            s.add_all(MonthlyReport(month=month, **row) for row in rows)
            s.flush()
            recompute_month(s, month)
            if s.exec(select(MonthControl).where(MonthControl.month == month)).first() is None:
                s.add(MonthControl(month=month, is_published=True))
    return alpha, beta


def _pct(value: float | None) -> str:
    return "no data" if value is None else format_number(round(value, 2), "en") + " %"


def _expected(db_session, organizations: tuple[str, ...]) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """(SLA rows, volume rows, worst rows of the newest month) as the tables should show them, from the database."""
    with db_session() as s:
        rows = [r.model_dump() for r in s.exec(select(MonthlyReport).where(MonthlyReport.month.in_(MONTHS))).all()]
    groups = defaultdict(list)
    for row in rows:
        groups[(row["month"], group_key(row["serial_number"], row["inventory_number"], row["id"]))].append(row)
    sla, volumes = [], []
    for month in MONTHS:
        for org in sorted(organizations, key=str.casefold):
            mine = [r for r in rows if r["month"] == month and r["organization"] == org]
            with_a = [r["k1"] for r in mine if r["normative_availability"] > 0]
            with_w = [r["k2"] for r in mine if r["total_requests"] > 0]
            k1 = sum(with_a) / len(with_a) if with_a else None
            k2 = sum(with_w) / len(with_w) if with_w else None
            label = format_period(month, "month", "en")
            sla.append([label, org, _pct(k1), str(len(with_a)), _pct(k2), str(len(with_w))])
            sums = dict.fromkeys(KINDS, 0)
            for r in mine:
                group = groups[(month, group_key(r["serial_number"], r["inventory_number"], r["id"]))]
                position, size = group_position(group, r["id"])
                for kind in KINDS:
                    if size == 1 or (position == 0) == kind.startswith("a4"):
                        sums[kind] += r[f"{kind}_end"] - r[f"{kind}_start"]
            volumes.append(
                [label, org, *(format_number(sums[k], "en") for k in KINDS), format_number(sum(sums.values()), "en")]
            )
    newest = sorted(
        (r for r in rows if r["month"] == MONTHS[-1] and r["normative_availability"] > 0),
        key=lambda r: (r["k1"], r["order_number"], r["id"]),
    )[:10]
    worst = [
        [r["serial_number"] or "—", r["equipment_model"], r["organization"], r["address"], _pct(r["k1"]),
         format_number(r["normative_availability"], "en"), format_number(r["actual_downtime"], "en")]
        for r in newest
    ]  # fmt: skip
    return sla, volumes, worst


def _table(page: Page, table_id: str) -> list[list[str]]:
    return page.locator(f"#{table_id} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(c => c.innerText.trim()))"
    )


def test_charts_show_the_databases_figures_with_tooltips_and_target(page: Page, db_session) -> None:
    alpha, beta = _seed(db_session)
    sla, volumes, worst = _expected(db_session, (alpha, beta))
    assert any("no data" in row for row in sla)  # the seed covers an organization-month without A > 0

    page.goto(f"/reports/charts?org={quote(alpha + '|' + beta)}&from=2031-08&to=2031-10")
    expect(page.locator("#page-title")).to_have_text("SLA charts")
    expect(page.locator("#sla-table tbody tr")).to_have_count(len(sla))
    assert _table(page, "sla-table") == sla
    assert _table(page, "volume-table") == volumes
    expect(page.locator("#worst-table tbody tr")).to_have_count(len(worst))
    assert _table(page, "worst-table") == worst
    expect(page.locator("#charts-orgs")).to_have_text("2 chosen")
    shot(page, "report_charts_desktop")

    # the charts: one line per organization, the target line, stacked bars, the worst devices' bars
    expect(page.locator("#chart-k1 .recharts-line")).to_have_count(2)
    expect(page.locator("#chart-k1 .recharts-reference-line")).to_have_count(1)
    expect(page.locator("#chart-k1")).to_contain_text("Target 95 %")
    expect(page.locator("#chart-volumes .recharts-bar-rectangle").first).to_be_attached()
    expect(page.locator("#chart-worst .recharts-bar-rectangle")).to_have_count(len(worst))

    # hovering the K1 chart over the last month shows that month's numbers
    last_tick = page.locator("#chart-k1 .recharts-xAxis .recharts-cartesian-axis-tick").last.bounding_box()
    plot = page.locator("#chart-k1 .recharts-cartesian-grid").bounding_box()
    assert last_tick is not None and plot is not None
    page.mouse.move(plot["x"] + plot["width"] / 2, plot["y"] + plot["height"] / 2)
    page.mouse.move(last_tick["x"] + last_tick["width"] / 2 - 2, plot["y"] + plot["height"] / 2, steps=4)
    tooltip = page.locator("#chart-k1 .recharts-default-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(format_period(MONTHS[-1], "month", "en"))
    expect(tooltip).to_contain_text(alpha)
    newest_alpha = next(r for r in sla if r[0] == format_period(MONTHS[-1], "month", "en") and r[1] == alpha)
    expect(tooltip).to_contain_text(newest_alpha[2].replace(" %", ""))
    shot(page, "report_charts_tooltip")
    for section in ("volumes", "worst"):
        page.locator(f"#section-{section}").scroll_into_view_if_needed()
        shot(page, f"report_charts_{section}")

    # the target follows the input, lands in the URL and survives a reload without it (kept in the browser)
    target = page.locator("#charts-target")
    target.fill("80")
    target.blur()
    expect(page.locator("#chart-k1")).to_contain_text("Target 80 %")
    expect(page).to_have_url(re.compile(r"target=80"))
    page.goto("/reports/charts")
    expect(page.locator("#chart-k2")).to_contain_text("Target 80 %")
    target = page.locator("#charts-target")
    target.fill("250")
    target.blur()
    expect(page.get_by_text("The target must be a whole number from 1 to 100.")).to_be_visible()

    # one organization only: its rows and nothing else
    page.goto(f"/reports/charts?org={quote(beta)}&from=2031-08&to=2031-10")
    expect(page.locator("#sla-table tbody tr")).to_have_count(len(MONTHS))
    assert _table(page, "sla-table") == [row for row in sla if row[1] == beta]
    assert _table(page, "volume-table") == [row for row in volumes if row[1] == beta]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/reports/charts?org={quote(alpha + '|' + beta)}&from=2031-08&to=2031-10")
    expect(page.locator("#sla-table tbody tr")).to_have_count(len(sla))
    shot(page, "report_charts_phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_dashboard_card_shows_last_months_lowest_and_links(page: Page, db_session) -> None:
    alpha, beta = _seed(db_session)
    sla, _volumes, _worst = _expected(db_session, (alpha, beta))
    newest = format_period(MONTHS[-1], "month", "en")

    page.goto("/")
    card = page.locator("#sla-card")
    expect(card).to_contain_text(f"Month: {newest}")
    rows = card.locator(".sla-card-row")
    expect(rows.first).to_be_visible()
    assert rows.count() <= 5
    texts = _table(page, "sla-card-table")
    for label, org, k1, _n1, k2, _n2 in sla:
        if label == newest and [org, k1, k2] in texts:
            break
    else:
        raise AssertionError(f"none of the seeded organizations on the card: {texts}")
    card.scroll_into_view_if_needed()
    shot(page, "report_charts_dashboard_card")
    expect(page.get_by_text("Something went wrong")).to_have_count(0)
    page.locator("#sla-card-link").click()
    expect(page).to_have_url(re.compile(r"/reports/charts"))
    expect(page.locator("#page-title")).to_have_text("SLA charts")
