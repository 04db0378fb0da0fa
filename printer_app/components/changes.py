"""A change-log entry's parts, shown alike on the change log and on a printer's page."""

from __future__ import annotations

import reflex as rx

ACTION_COLORS = {
    "create": "green",
    "update": "blue",
    "delete": "red",
    "ip_change": "violet",
    "serial_update": "cyan",
    "mac_update": "cyan",
    "deactivation": "orange",
    "replacement": "amber",
    "activation": "green",
}


def field_change(c, shows) -> rx.Component:
    """One field: "Label: old → new" for a change, just the value for a creation or deletion."""
    muted = rx.color("gray", 11)
    return rx.hstack(
        rx.text(c.label + ":", weight="medium", size="2", white_space="nowrap"),
        rx.cond(
            shows == "both",
            rx.hstack(
                rx.text(c.old, size="2", color=muted, class_name="change-old"),
                rx.icon("arrow-right", size=12, color=muted, flex_shrink="0", margin_top="4px"),
                rx.text(c.new, size="2", class_name="change-new"),
                spacing="1",
                align="start",
            ),
            rx.text(rx.cond(shows == "old", c.old, c.new), size="2", class_name="change-new"),
        ),
        spacing="1",
        align="start",
        class_name="field-change",
    )


def action_badge(r) -> rx.Component:
    return rx.match(
        r.action,
        *[(a, rx.badge(r.action_label, color_scheme=c, variant="soft")) for a, c in ACTION_COLORS.items()],
        rx.badge(r.action_label),
    )


def changes_cell(r) -> rx.Component:
    """The fields an entry changed, and the other printer of a replacement or a move."""
    return rx.vstack(
        rx.foreach(r.changes, lambda c: field_change(c, r.shows)),
        rx.cond(r.note != "", rx.text(r.note, size="1", color=rx.color("gray", 11), class_name="change-note")),
        spacing="1",
    )
