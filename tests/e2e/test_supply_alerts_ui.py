"""Low-supply alerts in a real browser, on an app server of this module's own in production mode (a private Redis):
the rule dialog's validation and save, and the bell's unread count going up live when another process raises an
alert (it publishes on Redis, the app's backend hears it), down when the alert is read on the alert page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import hydrated, new_context, own_server, prod_env, sessions_of, shot
from tests.workers_harness import run_python

pytestmark = pytest.mark.e2e

RAISE = """
from datetime import UTC, datetime
from sqlmodel import Session
from printer_app.db import get_engine
from printer_app.models.supplies import SupplyForecast
from printer_app.services.supplies.alerts import evaluate_printer
with Session(get_engine(write=True)) as s:
    s.add(SupplyForecast(printer_id={printer_id}, supply_key="toner:black:{index}", kind="toner", color="black",
                         level_percent=3, lifetime_started_at=datetime(2026, 11, 1, tzinfo=UTC)))
    s.flush()
    print(len(evaluate_printer(s, {printer_id})))
    s.commit()
"""


@pytest.fixture(scope="module")
def server(private_redis) -> Iterator:
    yield from own_server("alerts_e2e", **prod_env(private_redis.url))


@pytest.fixture(scope="module")
def db(server):
    yield from sessions_of(server)


@pytest.fixture
def tab(browser: Browser, server) -> Iterator[Page]:
    context = new_context(browser, server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def _printer(db) -> int:
    from printer_app.models.supplies import SupplyAlertRule
    from tests.factories import make_org, make_printer

    with db() as session:
        org = make_org(session, name="ООО Бумага")
        printer = make_printer(session, organization_id=org.id)
        session.add(SupplyAlertRule(name="Global 20 %", below_percent=20))
        session.flush()
        return printer.id


def test_the_rule_dialog_validates_each_field_and_saves(tab: Page, server) -> None:
    tab.set_viewport_size({"width": 1440, "height": 900})
    tab.goto(f"{server.base_url}/supplies/alert-rules")
    hydrated(tab)
    tab.click("#add-rule")
    tab.fill("#rule-name", "  ")
    tab.fill("#rule-emails", "ops@example.com, not-an-address, it@example.org")
    tab.fill("#rule-webhook_url", "ftp://desk.example.com/")
    tab.click("#rule-save")
    expect(tab.locator("#error-name")).to_have_text("Enter a name.")
    expect(tab.locator("#error-below_percent")).to_have_text("Give a level, a number of days, or both.")
    expect(tab.locator("#error-emails")).to_have_text("“not-an-address” is not an e-mail address.")
    expect(tab.locator("#error-webhook_url")).to_have_text("The URL must start with http:// or https://.")
    shot(tab, "alert_rule_dialog_errors")
    tab.fill("#rule-name", "Toner below 15 %")
    tab.fill("#rule-below_percent", "150")
    tab.click("#rule-save")
    expect(tab.locator("#error-below_percent")).to_have_text("Enter a whole number from 1 to 100.")
    tab.fill("#rule-below_percent", "15")
    tab.fill("#rule-emails", "ops@example.com it@example.org")
    tab.fill("#rule-webhook_url", "https://desk.example.com/hooks/printers")
    tab.click("#rule-kind-toner")
    tab.click("#rule-save")
    row = tab.locator("tr.rule-row", has_text="Toner below 15 %")
    expect(row).to_contain_text("ops@example.com, it@example.org")
    expect(row).to_contain_text("level below 15 %")
    shot(tab, "alert_rules_1440")
    tab.set_viewport_size({"width": 390, "height": 844})
    shot(tab, "alert_rules_390")


def test_the_bell_counts_an_alert_raised_in_another_process_and_reading_it_clears_it(
    tab: Page, server, db, private_redis
) -> None:
    printer_id = _printer(db)
    tab.set_viewport_size({"width": 1440, "height": 900})
    tab.goto(f"{server.base_url}/supplies/alerts")
    hydrated(tab)
    bell = tab.locator("#alert-bell")
    expect(bell).to_have_attribute("data-unread", "0")
    env = {**server.env, "REDIS_URL": private_redis.url, "SECRET_KEY": "e2e-" + "k" * 40}
    # one alert per global rule (this one and the previous test's "below 15 %")
    raised = int(run_python(RAISE.format(printer_id=printer_id, index=1), env).stdout)
    assert raised >= 1
    expect(bell).to_have_attribute("data-unread", str(raised))  # live: no reload
    expect(bell.locator(".alert-bell-count")).to_have_text(str(raised))
    rows = tab.locator("tr.alert-row-unread")
    expect(rows).to_have_count(raised)  # the open list re-read itself too
    expect(rows.first).to_contain_text("ООО Бумага")
    shot(tab, "alerts_1440")
    rows.first.locator(".alert-read").click()
    expect(bell).to_have_attribute("data-unread", str(raised - 1))
    tab.click("#alerts-all-read")
    expect(bell).to_have_attribute("data-unread", "0")
    expect(tab.locator("tr.alert-row-unread")).to_have_count(0)
    tab.goto(f"{server.base_url}/printers")  # another page: its frame's bell listens as well
    hydrated(tab)
    again = run_python(RAISE.format(printer_id=printer_id, index=2), env).stdout.strip()
    expect(tab.locator("#alert-bell")).to_have_attribute("data-unread", again)
    tab.goto(f"{server.base_url}/supplies/alerts")
    hydrated(tab)
    tab.set_viewport_size({"width": 390, "height": 844})
    expect(tab.locator("#alert-bell-phone")).to_have_attribute("data-unread", again)
    shot(tab, "alerts_390")
