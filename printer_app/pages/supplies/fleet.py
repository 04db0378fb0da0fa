"""Supplies page: every supply of the fleet with its days-to-empty forecast, and what to order within N days;
filters in the URL, export, a cartridge request for the chosen rows; open tabs follow the forecasts as polls arrive
(state/supplies/fleet.py `listen`)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.contracts.device_table import can
from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.spinner import spinner
from printer_app.components.supplies.order_table import order_table
from printer_app.components.supplies.supply_filters import filters
from printer_app.components.supplies.supply_table import supplies_table
from printer_app.components.table import pager
from printer_app.components.url_sync import url_sync
from printer_app.i18n import N_
from printer_app.services.access.roles import PERMISSIONS
from printer_app.state.supplies.fleet import EXPORT, REQUEST, SuppliesState

S = SuppliesState


def _export() -> rx.Component:
    def button(**props) -> rx.Component:
        return rx.button(
            rx.cond(S.exporting, spinner(16), rx.icon("download", size=16)),
            t("Export"),
            variant="soft",
            id="export",
            **props,
        )

    return rx.cond(
        can(EXPORT),
        button(on_click=S.export, disabled=S.exporting),
        rx.el.span(
            button(disabled=True),
            title=tf("Not allowed: you need the permission “{perm}”.", perm=t(PERMISSIONS[EXPORT])),
        ),
    )


def _request() -> rx.Component:
    """The cartridge request for the chosen rows (with the contracts permissions), and a way to clear the choice."""
    return rx.cond(
        can(REQUEST[0]) & can(REQUEST[1]),
        rx.hstack(
            rx.button(
                rx.icon("mail", size=16),
                S.request_label,
                on_click=S.request_selected,
                disabled=S.selected.length() == 0,
                title=t("Choose rows in the table, then download one request e-mail for their printers"),
                id="request-selected",
            ),
            rx.cond(
                S.selected.length() > 0,
                rx.button(t("Clear choice"), variant="ghost", on_click=S.clear_selected, id="clear-selected"),
            ),
            spacing="2",
            align="center",
        ),
    )


def _supplies_tab() -> rx.Component:
    return rx.vstack(
        supplies_table(),
        rx.cond(S.total == 0, rx.center(rx.text(t("No supplies match these filters.")), padding="24px", width="100%")),
        pager(S),
        width="100%",
        spacing="3",
    )


def supplies_page() -> rx.Component:
    return page(
        N_("Supplies"),
        url_sync(url=SuppliesState.url),
        filters(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(t("Supplies"), value="supplies", id="tab-supplies"),
                rx.tabs.trigger(t("What to order"), value="order", id="tab-order"),
            ),
            rx.tabs.content(_supplies_tab(), value="supplies", padding_top="12px"),
            rx.tabs.content(order_table(), value="order", padding_top="12px"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        actions=rx.hstack(_request(), _export(), spacing="2", align="center", flex_wrap="wrap"),
    )
