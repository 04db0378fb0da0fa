"""Report settings page (`/reports/settings`): serial edit overrides and printer model specs, one tab each
(state/reports/settings_overrides.py, state/reports/settings_specs.py)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.reports.settings_overrides import overrides_tab
from printer_app.components.reports.settings_specs import specs_tab
from printer_app.i18n import N_


def settings_page() -> rx.Component:
    return page(
        N_("Report settings"),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(t("Overrides"), value="overrides", id="tab-overrides"),
                rx.tabs.trigger(t("Model specs"), value="specs", id="tab-specs"),
                size="2",
            ),
            rx.tabs.content(overrides_tab(), value="overrides", padding_top="12px"),
            rx.tabs.content(specs_tab(), value="specs", padding_top="12px"),
            default_value="overrides",
            width="100%",
        ),
        actions=rx.link(rx.button(rx.icon("arrow-left", size=16), t("All months"), variant="soft"), href="/reports"),
    )
