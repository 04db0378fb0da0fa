"""The filters above the month table, the address bar kept in step with them, and the two export buttons."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import filter_select
from printer_app.components.i18n import t
from printer_app.components.reports.table_grid import column_chooser
from printer_app.components.spinner import spinner
from printer_app.components.table import more_filters, reset_button, search_box
from printer_app.i18n import N_
from printer_app.state.reports.month_table import ALL, MonthTableState

S = MonthTableState


def _switch(name: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.switch(
            checked=getattr(S, name) == "1",
            on_change=lambda value: S.toggle_flag(name, value),
            size="1",
            id=f"filter-{name}",
        ),
        rx.text(t(label), size="1"),
        class_name="pi-switch-label",
    )


def _threshold(name: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.el.span(t(label), class_name="pi-month-label"),
        rx.el.input(
            type="number",
            min="0",
            max="100",
            step="any",
            default_value=getattr(S, name),
            key=rx.State.is_hydrated.to_string(),
            on_change=lambda value: S.set_filter(name, value),
            id=f"filter-{name}",
            class_name="pi-month-input rt-threshold",
        ),
        class_name="pi-month",
    )


def filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Serial or inventory no.…"), id="filter-search"),
        *more_filters(
            filter_select(S, "organization", [[ALL, N_("All organizations")]], dynamic=S.org_options, width="180px"),
            filter_select(S, "city", [[ALL, N_("All cities")]], dynamic=S.city_options, width="140px"),
            filter_select(S, "model", [[ALL, N_("All models")]], dynamic=S.model_options, width="180px"),
            _switch("anomalies", N_("Anomalies only")),
            _switch("duplicates", N_("Duplicate groups only")),
            _threshold("k1_below", N_("K1 below")),
            _threshold("k2_below", N_("K2 below")),
            active=S.active_filters,
            id="report-filters-toggle",
        ),
        reset_button(S.reset_filters, search_id="filter-search", id="filter-reset"),
        rx.spacer(),
        column_chooser(),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )


def exports() -> rx.Component:
    def button(which: str, label: str, icon: str) -> rx.Component:
        return rx.button(
            rx.cond(S.exporting == which, spinner(16), rx.icon(icon, size=16)),
            t(label),
            variant="soft",
            on_click=S.export(which),
            disabled=(S.exporting != "") | ~S.loaded,
            id=f"export-{which}",
        )

    return rx.hstack(
        button("month", N_("Export month"), "download"),
        button("shown", N_("Export shown rows"), "filter"),
        rx.el.label(
            rx.switch(checked=S.english, on_change=S.set_english, size="1", id="export-english"),
            rx.text(t("English headers"), size="1"),
            class_name="pi-switch-label",
        ),
        align="center",
        spacing="2",
    )
