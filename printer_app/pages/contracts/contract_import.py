"""Contract import page: upload workbooks, preview and decide every row, then apply them in the background."""

from __future__ import annotations

import reflex as rx

from printer_app.components.contracts.import_apply import apply_card
from printer_app.components.contracts.import_preview import preview_card
from printer_app.components.contracts.import_upload import upload_card
from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.i18n import N_
from printer_app.state.contracts.contract_import import ContractImportState as S


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(S.import_id > 0, rx.badge(t("Session"), " #", S.import_id, color_scheme="gray", size="2")),
        rx.button(
            rx.icon("rotate-ccw", size=16),
            t("New session"),
            variant="soft",
            on_click=S.new_session,
            disabled=S.applying,
            id="import-new-session",
        ),
        align="center",
        spacing="2",
    )


def contract_import_page() -> rx.Component:
    return page(N_("Contract import"), upload_card(), apply_card(), preview_card(), actions=_actions())
