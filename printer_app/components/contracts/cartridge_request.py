"""The "Request cartridge" button: shown to users who may see contract devices (the handler checks again)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.state.contracts.cartridge_request import REQUEST
from printer_app.state.session import SessionState


def request_cartridge_button(on_click: rx.EventSpec, **props) -> rx.Component:
    """Downloads the request `.eml` (DOMAIN 7.3) for the device or printer `on_click` names."""
    allowed = SessionState.permissions.contains(REQUEST[0]) & SessionState.permissions.contains(REQUEST[1])
    return rx.cond(
        allowed,
        rx.button(
            rx.icon("mail", size=16),
            t("Request cartridge"),
            on_click=on_click,
            variant="soft",
            id=props.pop("id", "request-cartridge"),
            **props,
        ),
    )
