"""Small visual widgets reused by tables: status badges, the active/inactive badge and supply level bars."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.models.choices import TaskStatus

_STATUS_COLORS = {s.value: s.color for s in TaskStatus}
_STATUS_LABELS = {s.value: s.label for s in TaskStatus}


def status_badge(status: rx.Var, error: rx.Var | str = "") -> rx.Component:
    """A coloured badge for a poll status; the error text shows on hover."""
    badge = rx.match(
        status,
        *[
            (value, rx.badge(t(_STATUS_LABELS[value]), color_scheme=color, variant="soft"))
            for value, color in _STATUS_COLORS.items()
        ],
        rx.badge(status, color_scheme="gray"),
    )
    return rx.cond(error != "", rx.tooltip(rx.box(badge), content=error), badge)


def active_badge(active) -> rx.Component:
    """Active (green) or Inactive (grey): organizations, users, whitelist entries."""
    return rx.cond(active, rx.badge(t("Active"), color_scheme="green"), rx.badge(t("Inactive"), color_scheme="gray"))


SUPPLY_CSS = {"black": "#1f2328", "cyan": "#00a3d9", "magenta": "#d6198a", "yellow": "#e8c200", "other": "#8b8d98"}


def tone_color(tone: rx.Var, default_shade: int = 10) -> rx.Var:
    """The text colour of a supply state word: amber for low, red for empty or error, else grey."""
    return rx.match(
        tone, ("amber", rx.color("amber", 11)), ("red", rx.color("red", 11)), rx.color("gray", default_shade)
    )


def supply_bar(color: rx.Var, percent: rx.Var, label: rx.Var, known: rx.Var, tone: rx.Var) -> rx.Component:
    """A 40 px level bar for a percentage, or the state word (Printer-MIB special value, web status) — never 0 %.

    `tone` colours the word: amber for low, red for empty or error, else grey.
    """
    css = rx.match(color, *[(k, v) for k, v in SUPPLY_CSS.items()], SUPPLY_CSS["other"])
    return rx.tooltip(
        rx.cond(
            known,
            rx.box(
                rx.box(height="100%", width=percent.to_string() + "%", background=css, border_radius="2px"),
                width="40px",
                height="8px",
                background=rx.color("gray", 4),
                border_radius="2px",
                border=f"1px solid {rx.color('gray', 6)}",
            ),
            rx.text(
                label,
                size="1",
                color=tone_color(tone),
                white_space="nowrap",
            ),
        ),
        content=label,
    )
