"""The cartridge request e-mail (DOMAIN 7.3, services/contracts/request_email.py) for several printers chosen on the
supplies page: one `.eml` to their service provider's desk, one table row per contract device, the "Картридж"
column naming the cartridges of the supplies that run out (else the model's cartridges, as the single request)."""

from __future__ import annotations

from email.headerregistry import Address
from email.policy import SMTP

from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import ContractDevice, Printer, ServiceProvider, User
from printer_app.services.contracts.request_email import (
    _EMAIL,
    RequestRefused,
    _one_line,
    _safe,
    build_message,
    device_row,
    find_device,
)

MAX_PRINTERS = 50  # one e-mail; a longer table is no request a desk reads


def request_for_printers(
    session: Session, *, user_id: int | None, printer_ids: list[int], cartridges: dict[int, str] | None = None
) -> tuple[str, bytes]:
    """(file name, .eml) of one request for the chosen printers' contract devices (the linked one, else the one
    with the printer's serial); refused when one has none, or when they go to different service desks.
    `cartridges`: printer id -> the cartridges to name (the supplies page's part numbers)."""
    ids = list(dict.fromkeys(i for i in printer_ids if isinstance(i, int) and not isinstance(i, bool)))
    if not ids:
        raise RequestRefused(gettext("Choose the printers to request cartridges for"))
    if len(ids) > MAX_PRINTERS:
        raise RequestRefused(gettext("At most {n} printers in one request", n=MAX_PRINTERS))
    user = session.get(User, user_id) if user_id is not None else None
    address = (user.email if user else "").strip()
    if not _EMAIL.match(address):
        raise RequestRefused(
            gettext("Your account has no e-mail address to send the request from: ask an administrator to add one")
        )
    devices = [_device_of(session, printer_id) for printer_id in ids]
    provider_ids = {d.service_provider_id for _p, d in devices}
    if None in provider_ids:
        printer = next(p for p, d in devices if d.service_provider_id is None)
        raise RequestRefused(
            gettext("The device of {printer} has no service provider to send the request to", printer=_name(printer))
        )
    if len(provider_ids) > 1:
        names = sorted(session.get(ServiceProvider, i).name for i in provider_ids)
        raise RequestRefused(
            gettext(
                "The printers chosen are served by different providers ({names}): request each provider's separately",
                names=", ".join(names),
            )
        )
    provider = session.get(ServiceProvider, provider_ids.pop())
    recipient = (provider.support_email or "").strip()
    if not _EMAIL.match(recipient):
        raise RequestRefused(
            gettext("The service provider {name} has no service-desk e-mail address", name=provider.name)
        )
    rows = []
    for printer, device in devices:
        row = device_row(session, device)
        if cartridges and cartridges.get(printer.id):
            row["Картридж"] = cartridges[printer.id]
        rows.append(row)
    message = build_message(
        rows,
        sender=Address(display_name=_one_line(user.full_name), addr_spec=address),
        recipient=Address(display_name=_one_line(provider.name), addr_spec=recipient),
    )
    organizations = {row["Организация"] for row in rows}
    org = _safe(organizations.pop()[:30]) if len(organizations) == 1 else ""
    stem = "_".join(p for p in ("Заявка_на_картриджи", org, f"{len(rows)}") if p)
    return stem[:190] + ".eml", message.as_bytes(policy=SMTP)


def _device_of(session: Session, printer_id: int) -> tuple[Printer, ContractDevice]:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise RequestRefused(gettext("The printer no longer exists"))
    linked = session.exec(select(ContractDevice).where(ContractDevice.printer_id == printer.id)).first()
    return printer, linked or find_device(session, device_id=None, serial=printer.serial_number)


def _name(printer: Printer) -> str:
    return f"{printer.ip_address} ({printer.serial_number})" if printer.serial_number else printer.ip_address
