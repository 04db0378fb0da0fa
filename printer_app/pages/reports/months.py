"""Month list page (`/reports`): every month the user may see with its figures and the actions their permissions
allow; open tabs follow changes made elsewhere (state/reports/months.py `listen`)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.reports.month_dialogs import delete_dialog, edit_until_dialog, from_contracts_dialog
from printer_app.components.reports.month_table import can, months_cards, months_table
from printer_app.i18n import N_
from printer_app.state.reports.access import ACCESS, UPLOAD
from printer_app.state.reports.month_from_contracts import FromContractsState
from printer_app.state.reports.months import MonthsState


def _actions() -> rx.Component:
    return rx.cond(
        can(UPLOAD),
        rx.hstack(
            rx.button(
                rx.icon("file-plus", size=16),
                t("Create month from contracts"),
                variant="soft",
                on_click=FromContractsState.open_dialog,
                id="from-contracts",
            ),
            rx.link(
                rx.button(rx.icon("upload", size=16), t("Upload a month")), href="/reports/upload", id="upload-month"
            ),
            spacing="2",
            align="center",
        ),
    )


def _settings_link() -> rx.Component:
    """Serial overrides and model specs (`/reports/settings`), for everyone who sees the list."""
    button = rx.button(rx.icon("settings", size=16), t("Settings"), variant="soft")
    return rx.cond(can(ACCESS), rx.link(button, href="/reports/settings", id="report-settings"))


def months_page() -> rx.Component:
    return page(
        N_("Monthly reports"),
        months_table(),
        months_cards(),
        rx.cond(
            MonthsState.loaded & (MonthsState.rows.length() == 0),
            rx.center(rx.text(t("No monthly report yet.")), padding="24px", id="no-months"),
        ),
        edit_until_dialog(),
        delete_dialog(),
        from_contracts_dialog(),
        actions=rx.hstack(_settings_link(), _actions(), spacing="2", align="center", flex_wrap="wrap"),
    )
