"""The /supplies page's state called as a signed-in tab would: permissions refused server-side, filters read from
hostile URLs, the export and the cartridge request e-mail for chosen rows (parsed back as a mail client reads it)."""

from __future__ import annotations

import base64
import email.policy
import io
from email.parser import BytesParser
from urllib.parse import unquote_to_bytes, urlencode

import openpyxl
import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from printer_app.models import ContractDevice, ServiceProvider, User
from printer_app.models.choices import IssueTracker
from printer_app.services.contracts.request_email import RequestRefused
from printer_app.services.supplies.request import request_for_printers
from printer_app.state.supplies.fleet import SuppliesState
from tests.integration.state_fixtures import app_db, run_handler, session_cookie  # noqa: F401
from tests.integration.supplies_data import make_fleet

S = SuppliesState
ROLES = {
    "inventory": ("Inventory — Viewer",),
    "both": ("Inventory — Viewer", "Contracts — Viewer"),
    "contracts": ("Contracts — Viewer",),
}


@pytest.fixture
def cookies(app_db: str, session: Session) -> dict[str, str]:  # noqa: F811
    found = {who: session_cookie(session, username=who, groups=roles) for who, roles in ROLES.items()}
    found["nobody"] = ""
    user = session.exec(select(User).where(User.username == "both")).one()
    user.email, user.full_name = "both@example.ru", "Сидорова Анна"
    session.add(user)
    session.commit()
    return found


@pytest.fixture
def fleet(session: Session, cookies):
    data = make_fleet(session)
    amb = ServiceProvider(name="АМБ", code="amb-s", issue_tracker=IssueTracker.OKDESK, support_email="sd@amb.ru")
    tonex = ServiceProvider(name="Tonex", code="tonex-s", support_email="desk@tonex.ru")
    session.add_all([amb, tonex])
    session.flush()
    for device in session.exec(select(ContractDevice)).all():
        device.service_provider_id = amb.id
        session.add(device)
    session.add(ContractDevice(organization_id=data.alpha.id, serial_number="MONO-1", service_provider_id=amb.id))
    session.add(ContractDevice(organization_id=data.beta.id, serial_number="OTH-1", service_provider_id=tonex.id))
    session.commit()
    return data


def _tab(cookie: str, query: dict | None = None) -> rx.State:
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "user-agent": "supplies-test", "origin": "http://localhost:3000"}
    path = "/supplies" + ("?" + urlencode(query) if query else "")
    root.router = RouterData.from_router_data({"headers": headers, "pathname": "/supplies", "asPath": path})
    return root.get_substate(S.get_full_name().split("."))


def _data_url(answer: object, mime: str) -> bytes:
    text, marker = repr(answer), f"data:{mime};base64,"
    start = text.index(marker) + len(marker)
    end = min(i for i in (text.find(c, start) for c in "\"'`\\") if i > 0)
    return base64.b64decode(unquote_to_bytes(text[start:end]))


def test_the_page_needs_the_inventory_permissions(cookies, fleet):
    for who in ("nobody", "contracts"):
        state = _tab(cookies[who])
        result = run_handler(S.load, state)
        assert state.rows == [] and (state.access == "denied" or "/auth/login" in repr(result)), who
        assert "Not allowed" in repr(run_handler(S.set_filter, state, "kind", "toner")) or who == "nobody"
    state = _tab(cookies["inventory"])
    run_handler(S.load, state)
    assert state.access == "ok" and state.total == 8


def test_filters_come_from_the_url_and_hostile_values_are_dropped(cookies, fleet):
    state = _tab(cookies["inventory"], {"kind": "toner", "within": "14", "sort": "level", "desc": "1", "tab": "order"})
    run_handler(S.load, state)
    assert (state.kind, state.empty_within, state.sort, state.descending, state.tab) == (
        "toner",
        "14",
        "level",
        True,
        "order",
    )
    assert sum(line.count for line in state.order_lines) == 4
    assert state.url == "/supplies?tab=order&kind=toner&within=14&sort=level&desc=1"
    hostile = {"kind": "<script>", "within": "-1", "below": "9" * 30, "org": "1 OR 1=1", "sort": "id;", "days": "0"}
    state = _tab(cookies["inventory"], hostile)
    run_handler(S.load, state)
    assert (state.kind, state.empty_within, state.level_below, state.organization, state.sort, state.order_days) == (
        "all",
        "all",
        "all",
        "all",
        "days",
        "14",
    )
    assert state.total == 8
    assert "not one of" in repr(run_handler(S.set_filter, state, "kind", ["x"])).lower()
    assert "Not a choice" in repr(run_handler(S.set_tab, state, "admin"))


def test_export_downloads_both_tabs(cookies, fleet):
    state = _tab(cookies["inventory"], {"org": str(fleet.alpha.id)})
    run_handler(S.load, state)
    answers = run_handler(S.export, state)
    book = openpyxl.load_workbook(
        io.BytesIO(_data_url(answers[-1], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    )
    assert book.sheetnames == ["Supplies", "What to order"] and book["Supplies"].max_row == 6


def test_the_request_for_chosen_rows_needs_the_contracts_permissions_and_names_their_cartridges(cookies, fleet):
    state = _tab(cookies["inventory"])
    run_handler(S.load, state)
    run_handler(S.toggle_selected, state, fleet.rows["colour_k"].id)
    assert "Not allowed" in repr(run_handler(S.request_selected, state))

    state = _tab(cookies["both"])
    run_handler(S.load, state)
    for name in ("colour_k", "colour_c", "mono_k"):
        run_handler(S.toggle_selected, state, fleet.rows[name].id)
    answer = run_handler(S.request_selected, state)
    assert "Заявка_на_картриджи_Alpha_Clinic_2.eml" in repr(answer)
    message = BytesParser(policy=email.policy.default).parsebytes(_data_url(answer, "message/rfc822"))
    assert message["To"].addresses[0].addr_spec == "sd@amb.ru"
    assert message["From"].addresses[0].addr_spec == "both@example.ru"
    body = message.get_body(("plain",)).get_content()
    assert "Картридж: HP 415A (W2030A), HP 415A C (W2031A)" in body
    assert "Картридж: Kyocera TK-1170 (TK-1170)" in body
    assert "Серийный номер: CLR-1" in body and "Серийный номер: MONO-1" in body

    run_handler(S.toggle_selected, state, fleet.rows["other_k"].id)  # Beta's printer: another provider
    assert "different providers (Tonex, АМБ)" in repr(run_handler(S.request_selected, state))
    run_handler(S.clear_selected, state)
    assert "Choose the printers" in repr(run_handler(S.request_selected, state))


def test_request_service_refusals(session, fleet):
    user = session.exec(select(User).where(User.username == "both")).one()
    with pytest.raises(RequestRefused, match="no longer exists"):
        request_for_printers(session, user_id=user.id, printer_ids=[10**9])
    with pytest.raises(RequestRefused, match="At most 50"):
        request_for_printers(session, user_id=user.id, printer_ids=list(range(1, 60)))
    nobody = session.exec(select(User).where(User.username == "inventory")).one()
    with pytest.raises(RequestRefused, match="no e-mail address"):
        request_for_printers(session, user_id=nobody.id, printer_ids=[fleet.colour.id])
    name, data = request_for_printers(session, user_id=user.id, printer_ids=[fleet.colour.id])
    assert name.endswith("_1.eml")
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert "Картридж: HP 415A (W2030A)" in message.get_body(("plain",)).get_content()  # the model's, primary first


def test_the_dashboard_card_shows_to_those_who_see_the_printers(cookies, fleet, session):
    from printer_app.state.supplies.runs_out import RunsOutState

    dashboard_only = session_cookie(session, username="board", groups=("Dashboard — Viewer",))
    for cookie, shown, count in ((dashboard_only, False, 0), (cookies["inventory"], True, 3)):
        root = rx.State(_reflex_internal_init=True)
        headers = {"cookie": cookie, "user-agent": "supplies-test", "origin": "http://localhost:3000"}
        root.router = RouterData.from_router_data({"headers": headers, "pathname": "/", "asPath": "/"})
        card = root.get_substate(RunsOutState.get_full_name().split("."))
        run_handler(RunsOutState.load, card)
        assert (card.shown, card.count, len(card.rows)) == (shown, count, count)
    assert [r.printer for r in card.rows] == ["10.2.0.7", "10.1.0.20", "10.1.0.5"]  # the empty one, then soonest
    assert card.rows[1].days == "3 days (2–3)"
