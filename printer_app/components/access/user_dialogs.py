"""Dialogs of the /users page: the group picker, a user's groups, a new local user, the deactivation check."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.forms import form_input, labelled
from printer_app.components.i18n import t
from printer_app.i18n import N_
from printer_app.state.access.user_form import NewUserState
from printer_app.state.access.users import UsersState


def group_picker(state, picker_id: str) -> rx.Component:
    """A checkbox per bootstrapped group: its name in the user's language, the other language's name beneath."""

    def option(group) -> rx.Component:
        return rx.text(
            rx.flex(
                rx.checkbox(
                    checked=state.chosen_groups.contains(group.name),
                    on_change=lambda checked: state.toggle_group(group.name, checked),
                    margin_top="2px",
                ),
                rx.vstack(
                    rx.text(group.label, size="2", weight="medium"),
                    rx.text(group.alt, size="1", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                spacing="2",
                align="start",
            ),
            as_="label",
            class_name="group-option",
            cursor="pointer",
            width="100%",
        )

    return rx.box(
        rx.scroll_area(
            rx.vstack(rx.foreach(state.group_choices, option), spacing="2", padding="8px 10px"),
            type="auto",
            scrollbars="vertical",
            max_height="240px",
        ),
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="6px",
        width="100%",
        id=picker_id,
    )


def groups_dialog() -> rx.Component:
    S = UsersState
    return form_dialog(
        rx.fragment(t("Groups of"), " ", rx.code(S.groups_username)),
        group_picker(S, "groups-picker"),
        rx.cond(
            S.groups_error != "",
            rx.text(S.groups_error, color=rx.color("red", 11), size="2", id="error-groups"),
        ),
        rx.foreach(S.groups_unsaved, lambda line: rx.text(t("Your choice, not saved —"), " ", line, size="1")),
        description=N_("The user holds every permission of the groups ticked here, from their next action on."),
        open=S.groups_open,
        on_open_change=S.set_groups_open,
        on_save=S.save_groups,
        save_id="groups-save",
        max_width="480px",
    )


def new_user_dialog() -> rx.Component:
    S = NewUserState

    def field(label: str, name: str, **props) -> rx.Component:
        return form_input(S, name, label, id_prefix="new-user", **props)

    return form_dialog(
        N_("New local user"),
        rx.hstack(field(N_("Username *"), "username"), field(N_("Full name"), "full_name"), width="100%"),
        field(N_("Email"), "email", type="email"),
        field(N_("Password * (at least 10 characters)"), "password", type="password", auto_complete="new-password"),
        labelled(N_("Groups"), group_picker(S, "new-user-groups"), errors=S.errors, name="groups"),
        description=N_("Signs in with this username and password on the login page."),
        open=S.open,
        on_open_change=S.set_open,
        on_save=S.save,
        save_id="new-user-save",
    )


def deactivate_dialog() -> rx.Component:
    S = UsersState
    return confirm_dialog(
        rx.fragment(t("Deactivate"), " ", rx.code(S.confirm_username), "?"),
        N_("They are signed out everywhere at once and cannot sign in until activated again."),
        action=N_("Deactivate"),
        on_confirm=S.confirm_deactivate,
        confirm_id="confirm-deactivate",
        open=S.confirm_id > 0,
        on_cancel=S.cancel_deactivate,
    )
