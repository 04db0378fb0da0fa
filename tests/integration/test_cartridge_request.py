"""The cartridge request e-mail (DOMAIN 7.3): the `.eml` parsed back with the stdlib parser, as a mail client reads
it, and every refusal."""

from __future__ import annotations

import email.policy
import re
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

import pytest
from sqlmodel import Session

from printer_app.i18n import use_language
from printer_app.models import (
    Cartridge,
    City,
    ContractDevice,
    DeviceModelCartridge,
    ServiceProvider,
)
from printer_app.models.choices import CartridgeColor, IssueTracker
from printer_app.services.contracts.request_email import (
    COLUMNS,
    RequestRefused,
    cartridge_request,
    file_name,
)
from tests.factories import make_contract_device, make_model, make_org, make_printer

SENDER = "ivanova@example.ru"
DESK = "sd@amb.example.ru"


def _parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(data)


class _Table(HTMLParser):
    """The header and data cells of the HTML part's table."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.cells: list[str] = []
        self._target: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("th", "td"):
            self._target = self.header if tag == "th" else self.cells
            self._target.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._target = None

    def handle_data(self, data: str) -> None:
        if self._target is not None:
            self._target[-1] += data


def _provider(session: Session, *, email_address: str = DESK, code: str = "amb") -> ServiceProvider:
    provider = ServiceProvider(
        name=f"АМБ {code}", code=code, issue_tracker=IssueTracker.OKDESK, support_email=email_address
    )
    session.add(provider)
    session.flush()
    return provider


def _device(session: Session, **overrides) -> ContractDevice:
    """A fully described device of «ООО "Ромашка" / Иркутск» with a model taking three cartridges."""
    org = overrides.pop("organization", None) or make_org(session, name='ООО "Ромашка & Ко"')
    city = City(name="Иркутск")
    model = make_model(session, "Kyocera", "ECOSYS M2040dn")
    session.add(city)
    session.flush()
    cartridges = [
        (Cartridge(name="Тонер-картридж TK-1170", part_number="1T02S50NL0", color=CartridgeColor.BLACK), True),
        (Cartridge(name="Drum DK-1150", part_number="", color=CartridgeColor.BLACK), False),
        (Cartridge(name="Цветной блок", part_number="CB-1", color=CartridgeColor.CYAN), True),
        (Cartridge(name="Старый", part_number="OLD", is_active=False), True),
    ]
    for cartridge, primary in cartridges:
        session.add(cartridge)
        session.flush()
        session.add(DeviceModelCartridge(device_model_id=model.id, cartridge_id=cartridge.id, is_primary=primary))
    values = {
        "city_id": city.id,
        "address": "ул. Ленина, 1",
        "room_number": "каб. 305",
        "device_model_id": model.id,
        "serial_number": "VCF9Z01234",
        "comment": "Печатает бледно <срочно>",
        "service_provider_id": _provider(session).id,
    }
    return make_contract_device(session, organization=org, **(values | overrides))


def test_the_request_is_a_russian_multipart_message_with_the_one_row_table(session: Session) -> None:
    device = _device(session)

    name, data = cartridge_request(session, device_id=device.id, sender=SENDER, sender_name="Иванова Мария")

    message = _parse(data)
    assert message["Subject"] == "Заявка на картридж"
    assert b"=?utf-8?" in data.split(b"\r\n\r\n", 1)[0].lower()  # RFC 2047: no raw 8-bit text in the headers
    assert data.split(b"\r\n\r\n", 1)[0].isascii()
    (sender,), (desk,) = message["From"].addresses, message["To"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Иванова Мария", SENDER)
    assert (desk.display_name, desk.addr_spec) == ("АМБ amb", DESK)
    assert message["Date"] and re.fullmatch(r"<.+@example\.ru>", message["Message-ID"])
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert 'Организация: ООО "Ромашка & Ко"' in text and "Адрес: ул. Ленина, 1" in text
    assert "Комментарии: Печатает бледно <срочно>" in text
    table = _Table()
    table.feed(page)
    assert table.header == list(COLUMNS)
    assert dict(zip(table.header, table.cells, strict=True)) == {
        "№": "1",
        "Организация": 'ООО "Ромашка & Ко"',
        "Филиал": "",
        "Город": "Иркутск",
        "Адрес": "ул. Ленина, 1",
        "Кабинет": "каб. 305",
        "Производитель": "Kyocera",
        "Модель": "ECOSYS M2040dn",
        "Серийный номер": "VCF9Z01234",
        "Инв номер": "",
        "Картридж": "Тонер-картридж TK-1170 (1T02S50NL0), Цветной блок (CB-1) [Голубой], Drum DK-1150",
        "Ремонт/обслуживание": "",
        "Комментарии": "Печатает бледно <срочно>",
    }
    assert "&lt;срочно&gt;" in page  # escaped in the HTML
    assert text.rstrip().endswith("Иванова Мария")
    assert name == "Заявка_на_картридж_ООО__Ромашка___Ко__VCF9Z01234.eml"


def test_the_request_is_russian_whatever_the_interface_language(session: Session) -> None:
    device = _device(session)
    with use_language("en"):
        _name, english = cartridge_request(session, device_id=device.id, sender=SENDER)
    table = _Table()
    table.feed(_parse(english).get_body(("html",)).get_content())
    assert "[Голубой]" in table.cells[COLUMNS.index("Картридж")]


def test_a_printer_finds_its_device_by_serial_ignoring_case_and_spaces(session: Session) -> None:
    device = _device(session, serial_number=" vcf9z01234 ")
    printer = make_printer(session, serial_number="VCF9Z01234")
    assert session.get(ContractDevice, device.id).printer_id == printer.id

    name, data = cartridge_request(session, serial="  VCF9Z01234", sender=SENDER)

    assert name.endswith("_vcf9z01234.eml")
    table = _Table()
    table.feed(_parse(data).get_body(("html",)).get_content())
    assert table.cells[COLUMNS.index("Серийный номер")] == "vcf9z01234"


@pytest.mark.parametrize(
    ("organization", "serial", "expected"),
    [
        (
            "ГБУЗ «Иркутская областная клиническая больница» (филиал №2)",
            "AB/12 34",
            "ГБУЗ__Иркутская_областная_клин_AB_12_34",
        ),
        ("Org", "", "Org_nosn"),
        ("Org", "   ", "Org_nosn"),
        ("a/../../etc\\passwd", "..", "a_______etc_passwd___"),
    ],
)
def test_the_file_name_rule(organization: str, serial: str, expected: str) -> None:
    assert file_name(organization, serial) == f"Заявка_на_картридж_{expected}.eml"


def test_the_file_name_is_at_most_200_characters() -> None:
    name = file_name("O" * 100, "S" * 300)
    assert len(name) == 200 and name.endswith("SSS.eml") and name.startswith("Заявка_на_картридж_" + "O" * 30 + "_S")


def _refusal(session: Session, **kwargs) -> str:
    with pytest.raises(RequestRefused) as caught:
        cartridge_request(session, **({"sender": SENDER} | kwargs))
    return caught.value.message


def test_every_refusal_is_a_clear_message(session: Session) -> None:
    device = _device(session)
    no_desk = make_contract_device(
        session, serial_number="NODESK-1", service_provider_id=_provider(session, email_address="", code="tonex").id
    )
    no_provider = make_contract_device(session, serial_number="NOPROV-1")

    assert _refusal(session, serial="UNKNOWN-7") == "No contract device has the serial number UNKNOWN-7"
    assert _refusal(session, serial="  ") == "The printer has no serial number, so it cannot be found in the contracts"
    assert _refusal(session, device_id=999_999) == "The contract device no longer exists"
    assert (
        _refusal(session, device_id=no_desk.id) == "The service provider АМБ tonex has no service-desk e-mail address"
    )
    assert _refusal(session, device_id=no_provider.id).startswith("The device has no service provider")
    for sender in ("", "   ", "not-an-address", "a@b"):
        assert _refusal(session, device_id=device.id, sender=sender).startswith("Your account has no valid e-mail")
    with use_language("ru"):
        assert (
            _refusal(session, serial="UNKNOWN-7") == "Ни у одного устройства по договору нет серийного номера UNKNOWN-7"
        )


def test_the_file_is_7_bit_clean(session: Session) -> None:
    _name, data = cartridge_request(session, device_id=_device(session).id, sender=SENDER)
    assert data.isascii() and max(len(line) for line in data.split(b"\r\n")) <= 78
