"""A printer's "Request cartridge" downloads the `.eml` for its contract device (DOMAIN 7.3), refuses with a toast
when the printer is not under contract, and is not offered to a user who may not see contract devices."""

from __future__ import annotations

import email.policy
import secrets
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import ServiceProvider, User
from printer_app.models.choices import IssueTracker
from printer_app.services.access import auth
from printer_app.services.access.roles import set_user_groups
from tests.e2e.conftest import ADMIN_USER, ensure_local_user, new_context, seed_printer, shot, sign_in
from tests.e2e.live_helpers import toast
from tests.factories import make_contract_device, make_org

pytestmark = pytest.mark.e2e

PASSWORD = "Cartridge-request-2026"


def _octet() -> int:
    return secrets.randbelow(250) + 1


def _user(db_session, *, email: str, superuser: bool, groups: tuple[str, ...] = ()) -> str:
    username = f"e2e-req-{secrets.token_hex(3)}"
    with db_session() as s:
        user = auth.create_local_user(s, username=username, password=PASSWORD, email=email, is_superuser=superuser)
        set_user_groups(s, user=user, group_names=list(groups), actor_id=None)
    return username


def _contracted_printer(db_session) -> tuple[int, str, str]:
    """A printer whose serial a contract device of a Russian-named client carries (linked on creation); returns
    (printer id, serial, organization name)."""
    tag = secrets.token_hex(3)
    org_name, serial = f"ГБУЗ «Областная больница» {tag}", f"VCF-{tag}"
    with db_session() as s:
        provider = ServiceProvider(
            name=f"АМБ {tag}", code=f"amb-{tag}", issue_tracker=IssueTracker.OKDESK, support_email="sd@amb.example.ru"
        )
        s.add(provider)
        s.flush()
        make_contract_device(
            s,
            organization=make_org(s, name=org_name),
            serial_number=serial,
            address="ул. Ленина, 1",
            service_provider_id=provider.id,
        )
    ip = f"10.{_octet()}.{_octet()}.{_octet()}"
    return seed_printer(db_session, ip, serial.lower()), serial, org_name


def test_request_cartridge_downloads_the_eml_of_the_printers_contract_device(
    browser, app_server, page: Page, db_session
) -> None:
    ensure_local_user(app_server)  # the role groups exist
    printer_id, serial, org_name = _contracted_printer(db_session)
    username = _user(db_session, email="zavhoz@example.ru", superuser=True)
    context = new_context(browser, app_server, signed_in=False)
    sign_in(context, app_server, username, PASSWORD)
    tab = context.new_page()
    try:
        tab.goto(f"/printers/{printer_id}")
        button = tab.locator("#request-cartridge")
        expect(button).to_be_visible()
        with tab.expect_download() as caught:
            button.click()
        download = caught.value
        expected = f"Заявка_на_картридж_{org_name[:30]}".replace(" ", "_").replace("«", "_").replace("»", "_")
        assert download.suggested_filename == f"{expected}_VCF_{serial[4:]}.eml"
        message = BytesParser(policy=email.policy.default).parsebytes(Path(download.path()).read_bytes())
        assert message["Subject"] == "Заявка на картридж"
        sender, desk = message["From"].addresses[0], message["To"].addresses[0]
        assert (sender.addr_spec, desk.addr_spec) == ("zavhoz@example.ru", "sd@amb.example.ru")
        html = message.get_body(("html",)).get_content()
        assert org_name in html and serial in html and "ул. Ленина, 1" in html
        for size, name in (((1440, 900), "cartridge_request_1440"), ((390, 844), "cartridge_request_390")):
            tab.set_viewport_size({"width": size[0], "height": size[1]})
            expect(button).to_be_visible()
            shot(tab, name)

        # the same request from the device's row on /contracts
        tab.set_viewport_size({"width": 1440, "height": 900})
        tab.goto(f"/contracts?q={serial}")
        row_button = tab.locator(f'tr.device-row[data-serial="{serial}"] button.request')
        expect(row_button).to_be_visible()
        with tab.expect_download() as caught:
            row_button.click()
        again = BytesParser(policy=email.policy.default).parsebytes(Path(caught.value.path()).read_bytes())
        assert again["Subject"] == "Заявка на картридж" and serial in again.get_body(("html",)).get_content()
    finally:
        context.close()


def test_a_printer_not_under_contract_is_refused_with_a_toast(page: Page, db_session) -> None:
    serial = f"NOPE-{secrets.token_hex(3)}"
    printer_id = seed_printer(db_session, f"10.{_octet()}.{_octet()}.{_octet()}", serial)
    with db_session() as s:  # the e2e admin needs an address to send from
        admin = s.exec(select(User).where(User.username == ADMIN_USER)).one()
        admin.email = admin.email or "e2e-admin@example.ru"
        s.add(admin)

    page.goto(f"/printers/{printer_id}")
    page.locator("#request-cartridge").click()

    expect(toast(page, f"No contract device has the serial number {serial}")).to_be_visible()


def test_the_button_is_not_offered_without_the_contracts_permissions(
    browser, app_server, page: Page, db_session
) -> None:
    ensure_local_user(app_server)
    printer_id, _serial, _org = _contracted_printer(db_session)
    username = _user(db_session, email="viewer@example.ru", superuser=False, groups=("Inventory — Viewer",))
    context = new_context(browser, app_server, signed_in=False)
    sign_in(context, app_server, username, PASSWORD)
    tab = context.new_page()
    try:
        tab.goto(f"/printers/{printer_id}")
        expect(tab.locator("#poll-now")).to_be_visible()
        expect(tab.locator("#request-cartridge")).to_have_count(0)
    finally:
        context.close()
