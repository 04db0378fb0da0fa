"""Contract devices page: filters (in the URL), sortable columns, paging, column chooser, add/edit/delete, inline
status, export, "Link now"; open tabs follow changes made elsewhere (state/contracts/devices.py `listen`)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.contracts.device_dialog import delete_dialog, device_dialog
from printer_app.components.contracts.device_filters import filters
from printer_app.components.contracts.device_table import can, devices_table
from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.spinner import spinner
from printer_app.components.table import pager
from printer_app.components.url_sync import url_sync
from printer_app.i18n import N_
from printer_app.services.access.roles import PERMISSIONS
from printer_app.state.contracts.device_form import ADD, CHANGE, DeviceFormState
from printer_app.state.contracts.devices import EXPORT, DevicesState

S = DevicesState


def _needs(permission: str) -> rx.Var[str]:
    """Why a button is disabled: the permission it needs, by its name."""
    return tf("Not allowed: you need the permission “{perm}”.", perm=t(PERMISSIONS[permission]))


def _gated(permission: str, button: rx.Component, disabled: rx.Component) -> rx.Component:
    return rx.cond(can(permission), button, rx.el.span(disabled, title=_needs(permission)))


def _export() -> rx.Component:
    def button(**props) -> rx.Component:
        return rx.button(
            rx.cond(S.exporting, spinner(16), rx.icon("download", size=16)),
            t("Export"),
            variant="soft",
            id="export",
            **props,
        )

    return rx.hstack(
        _gated(EXPORT, button(on_click=S.export, disabled=S.exporting), button(disabled=True)),
        rx.el.label(
            rx.switch(checked=S.english, on_change=S.set_english, size="1", id="export-english"),
            rx.text(t("English headers"), size="1"),
            class_name="pi-switch-label",
        ),
        align="center",
        spacing="2",
    )


def _actions() -> rx.Component:
    def link(**props) -> rx.Component:
        return rx.button(
            rx.cond(S.linking, spinner(16), rx.icon("link", size=16)),
            t("Link now"),
            variant="soft",
            id="link-now",
            **props,
        )

    def add(**props) -> rx.Component:
        return rx.button(rx.icon("plus", size=16), t("Add device"), id="add-device", **props)

    return rx.hstack(
        _export(),
        _gated(CHANGE, link(on_click=S.link_now, disabled=S.linking), link(disabled=True)),
        _gated(ADD, add(on_click=DeviceFormState.open_new), add(disabled=True)),
        align="center",
        spacing="2",
    )


def _link_result() -> rx.Component:
    return rx.cond(
        S.link_result != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("link", size=16)),
            rx.callout.text(S.link_result),
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                size="1",
                on_click=S.dismiss_link_result,
                aria_label=t("Close"),
                margin_left="auto",
            ),
            color_scheme="blue",
            width="100%",
            id="link-result",
            style={"alignItems": "center"},
        ),
    )


def contracts_page() -> rx.Component:
    return page(
        N_("Contracts"),
        url_sync(url=DevicesState.url),
        _link_result(),
        filters(),
        devices_table(),
        rx.cond(S.total == 0, rx.center(rx.text(t("No devices match these filters.")), padding="24px")),
        pager(S),
        device_dialog(),
        delete_dialog(),
        actions=_actions(),
    )
