"""The notice at the top of an edit form: a form-wide error, and the input a refused save did not store."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t


def form_notice(errors, unsaved, notice_id: str) -> rx.Component:
    """A red callout with `errors["form"]`; beneath it the user's unsaved input, to enter again if still wanted."""
    return rx.cond(
        errors.contains("form"),
        rx.callout(
            rx.vstack(
                rx.text(errors["form"]),
                rx.cond(
                    unsaved.length() > 0,
                    rx.vstack(
                        rx.text(t("Your input, not saved:"), weight="medium"),
                        rx.foreach(unsaved, lambda line: rx.text(line, size="1", class_name="unsaved-line")),
                        spacing="0",
                    ),
                ),
                spacing="1",
            ),
            icon="triangle-alert",
            color_scheme="red",
            width="100%",
            id=notice_id,
        ),
    )
