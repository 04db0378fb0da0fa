"""The activity indicator of buttons and progress cards (see assets/app.css: animated by the compositor alone)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t


def spinner(size: int = 16, **props) -> rx.Component:
    """A rotating circle, in place of `rx.spinner`, whose leaves keep the page's main thread rendering frames."""
    return rx.icon("loader-circle", size=size, class_name="pi-spin", aria_label=t("Working"), role="status", **props)
