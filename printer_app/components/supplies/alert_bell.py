"""The bell of the page frame: a link to the alert list with the number of unread alerts, live."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.state.supplies.bell import AlertBellState as B


def alert_bell(id: str) -> rx.Component:
    """Shown to users who may see printers once the tab's listener has counted; the badge only when unread > 0."""
    return rx.cond(
        B.bell_shown,
        rx.link(
            rx.box(
                rx.icon("bell", size=20),
                rx.cond(
                    B.unread > 0,
                    rx.badge(
                        B.unread_text,
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        size="1",
                        position="absolute",
                        top="-8px",
                        right="-10px",
                        class_name="alert-bell-count",
                    ),
                ),
                position="relative",
                display="inline-flex",
            ),
            href="/supplies/alerts",
            color=rx.color("gray", 11),
            title=t("Low-supply alerts"),
            aria_label=t("Low-supply alerts"),
            custom_attrs={"data-unread": B.unread.to_string()},
            id=id,
        ),
    )


def bell_listener() -> rx.Component:
    """Starts the tab's bell listener when a page mounts (once per page; a newer one makes the older one stop)."""
    return rx.box(on_mount=B.listen, display="none", id="alert-bell-listener")
