"""Profile page (/profile): who is signed in, and their personal API tokens (create, shown once, revoke)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.state.access.profile import EXPIRY_CHOICES, ProfileState

S = ProfileState
TOKENS_ABOUT = N_(
    "Personal API tokens let scripts and other tools use the JSON API (/api/v1) as you, with your permissions."
)


def _row(token) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(token["name"], weight="medium")),
        rx.table.cell(rx.code(token["prefix"], variant="ghost")),
        rx.table.cell(token["created"], white_space="nowrap"),
        rx.table.cell(token["expires"], white_space="nowrap"),
        rx.table.cell(token["last_used"], white_space="nowrap"),
        rx.table.cell(
            rx.badge(
                token["state_label"],
                color_scheme=rx.match(token["state"], ("active", "green"), ("expired", "orange"), "gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                token["state"] == "active",
                rx.button(
                    t("Revoke"),
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.revoke(token["id"]),
                    class_name="token-revoke",
                ),
            )
        ),
        class_name="token-row",
    )


def _new_secret() -> rx.Component:
    return rx.cond(
        S.new_secret != "",
        rx.callout(
            rx.vstack(
                rx.text(t("Copy the token now: it is shown only once."), weight="bold"),
                rx.hstack(
                    rx.code(S.new_secret, id="new-token-secret", size="3", style={"word_break": "break-all"}),
                    rx.button(
                        rx.icon("copy", size=14),
                        t("Copy"),
                        size="1",
                        variant="soft",
                        on_click=rx.set_clipboard(S.new_secret),
                    ),
                    align="center",
                    flex_wrap="wrap",
                ),
                rx.text(
                    t("Send it as the header Authorization: Bearer <token>."),
                    size="2",
                ),
                rx.button(t("Done"), size="1", variant="outline", on_click=S.dismiss_secret, id="token-done"),
                spacing="2",
            ),
            icon="key-round",
            color_scheme="green",
            width="100%",
        ),
    )


def _create_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("New API token"), size="3"),
            rx.hstack(
                labelled(
                    N_("Name"),
                    rx.input(
                        value=S.name,
                        on_change=S.set_name,
                        id="token-name",
                        placeholder=t("What uses it, e.g. the billing script"),
                        width="100%",
                    ),
                    errors=S.errors,
                    name="name",
                    flex="1",
                    min_width="220px",
                ),
                labelled(
                    N_("Expires after"),
                    choice_select(EXPIRY_CHOICES, S.days, S.set_days, id="token-days", width="160px"),
                    errors=S.errors,
                    name="days",
                    width="auto",
                ),
                rx.button(t("Create token"), on_click=S.create, id="token-create"),
                align="end",
                spacing="3",
                flex_wrap="wrap",
                width="100%",
            ),
            rx.cond(S.errors.contains("form"), rx.text(S.errors["form"], color=rx.color("red", 11), size="2")),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def profile_page() -> rx.Component:
    return page(
        N_("Profile"),
        rx.text(S.display_name, " · ", S.username, color=rx.color("gray", 11), id="profile-user"),
        rx.text(
            t(TOKENS_ABOUT),
            size="2",
        ),
        rx.cond(
            S.permissions.contains("inventory.view_api_docs"),
            rx.link(t("API documentation"), href="/api/docs", is_external=True, id="api-docs-link", size="2"),
        ),
        _new_secret(),
        _create_form(),
        data_table(
            [N_("Name"), N_("Token"), N_("Created"), N_("Expires"), N_("Last used"), N_("State"), ""],
            S.tokens,
            _row,
            variant="surface",
            id="token-table",
        ),
    )
