"""The "Request cartridge" action of a contract device and of a printer: the `.eml` of DOMAIN 7.3 downloaded, or a
toast saying why there is none. Other pages call `for_device` / `for_printer`; the permissions are checked here."""

from __future__ import annotations

import reflex as rx

from printer_app.services.contracts.request_email import MIME_TYPE, RequestRefused, request_for_user
from printer_app.services.validators import parse_id
from printer_app.state.session import SessionState, requires, with_session

REQUEST = ("contracts.access_contracts_app", "contracts.view_contractdevice")


class CartridgeRequestState(SessionState):
    """Builds the request on the server from the stored rows; nothing of it is kept in the tab."""

    @rx.event
    @requires(*REQUEST)
    async def for_device(self, device_id: int | str):
        """The request for one contract device."""
        return await self._download(device_id=parse_id(device_id) or 0)

    @rx.event
    @requires(*REQUEST, "inventory.view_printer")
    async def for_printer(self, printer_id: int | str):
        """The request for the contract device of a polled printer (its linked device, else the one with its serial)."""
        return await self._download(printer_id=parse_id(printer_id) or 0)

    async def _download(self, **target: int):
        try:
            name, data = await with_session(request_for_user, user_id=self._user_id, **target)
        except RequestRefused as refused:
            return rx.toast.error(refused.message)
        return rx.download(data=data, filename=name, mime_type=MIME_TYPE)
