"""User management page: accounts (groups, (de)activation, new local users) and the SSO whitelist."""

from __future__ import annotations

import reflex as rx

from printer_app.components.access.user_dialogs import deactivate_dialog, groups_dialog, new_user_dialog
from printer_app.components.access.whitelist_panel import whitelist_panel
from printer_app.components.badges import active_badge
from printer_app.components.forms import filter_select
from printer_app.components.i18n import t
from printer_app.components.layout import page
from printer_app.components.table import data_table, pager, reset_button, search_box, sort_header
from printer_app.i18n import N_
from printer_app.state.access.user_form import NewUserState
from printer_app.state.access.users import ALL, UsersState

S = UsersState
KIND_OPTIONS = [[ALL, N_("Any sign-in")], ["local", N_("Local password")], ["sso", N_("SSO")]]
ACTIVE_OPTIONS = [[ALL, N_("Any state")], ["active", N_("Active")], ["inactive", N_("Inactive")]]


def _group_item(group) -> rx.Component:
    return rx.select.item(group.label, value=group.name)


def _filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Username, name or email…"), id="user-search", width="270px"),
        filter_select(S, "kind", KIND_OPTIONS, width="190px"),
        filter_select(S, "active", ACTIVE_OPTIONS, width="170px"),
        filter_select(S, "group", [[ALL, N_("Any group")]], dynamic=S.group_choices, item=_group_item, width="280px"),
        reset_button(S.reset_filters, search_id="user-search", id="user-filter-reset"),
        rx.spacer(),
        rx.button(rx.icon("user-plus", size=16), t("New local user"), on_click=NewUserState.open_new, id="add-user"),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )


def _yes(flag, label: str, color: str) -> rx.Component:
    badge = rx.badge(t(label), color_scheme=color, variant="soft")
    return rx.cond(flag, badge, rx.text("—", color=rx.color("gray", 9)))


def _row(u) -> rx.Component:
    is_me = u.id == S.me
    return rx.table.row(
        rx.table.cell(
            rx.text(u.username, rx.cond(is_me, rx.text(" ", t("(you)"), size="1", as_="span")), weight="medium"),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.text(u.full_name, size="2"),
            rx.text(u.email, size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(
            rx.cond(
                u.kind == "local",
                rx.badge(t("Local"), color_scheme="gray", variant="surface"),
                rx.badge(t("SSO"), color_scheme="blue", variant="surface"),
            )
        ),
        rx.table.cell(active_badge(u.is_active)),
        rx.table.cell(_yes(u.is_superuser, N_("Superuser"), "purple")),
        rx.table.cell(
            rx.flex(
                rx.foreach(u.groups, lambda g: rx.badge(g, variant="soft", color_scheme="gray")), wrap="wrap", gap="1"
            ),
            max_width="220px",
        ),
        rx.table.cell(rx.text(u.last_login, size="2"), min_width="90px"),
        rx.table.cell(
            rx.flex(
                rx.button(
                    t("Groups"), size="1", variant="soft", on_click=S.open_groups(u.id), class_name="edit-groups"
                ),
                rx.cond(
                    u.is_active,
                    rx.button(
                        t("Deactivate"),
                        size="1",
                        variant="soft",
                        color_scheme="orange",
                        disabled=is_me,
                        on_click=S.ask_deactivate(u.id, u.username),
                        class_name="toggle-active",
                    ),
                    rx.button(
                        t("Activate"),
                        size="1",
                        variant="soft",
                        color_scheme="green",
                        on_click=S.activate(u.id),
                        class_name="toggle-active",
                    ),
                ),
                wrap="wrap",  # Russian labels are longer: the buttons stack rather than overflow the table
                gap="2",
                white_space="nowrap",
            ),
        ),
        id="user-" + u.username,
        class_name="user-row",
    )


def accounts_panel() -> rx.Component:
    return rx.vstack(
        _filters(),
        data_table(
            [
                sort_header(N_("Username"), "username", S),
                sort_header(N_("Name and email"), "full_name", S),
                sort_header(N_("Sign-in"), "kind", S),
                sort_header(N_("State"), "active", S),
                sort_header(N_("Superuser"), "superuser", S),
                N_("Groups"),
                sort_header(N_("Last login"), "last_login", S),
                "",
            ],
            S.rows,
            _row,
            variant="surface",
            id="user-table",
        ),
        pager(S),
        groups_dialog(),
        new_user_dialog(),
        deactivate_dialog(),
        width="100%",
        spacing="3",
        padding_top="12px",
    )


def users_page() -> rx.Component:
    return page(
        N_("Users"),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(t("Accounts"), value="accounts", id="tab-accounts"),
                rx.tabs.trigger(t("SSO whitelist"), value="whitelist", id="tab-whitelist"),
            ),
            rx.tabs.content(accounts_panel(), value="accounts"),
            rx.tabs.content(whitelist_panel(), value="whitelist"),
            default_value="accounts",
            width="100%",
        ),
    )
