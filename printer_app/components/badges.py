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


def supply_bar(
    color: rx.Var, percent: rx.Var, label: rx.Var, known: rx.Var, tone: rx.Var, level: rx.Var | None = None
) -> rx.Component:
    """A level bar carrying its number, or the state word (Printer-MIB special value, web status) — never 0 %.

    Plain elements styled by assets/app.css (a table re-renders many of them); `label` is the tooltip (title), `tone`
    colours the word (`level`, else the label): amber for low, red for empty or error, else grey.
    """
    return rx.cond(
        known,
        rx.el.span(
            rx.el.span(percent.to_string(), class_name="pi-supply-num"),
            rx.el.span(
                rx.el.span(class_name="pi-supply-fill", style={"width": percent.to_string() + "%"}),
                class_name="pi-supply-track",
            ),
            class_name="pi-supply pi-supply-" + color.to(str),
            title=label,
        ),
        rx.el.span(
            label if level is None else level, class_name="pi-supply-word pi-tone-text-" + tone.to(str), title=label
        ),
    )


def tone_badge(text, tone: rx.Var | str, *, name: str = "", **props) -> rx.Component:
    """A small coloured badge as a plain element (a CSS class per tone: green, red, orange, amber, gray); `name` is
    a class of its own (for tests and styles)."""
    tone_class = tone.to(str) if isinstance(tone, rx.Var) else tone
    return rx.el.span(text, class_name=f"{name} pi-badge pi-tone-" + tone_class, **props)
