"""The action buttons of the printers page: export (with its header language), fill a customer's report, poll
what the list shows, import and add. A button the user's permissions do not allow is hidden, or shown disabled with
the permission it needs (the handlers check again)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.services.access.roles import PERMISSIONS
from printer_app.state.inventory.amb import AmbState
from printer_app.state.inventory.printer_form import PrinterFormState
from printer_app.state.inventory.printers import PrintersState as S
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState

ADD, CHANGE, DELETE, RUN, EXPORT, AMB = (
    "inventory.add_printer",
    "inventory.change_printer",
    "inventory.delete_printer",
    "inventory.run_inventory",
    "inventory.export_printers",
    "inventory.export_amb_report",
)


def can(permission: str) -> rx.Var[bool]:
    return SessionState.permissions.contains(permission)


def _needs(permission: str) -> rx.Var[str]:
    """Why a button is disabled: the permission it needs, by its name."""
    return tf("Not allowed: you need the permission “{perm}”.", perm=t(PERMISSIONS[permission]))


def printer_actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            can(EXPORT),
            rx.hstack(
                rx.button(
                    rx.icon("download", size=16),
                    t("Export"),
                    variant="soft",
                    on_click=S.export,
                    loading=S.exporting,
                    title=t("printers.xlsx of every printer the filters show, sorted by IP"),
                    id="export-printers",
                ),
                rx.el.label(
                    rx.switch(checked=S.english, on_change=S.set_english, size="1", id="export-english"),
                    rx.text(t("English headers"), size="1"),
                    class_name="pi-switch-label",
                ),
                align="center",
                spacing="2",
            ),
        ),
        rx.cond(
            can(AMB),
            rx.button(
                rx.icon("file-input", size=16),
                t("Fill customer report"),
                variant="soft",
                on_click=AmbState.open_dialog,
                id="amb-open",
            ),
        ),
        rx.cond(
            can(RUN),
            rx.button(
                rx.icon("radar", size=16),
                S.poll_label,
                variant="soft",
                on_click=S.poll_shown,
                disabled=LiveState.batch_running,
                id="poll-all",
            ),
            rx.el.span(
                rx.button(rx.icon("radar", size=16), t("Poll all"), variant="soft", disabled=True, id="poll-all"),
                title=_needs(RUN),
            ),
        ),
        rx.cond(
            can(ADD),
            rx.link(
                rx.button(rx.icon("upload", size=16), t("Import"), variant="soft", id="import-printers"),
                href="/printers/import",
            ),
        ),
        rx.cond(
            can(ADD),
            rx.button(rx.icon("plus", size=16), t("Add printer"), on_click=PrinterFormState.open_new, id="add-printer"),
            rx.el.span(
                rx.button(rx.icon("plus", size=16), t("Add printer"), disabled=True, id="add-printer"),
                title=_needs(ADD),
            ),
        ),
    )
