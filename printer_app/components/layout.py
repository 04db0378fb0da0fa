"""The shared page frame: navigation sidebar, header and content area, and the card of a page section."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from printer_app.components.i18n import t, text
from printer_app.components.supplies.alert_bell import alert_bell, bell_listener
from printer_app.i18n import LANGUAGES, N_
from printer_app.state.language import LanguageState
from printer_app.state.live.state import LiveState
from printer_app.state.session import SessionState

NAV = [  # label, path, icon, the permission the page needs (the page checks it again on the server)
    (N_("Dashboard"), "/", "layout-dashboard", "dashboard.access_dashboard_app"),
    (N_("Printers"), "/printers", "printer", "inventory.view_printer"),
    (N_("Supplies"), "/supplies", "droplets", "inventory.view_printer"),
    (N_("Alerts"), "/supplies/alerts", "bell-ring", "inventory.view_printer"),
    (N_("Discover"), "/discover", "radar", "inventory.run_inventory"),
    (N_("Organizations"), "/organizations", "building-2", "inventory.view_organization"),
    (N_("Contracts"), "/contracts", "file-text", "contracts.access_contracts_app"),
    (N_("Contract import"), "/contracts/import", "file-up", "contracts.import_contracts"),
    (N_("Reference data"), "/contracts/reference", "book-open", "contracts.access_contracts_app"),
    (N_("Monthly reports"), "/reports", "table-2", "monthly_report.access_monthly_report"),
    (N_("SLA charts"), "/reports/charts", "chart-line", "monthly_report.access_monthly_report"),
]


def _nav_link(label: str, href: str, icon: str, key: str) -> rx.Component:
    path = rx.State.router.page.path
    active = path == href
    if href != "/":
        below = path.startswith(href + "/")
        for other in (other for _, other, _, _ in NAV if other.startswith(href + "/")):  # a page of its own
            below = below & ~(path == other) & ~path.startswith(other + "/")
        active = active | below
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(text(label), size="3"), align="center", spacing="3"),
        href=href,
        underline="none",
        padding_x="12px",
        padding_y="8px",
        border_radius="8px",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("accent", 4)},
        id=f"nav-{key}",
    )


def _brand(bell_id: str = "alert-bell") -> rx.Component:
    return rx.hstack(
        rx.icon("printer-check", size=26, color=rx.color("accent", 10)),
        rx.heading(t("Printer Inventory"), size="4"),
        rx.spacer(),
        alert_bell(bell_id),
        align="center",
        padding_bottom="16px",
        padding_right="8px",
        width="100%",
    )


def _navigation(bell_id: str = "alert-bell") -> list[rx.Component]:
    """The links of the pages the signed-in user may open, then who is signed in (language, sign-out)."""
    return [
        _brand(bell_id),
        # Until the first page check told who is signed in, every link shows (no flicker); then only allowed ones.
        *[
            rx.cond(
                ~SessionState.signed_in | SessionState.permissions.contains(perm),
                _nav_link(label, href, icon, label.lower()),
            )
            for label, href, icon, perm in NAV
        ],
        rx.cond(
            SessionState.permissions.contains("access.manage_users"),
            _nav_link(N_("Users"), "/users", "users", "users"),
        ),
        rx.cond(
            SessionState.permissions.contains("access.view_entity_changes"),
            _nav_link(N_("Change log"), "/changes", "history", "change log"),
        ),
        rx.spacer(),
        _account(),
    ]


def sidebar() -> rx.Component:
    """The navigation beside the page on a wide screen (from 768 px); a narrow one opens it from the top bar."""
    return rx.vstack(
        *_navigation(),
        width="220px",
        min_width="220px",
        height="100vh",
        position="sticky",
        top="0",
        padding="20px 12px",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        spacing="1",
        display=rx.breakpoints(initial="none", md="flex"),
    )


def top_bar() -> rx.Component:
    """On a phone: the menu button (the navigation slides in from the left) and the product name."""
    return rx.hstack(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(rx.icon("menu", size=20), variant="ghost", aria_label=t("Menu"), id="menu-open")
            ),
            rx.drawer.overlay(z_index="50"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(*_navigation("alert-bell-menu"), height="100%", spacing="1", width="100%"),
                    width="260px",
                    height="100%",
                    top="0",
                    left="0",
                    padding="20px 12px",
                    background=rx.color("gray", 2),
                    z_index="51",
                    id="menu-drawer",
                ),
            ),
            direction="left",
        ),
        rx.icon("printer-check", size=22, color=rx.color("accent", 10)),
        rx.text(t("Printer Inventory"), weight="bold"),
        rx.spacer(),
        alert_bell("alert-bell-phone"),
        align="center",
        spacing="2",
        width="100%",
        padding_right="8px",
        display=rx.breakpoints(initial="flex", md="none"),
    )


class _PostForm(BaseHTML):
    """A plain HTML form that the browser submits itself (`rx.el.form` always cancels the submit for a handler)."""

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


def _sign_out() -> rx.Component:
    """Sign-out is a POST from this page (a full navigation: the server ends the session); a link could be forged."""
    return _PostForm.create(
        rx.el.button(
            rx.hstack(rx.icon("log-out", size=16), rx.text(t("Sign out"), size="2"), align="center", spacing="2"),
            type="submit",
            id="sign-out",
            color=rx.color("gray", 11),
            background="none",
            border="none",
            padding="0",
            cursor="pointer",
            _hover={"color": rx.color("accent", 11)},
        ),
        action="/auth/logout",
        method="post",
        id="sign-out-form",
    )


def _language_switch() -> rx.Component:
    """The UI language of the signed-in user: a choice takes effect at once and is kept on the account."""
    return rx.segmented_control.root(
        *[rx.segmented_control.item(name, value=code) for code, name in LANGUAGES.items()],
        value=SessionState.language,
        on_change=LanguageState.switch_language,
        size="1",
        id="language-switch",
        aria_label=t("Language"),
    )


def _account() -> rx.Component:
    """Who is signed in (a link to their profile page), the language switch and the sign-out button."""
    return rx.cond(
        SessionState.signed_in,
        rx.vstack(
            rx.link(  # the profile page: personal API tokens
                rx.hstack(
                    rx.icon("circle-user", size=18, color=rx.color("gray", 10)),
                    rx.text(SessionState.display_name, size="2", weight="medium", id="signed-in-user", trim="both"),
                    align="center",
                    spacing="2",
                ),
                href="/profile",
                id="profile-link",
                title=t("Profile and API tokens"),
                color=rx.color("gray", 12),
                underline="hover",
            ),
            _language_switch(),
            _sign_out(),
            padding="12px",
            spacing="2",
            width="100%",
            border_top=f"1px solid {rx.color('gray', 5)}",
        ),
    )


def access_denied() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(t("You do not have access to this page."), weight="bold"),
            rx.text(SessionState.access_message),
            rx.text(t("Ask an administrator to add the permission to one of your groups."), size="2"),
            spacing="1",
        ),
        icon="shield-x",
        color_scheme="red",
        id="access-denied",
        width="100%",
    )


def live_marker() -> rx.Component:
    """The number of the last live update this tab received; assets/live_ack.js acknowledges each once applied."""
    return rx.el.span(
        id="live-seq",
        custom_attrs={"data-seq": LiveState.live_seq.to_string(), "data-token": rx.State.router.session.client_token},
        display="none",
    )


def page(title: str, *children: rx.Component, actions: rx.Component | None = None) -> rx.Component:
    """Wrap a page body in the shared frame with a title row and optional action buttons."""
    return rx.hstack(
        sidebar(),
        bell_listener(),
        rx.vstack(
            top_bar(),
            rx.hstack(
                # data-hydrated: the page's on_load handlers have run (tests wait for it before uploading files)
                rx.heading(
                    text(title),
                    size="6",
                    id="page-title",
                    custom_attrs={"data-hydrated": rx.State.is_hydrated.to_string()},
                ),
                rx.spacer(),
                rx.cond(
                    SessionState.access == "denied",
                    rx.fragment(),
                    # a row of buttons wraps too rather than widening the page
                    rx.box(actions or rx.fragment(), max_width="100%", style={"& > .rt-Flex": {"flexWrap": "wrap"}}),
                ),
                width="100%",
                align="center",
                flex_wrap="wrap",  # a phone puts the page's buttons under its title
                row_gap="8px",
            ),
            rx.cond(
                SessionState.access == "denied",
                access_denied(),
                rx.fragment(*children),
            ),
            live_marker(),
            width="100%",
            min_width="0",
            padding=rx.breakpoints(initial="12px 12px", md="24px 28px"),
            spacing="4",
        ),
        spacing="0",
        width="100%",
        align="start",
    )


def section_card(title, *children: rx.Component, tools: tuple = (), **props) -> rx.Component:
    """A full-width card of a page: a heading over the section's content.

    `tools` follow the heading on its line (start them with `rx.spacer()` to push them to the right); `props` go to
    the card's column (e.g. `spacing`), except `id`, which names the card.
    """
    heading = rx.heading(text(title), size="3")
    if tools:
        heading = rx.hstack(
            rx.heading(text(title), size="3", white_space="nowrap"), *tools, width="100%", align="center", spacing="3"
        )
    card_id = props.pop("id", None)
    return rx.card(rx.vstack(heading, *children, **{"width": "100%", **props}), width="100%", id=card_id)
