"""The filters above the supplies tables, and the address bar kept in step with them."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import filter_select
from printer_app.components.table import more_filters, reset_button, search_box
from printer_app.i18n import N_
from printer_app.state.supplies.fleet import ALL, COLOR_OPTIONS, KIND_OPTIONS, SuppliesState

S = SuppliesState


def filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Printer, model or part…"), id="filter-search"),
        *more_filters(
            filter_select(S, "organization", [[ALL, N_("All organizations")]], dynamic=S.org_options, width="180px"),
            filter_select(S, "kind", KIND_OPTIONS, width="150px"),
            filter_select(S, "color", COLOR_OPTIONS, width="130px"),
            filter_select(S, "level_below", [[ALL, N_("Any level")]], dynamic=S.level_options, width="150px"),
            filter_select(S, "empty_within", [[ALL, N_("Any forecast")]], dynamic=S.within_options, width="190px"),
            active=S.active_filters,
            id="supplies-filters-toggle",
        ),
        reset_button(S.reset_filters, search_id="filter-search", id="filter-reset"),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )
