"""The filters above the contract devices table, and the address bar kept in step with them."""

from __future__ import annotations

import reflex as rx

from printer_app.components.contracts.device_table import column_chooser
from printer_app.components.forms import filter_select
from printer_app.components.i18n import t
from printer_app.components.table import more_filters, reset_button, search_box
from printer_app.i18n import N_
from printer_app.services.contracts.device_list import NONE
from printer_app.state.contracts.devices import ALL, LINKED_OPTIONS, DevicesState

S = DevicesState


def _month(name: str, label: str) -> rx.Component:
    """A month input (YYYY-MM); an emptied one clears the filter."""
    return rx.el.label(
        rx.el.span(t(label), class_name="pi-month-label"),
        rx.el.input(
            type="month",
            value=getattr(S, name),
            on_change=lambda value: S.set_filter(name, value),
            id=f"filter-{name}",
            class_name="pi-month-input",
        ),
        class_name="pi-month",
    )


def filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Serial or address…"), id="filter-search", width="200px"),
        *more_filters(
            filter_select(S, "organization", [[ALL, N_("All organizations")]], dynamic=S.org_options, width="180px"),
            filter_select(S, "city", [[ALL, N_("All cities")]], dynamic=S.city_options, width="140px"),
            filter_select(S, "manufacturer", [[ALL, N_("All manufacturers")]], dynamic=S.maker_options, width="150px"),
            filter_select(S, "model", [[ALL, N_("All models")]], dynamic=S.models_shown, width="180px"),
            filter_select(
                S, "status", [[ALL, N_("Any status")], [NONE, N_("No status")]], dynamic=S.status_options, width="150px"
            ),
            filter_select(
                S,
                "provider",
                [[ALL, N_("Any service provider")], [NONE, N_("No service provider")]],
                dynamic=S.provider_options,
                width="170px",
            ),
            filter_select(S, "linked", LINKED_OPTIONS, width="160px"),
            _month("month_from", N_("Service from")),
            _month("month_to", N_("to")),
            active=S.active_filters,
            id="contracts-filters-toggle",
        ),
        reset_button(S.reset_filters, search_id="filter-search", id="filter-reset"),
        rx.spacer(),
        column_chooser(),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )
