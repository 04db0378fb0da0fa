"""Reference data page: cities, manufacturers, device models (and their cartridges), cartridges (and their Excel
import), contract statuses and service providers, one tab each."""

from __future__ import annotations

import reflex as rx

from printer_app.components.contracts.reference_dialogs import delete_dialog, model_cartridges_dialog, row_dialog
from printer_app.components.contracts.reference_import import cartridge_import_card
from printer_app.components.contracts.reference_tables import reference_table
from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.table import pager
from printer_app.i18n import N_
from printer_app.state.contracts.reference import TABS
from printer_app.state.contracts.reference import ReferenceState as S

TAB_LABELS = dict(
    zip(
        TABS,
        (N_("Cities"), N_("Manufacturers"), N_("Models"), N_("Cartridges"), N_("Statuses"), N_("Service providers")),
        strict=True,
    )
)


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=t("Search…"),
            default_value=S.search,
            key=S.tab + rx.State.is_hydrated.to_string(),  # a new tab starts with an empty field
            on_change=S.set_search.debounce(300),
            id="ref-search",
            width="260px",
            max_width="100%",
        ),
        rx.spacer(),
        rx.cond(
            S.can_add,
            rx.button(rx.icon("plus", size=16), t("Add"), on_click=S.open_new, id="ref-add"),
        ),
        width="100%",
        align="center",
        flex_wrap="wrap",
        row_gap="8px",
    )


def reference_page() -> rx.Component:
    return page(
        N_("Reference data"),
        rx.tabs.root(
            rx.box(
                rx.tabs.list(
                    *[rx.tabs.trigger(t(label), value=tab, id=f"tab-{tab}") for tab, label in TAB_LABELS.items()],
                    size="2",
                ),
                overflow_x="auto",
                width="100%",
            ),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        rx.cond((S.tab == "cartridge") & S.can_import, cartridge_import_card()),
        _toolbar(),
        rx.match(S.tab, *[(tab, reference_table(tab)) for tab in TABS]),
        pager(S),
        row_dialog(),
        delete_dialog(),
        model_cartridges_dialog(),
    )
