"""The filters above the month history (user, source, field, dates, serial / organization search; on a phone they
fold away behind "Filters (n)") and the address bar kept in step with them."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import filter_select
from printer_app.components.i18n import t
from printer_app.components.table import more_filters, reset_button, search_box
from printer_app.i18n import N_
from printer_app.models.choices import ChangeSource
from printer_app.services.reports.columns import COUNTER_FIELDS, header_of
from printer_app.state.reports.month_history import ALL, MonthHistoryState

S = MonthHistoryState
FIELD_OPTIONS = [[ALL, N_("All counters")], *([name, header_of(name, english=True)] for name in COUNTER_FIELDS)]
SOURCE_OPTIONS = [[ALL, N_("All sources")], *([value, label] for value, label in ChangeSource.options())]


def _date(name: str, label: str) -> rx.Component:
    """A date typed in the user's format (DD.MM.YYYY in Russian) or ISO."""
    return rx.hstack(
        rx.text(t(label), size="2", color=rx.color("gray", 11)),
        rx.input(
            value=getattr(S, name),
            on_change=lambda v: S.set_date(name, v),
            placeholder=t("DD.MM.YYYY"),
            color_scheme=rx.cond(getattr(S, f"{name}_invalid"), "red", "gray"),
            width="120px",
            input_mode="numeric",
            id=f"filter-{name}",
        ),
        align="center",
        spacing="1",
    )


def history_filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Serial or organization…"), id="filter-search"),
        *more_filters(
            filter_select(
                S,
                "user",
                [[ALL, N_("All users")], ["system", N_("System (no user)")]],
                dynamic=S.user_options,
                width="180px",
            ),
            filter_select(S, "source", SOURCE_OPTIONS, width="160px"),
            filter_select(S, "field", FIELD_OPTIONS, width="170px"),
            _date("date_from", N_("From")),
            _date("date_to", N_("to")),
            active=S.active_filters,
            id="history-filters-toggle",
        ),
        reset_button(S.reset_filters, search_id="filter-search", id="filter-reset"),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )
