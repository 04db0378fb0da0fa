"""The "Request cartridge" handlers run as a browser tab runs them: permissions checked on the server, the user's
own e-mail as the sender, the download or a toast with the refusal."""

from __future__ import annotations

import base64
import email.policy
from email.parser import BytesParser
from urllib.parse import unquote_to_bytes

from sqlmodel import Session, select

from printer_app.models import ServiceProvider, User
from printer_app.models.choices import IssueTracker
from printer_app.state.contracts.cartridge_request import CartridgeRequestState
from tests.factories import make_contract_device, make_org, make_printer
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, tab  # noqa: F401

S = CartridgeRequestState


def _answer(cookie: str, handler, *args) -> str:
    return repr(run_handler(handler, tab(S, cookie, "/printers"), *args))


def _eml(answer: str) -> bytes:
    """The bytes of the data URL an `rx.download` answer carries."""
    marker = "data:message/rfc822;base64,"
    start = answer.index(marker) + len(marker)
    end = min(i for i in (answer.find(c, start) for c in "\"'`\\") if i > 0)
    return base64.b64decode(unquote_to_bytes(answer[start:end]))


def _setup(session: Session) -> tuple[int, int]:
    provider = ServiceProvider(name="АМБ", code="amb-t", issue_tracker=IssueTracker.OKDESK, support_email="sd@amb.ru")
    session.add(provider)
    session.flush()
    device = make_contract_device(
        session,
        organization=make_org(session, name="ООО Ромашка"),
        serial_number="REQ-1",
        service_provider_id=provider.id,
    )
    printer = make_printer(session, serial_number="req-1")
    session.commit()
    return device.id, printer.id


def _with_email(session: Session, username: str, address: str) -> None:
    user = session.exec(select(User).where(User.username == username)).one()
    user.email, user.full_name = address, "Петров Пётр"
    session.add(user)
    session.commit()


def test_the_handlers_refuse_without_the_contracts_permissions(app_db: str, session: Session) -> None:  # noqa: F811
    device_id, printer_id = _setup(session)
    inventory_only = session_cookie(session, username="inv", groups=("Inventory — Administrator",))
    _with_email(session, "inv", "inv@example.ru")

    assert "Not allowed" in _answer(inventory_only, S.for_device, device_id)
    assert "Not allowed" in _answer(inventory_only, S.for_printer, printer_id)
    assert "/auth/login" in _answer("", S.for_device, device_id)


def test_a_user_without_an_e_mail_is_told_so(app_db: str, session: Session) -> None:  # noqa: F811
    device_id, _ = _setup(session)
    viewer = session_cookie(session, username="viewer", groups=("Contracts — Viewer", "Inventory — Viewer"))
    assert "no e-mail address to send the request from" in _answer(viewer, S.for_device, device_id)


def test_a_permitted_user_downloads_the_request_from_a_device_and_from_a_printer(
    app_db: str,  # noqa: F811
    session: Session,
) -> None:
    device_id, printer_id = _setup(session)
    viewer = session_cookie(session, username="viewer", groups=("Contracts — Viewer", "Inventory — Viewer"))
    _with_email(session, "viewer", "viewer@example.ru")

    for answer in (_answer(viewer, S.for_device, device_id), _answer(viewer, S.for_printer, printer_id)):
        assert "Заявка_на_картридж_ООО_Ромашка_REQ_1.eml" in answer
        message = BytesParser(policy=email.policy.default).parsebytes(_eml(answer))
        assert message["Subject"] == "Заявка на картридж"
        assert (message["From"].addresses[0].addr_spec, message["To"].addresses[0].addr_spec) == (
            "viewer@example.ru",
            "sd@amb.ru",
        )
        assert message["From"].addresses[0].display_name == "Петров Пётр"
    assert "The contract device no longer exists" in _answer(viewer, S.for_device, "not-an-id")
    assert "The printer no longer exists" in _answer(viewer, S.for_printer, 10**9)
