"""Printer page panels about what the stored polls say: current supplies, the identity flag, a counter reset."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import supply_bar, tone_color
from printer_app.components.dialogs import confirm_dialog
from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.i18n import N_
from printer_app.state.inventory.printer_detail import PrinterDetailState

S = PrinterDetailState


def identity_flag() -> rx.Component:
    """Match rule NONE: a swapped device at this address would go unnoticed, so say so."""
    return rx.cond(
        S.unverified,
        rx.callout(
            t(
                "Identity not verifiable: the device reports neither a serial number nor a MAC address, so a "
                "different device at this address would not be noticed. The first serial or MAC it reports is learned."
            ),
            icon="shield-alert",
            color_scheme="amber",
            id="identity-unverifiable",
        ),
    )


def counter_reset() -> rx.Component:
    """The history check keeps rejecting the counters: after a genuine reset the user accepts them as the baseline."""
    confirm = confirm_dialog(
        N_("Accept the device's counters as the new baseline?"),
        N_(
            "Only after a genuine counter reset, such as a replaced main board. Later polls are compared only with "
            "counters read from now on; the earlier history stays. The change log records who did it."
        ),
        action=N_("Accept as baseline"),
        on_confirm=S.accept_baseline,
        confirm_id="confirm-baseline",
        trigger=rx.button(
            rx.icon("history", size=16),
            t("Accept new counters as baseline"),
            color_scheme="amber",
            id="accept-baseline",
        ),
        color_scheme="amber",
        max_width="600px",
    )
    return rx.cond(
        S.rejected != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.vstack(
                rx.callout.text(t("The history check rejects this printer's counters: "), S.rejected),
                rx.callout.text(
                    t("If they were really reset (for example a replaced main board), accept them as the new baseline.")
                ),
                rx.cond(S.permissions.contains("inventory.change_printer"), confirm),
                spacing="2",
            ),
            color_scheme="amber",
            width="100%",
            id="counter-reset",
        ),
    )


def supplies_card() -> rx.Component:
    """The supplies of the last successful poll: a bar for a percentage, the word for a state (never 0 %)."""
    return rx.cond(
        S.supplies.length() > 0,
        section_card(
            N_("Supplies (last successful poll)"),
            rx.grid(
                rx.foreach(
                    S.supplies,
                    lambda s: rx.hstack(
                        rx.text(
                            s.name,
                            size="2",
                            flex="1",
                            overflow="hidden",
                            text_overflow="ellipsis",
                            white_space="nowrap",
                        ),
                        rx.cond(s.known, supply_bar(s.color, s.percent, s.label, s.known, s.tone)),
                        rx.text(
                            s.level,
                            size="2",
                            weight="medium",
                            color=tone_color(s.tone, 12),
                            min_width="110px",
                        ),
                        align="center",
                        spacing="2",
                        class_name="supply-line",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing_x="6",
                spacing_y="2",
                width="100%",
            ),
            id="supplies",
        ),
    )
