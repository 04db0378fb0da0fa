"""The cartridge request e-mail (DOMAIN 7.3): an `.eml` the user opens in Thunderbird or Outlook and sends to the
device's service desk.

The message is in Russian whatever the interface language (it goes to the service provider's desk): subject
"Заявка на картридж", a plain-text part and an HTML part with the one-row table of the DOMAIN's columns. Headers
are RFC 2047 / UTF-8 encoded by the stdlib `email` package; `X-Unsent: 1` makes Outlook open it as a draft to send.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.i18n import Catalogue, catalogue, gettext
from printer_app.models import (
    Cartridge,
    City,
    ContractDevice,
    DeviceModel,
    DeviceModelCartridge,
    Manufacturer,
    Organization,
    Printer,
    ServiceProvider,
    User,
)
from printer_app.models.choices import CartridgeColor
from printer_app.services.serials import same_serial, serial_key

SUBJECT = "Заявка на картридж"
MIME_TYPE = "message/rfc822"
COLUMNS = (
    "№",
    "Организация",
    "Филиал",
    "Город",
    "Адрес",
    "Кабинет",
    "Производитель",
    "Модель",
    "Серийный номер",
    "Инв номер",
    "Картридж",
    "Ремонт/обслуживание",
    "Комментарии",
)
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_FILE_NAME_LIMIT = 200


class RequestRefused(Exception):
    """The request cannot be made; the message says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def cartridge_request(
    session: Session,
    *,
    device_id: int | None = None,
    serial: str | None = None,
    sender: str,
    sender_name: str = "",
) -> tuple[str, bytes]:
    """The request for one contract device, found by id or by serial (trimmed, ignoring case): (file name, .eml),
    from the `sender` address (with `sender_name` shown beside it)."""
    address = (sender or "").strip()
    if not _EMAIL.match(address):
        raise RequestRefused(gettext("Your account has no valid e-mail address to send the request from"))
    device = find_device(session, device_id=device_id, serial=serial)
    provider = session.get(ServiceProvider, device.service_provider_id) if device.service_provider_id else None
    if provider is None:
        raise RequestRefused(
            gettext("The device has no service provider, so there is no service-desk address to send the request to")
        )
    recipient = (provider.support_email or "").strip()
    if not _EMAIL.match(recipient):
        raise RequestRefused(
            gettext("The service provider {name} has no service-desk e-mail address", name=provider.name)
        )
    row = device_row(session, device)
    message = build_message(
        [row],
        sender=Address(display_name=_one_line(sender_name), addr_spec=address),
        recipient=Address(display_name=_one_line(provider.name), addr_spec=recipient),
    )
    return file_name(row["Организация"], device.serial_number), message.as_bytes(policy=SMTP)


def request_for_user(
    session: Session, *, user_id: int | None, device_id: int | None = None, printer_id: int | None = None
) -> tuple[str, bytes]:
    """What the pages ask for: the signed-in user's request, for a contract device or for a polled printer (the
    device linked to it, else the device with its serial); sent from the user's e-mail address."""
    user = session.get(User, user_id) if user_id is not None else None
    address = (user.email if user else "").strip()
    if not address:
        raise RequestRefused(
            gettext("Your account has no e-mail address to send the request from: ask an administrator to add one")
        )
    sender = {"sender": address, "sender_name": user.full_name}
    if printer_id is None:
        return cartridge_request(session, device_id=device_id, **sender)
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise RequestRefused(gettext("The printer no longer exists"))
    linked = session.exec(select(ContractDevice.id).where(ContractDevice.printer_id == printer.id)).first()
    if linked is not None:
        return cartridge_request(session, device_id=linked, **sender)
    return cartridge_request(session, serial=printer.serial_number, **sender)


def find_device(session: Session, *, device_id: int | None, serial: str | None) -> ContractDevice:
    if device_id is not None:
        device = session.get(ContractDevice, device_id)
        if device is None:
            raise RequestRefused(gettext("The contract device no longer exists"))
        return device
    key = serial_key(serial)
    if not key:
        raise RequestRefused(gettext("The printer has no serial number, so it cannot be found in the contracts"))
    linked = sa.case((same_serial(Printer.serial_number, serial), 0), else_=1)
    device = session.exec(
        select(ContractDevice)
        .outerjoin(Printer, Printer.id == ContractDevice.printer_id)
        .where(same_serial(ContractDevice.serial_number, serial))
        .order_by(linked, ContractDevice.id)
    ).first()
    if device is None:
        raise RequestRefused(gettext("No contract device has the serial number {serial}", serial=serial.strip()))
    return device


def device_row(session: Session, device: ContractDevice) -> dict[str, str]:
    """The table's one row: column -> text."""
    org = session.get(Organization, device.organization_id)
    city = session.get(City, device.city_id) if device.city_id else None
    model = session.get(DeviceModel, device.device_model_id) if device.device_model_id else None
    maker = session.get(Manufacturer, model.manufacturer_id) if model else None
    values = {
        "№": "1",
        "Организация": org.name if org else "",
        "Город": city.name if city else "",
        "Адрес": device.address,
        "Кабинет": device.room_number,
        "Производитель": maker.name if maker else "",
        "Модель": model.name if model else "",
        "Серийный номер": device.serial_number.strip(),
        "Картридж": cartridge_text(session, device.device_model_id),
        "Комментарии": device.comment,
    }
    return {column: values.get(column, "") or "" for column in COLUMNS}


def cartridge_text(session: Session, device_model_id: int | None) -> str:
    """The model's active cartridges, primary ones first: "name (part) [colour]", the colour unless black."""
    if device_model_id is None:
        return ""
    rows = session.exec(
        select(Cartridge)
        .join(DeviceModelCartridge, DeviceModelCartridge.cartridge_id == Cartridge.id)
        .where(DeviceModelCartridge.device_model_id == device_model_id, Cartridge.is_active)
        .order_by(DeviceModelCartridge.is_primary.desc(), sa.func.lower(Cartridge.name), Cartridge.id)
    ).all()
    russian = catalogue("ru")
    parts = []
    for cartridge in rows:
        text = cartridge.name + (f" ({cartridge.part_number})" if cartridge.part_number else "")
        if cartridge.color != CartridgeColor.BLACK:
            text += f" [{_colour(cartridge.color, russian)}]"
        parts.append(text)
    return ", ".join(parts)


def _colour(value: str, russian: Catalogue) -> str:
    try:
        return russian.gettext(CartridgeColor(value).label)
    except ValueError:
        return value


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def build_message(rows: list[dict[str, str]], *, sender: Address, recipient: Address) -> EmailMessage:
    """The request with one table row per device (the rows of `device_row`, numbered here)."""
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message["X-Unsent"] = "1"
    rows = [{**row, "№": str(number)} for number, row in enumerate(rows, start=1)]
    blocks = ["\n".join(f"{c}: {v}" for c, v in row.items() if v and c != "№") for row in rows]
    if len(rows) > 1:
        blocks = [f"{number}.\n{block}" for number, block in enumerate(blocks, start=1)]
    signature = sender.display_name or sender.addr_spec
    text = "Здравствуйте!\n\nПрошу заменить картридж:\n\n" + "\n\n".join(blocks) + f"\n\n--\n{signature}\n"
    message.set_content(text, cte="quoted-printable")  # 7-bit clean: any client, any gateway
    cell = 'style="border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top"'
    head = "".join(f"<th {cell}>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in row.values()) + "</tr>" for row in rows
    )
    message.add_alternative(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        "<p>Здравствуйте!</p><p>Прошу заменить картридж:</p>"
        f'<table style="border-collapse:collapse;font-family:Arial,sans-serif;font-size:13px">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>--<br>{html.escape(signature)}</p></body></html>",
        subtype="html",
    )
    return message


def file_name(organization: str, serial: str) -> str:
    """ "Заявка_на_картридж_<organization's first 30 characters>_<serial or nosn>.eml", every character that is not
    a letter or a digit turned into "_", at most 200 characters."""
    org = _safe(organization[:30])
    sn = _safe(serial.strip()) or "nosn"
    stem = f"Заявка_на_картридж_{org}_{sn}"
    return stem[: _FILE_NAME_LIMIT - len(".eml")] + ".eml"


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)
