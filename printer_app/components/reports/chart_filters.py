"""The charts page's filters: organizations (several), the month range, the target line and the URL they live in."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.components.url_sync import url_sync
from printer_app.i18n import N_
from printer_app.state.reports.charts import ChartsState

S = ChartsState
ANY = "any"  # the select value of an open end of the range (a select item cannot have the value "")


def _organizations() -> rx.Component:
    label = rx.cond(S.chosen.length() == 0, t("All organizations"), tf("{count} chosen", count=S.chosen.length()))
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("building-2", size=16), label, variant="soft", id="charts-orgs", width="100%")
        ),
        rx.popover.content(
            rx.vstack(
                rx.button(
                    t("All organizations"), variant="ghost", size="1", on_click=S.all_organizations, id="orgs-all"
                ),
                rx.foreach(
                    S.organizations,
                    lambda name: rx.checkbox(
                        name, checked=S.chosen.contains(name), on_change=lambda _v: S.toggle_organization(name)
                    ),
                ),
                spacing="2",
                max_height="50vh",
                overflow_y="auto",
                id="orgs-choices",
            ),
        ),
    )


def _month(name: str, label: str) -> rx.Component:
    value = getattr(S, f"month_{name}")
    return labelled(
        label,
        choice_select(
            [(ANY, N_("Any"))],
            rx.cond(value == "", ANY, value),
            lambda choice: S.set_month_range(name, choice),
            dynamic=S.months,
            width="100%",
            id=f"charts-{name}",
        ),
        width="auto",
        min_width="150px",
    )


def _target() -> rx.Component:
    return labelled(
        N_("Target, %"),
        rx.input(
            type="number",
            min=1,
            max=100,
            step=1,
            default_value=S.target.to_string(),
            key=S.target.to_string(),
            on_blur=S.set_target,
            width="90px",
            id="charts-target",
        ),
        width="auto",
    )


def chart_filters() -> rx.Component:
    return rx.flex(
        url_sync(url=S.url),
        labelled("Organizations", _organizations(), width="auto", min_width="180px"),
        _month("from", N_("From month")),
        _month("to", N_("To month")),
        _target(),
        wrap="wrap",
        spacing="3",
        align="end",
        width="100%",
        id="charts-filters",
    )
