"""Rule builder page (/printers/<id>/web): write or pick web parsing rules on a preview, test them, poll."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.web.preview import preview_card
from printer_app.components.web.rule_editor import editor_card
from printer_app.components.web.rule_runs import last_poll_card, run_buttons, test_results_card
from printer_app.components.web.rule_table import rules_card
from printer_app.components.web.templates import templates_card
from printer_app.state.session import SessionState
from printer_app.state.web.common import MANAGE
from printer_app.state.web.rules import WebRulesState

S = WebRulesState


def web_rules_page() -> rx.Component:
    return page(
        rx.cond(S.printer_ip != "", tf("Web rules · {ip}", ip=S.printer_ip), t("Web rules")),
        rx.cond(
            S.not_found != "",
            rx.callout(S.not_found, icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                rx.text(S.printer_model, size="2", color=rx.color("gray", 11)),
                rx.cond(
                    ~SessionState.permissions.contains(MANAGE),
                    rx.callout(
                        t(
                            "You can look at these rules; changing them or fetching the page needs the permission "
                            "“Manage web parsing rules”."
                        ),
                        icon="eye",
                        id="read-only-note",
                    ),
                ),
                last_poll_card(),
                rx.grid(
                    rx.vstack(editor_card(), rules_card(), width="100%", spacing="4"),
                    preview_card(),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                test_results_card(),
                templates_card(),
                width="100%",
                spacing="4",
            ),
        ),
        actions=rx.hstack(
            rx.link(
                rx.button(rx.icon("arrow-left", size=16), t("Printer"), variant="soft"),
                href="/printers/" + S.printer_id.to_string(),
            ),
            run_buttons(),
            spacing="2",
        ),
    )
