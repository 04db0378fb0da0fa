"""Dialogs of the /users page: the group picker, a user's groups, a new local user, the deactivation check."""

from __future__ import annotations

import reflex as rx

from printer_app.components.table import field_error
from printer_app.state.access.user_form import NewUserState
from printer_app.state.access.users import UsersState


def group_picker(state, picker_id: str) -> rx.Component:
    """A checkbox per bootstrapped group: the English name with the Russian label beneath."""

    def option(group) -> rx.Component:
        return rx.text(
            rx.flex(
                rx.checkbox(
                    checked=state.chosen_groups.contains(group.name),
                    on_change=lambda checked: state.toggle_group(group.name, checked),
                    margin_top="2px",
                ),
                rx.vstack(
                    rx.text(group.name, size="2", weight="medium"),
                    rx.text(group.label_ru, size="1", color=rx.color("gray", 11)),
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


def _labelled(label: str, control: rx.Component, errors, name: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"), control, field_error(errors, name), spacing="1", width="100%"
    )


def _buttons(on_save, save_id: str) -> rx.Component:
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
        rx.button("Save", on_click=on_save, id=save_id),
        justify="end",
        width="100%",
        padding_top="8px",
    )


def groups_dialog() -> rx.Component:
    S = UsersState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Groups of ", rx.code(S.groups_username)),
            rx.dialog.description(
                "The user holds every permission of the groups ticked here, from their next action on.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                group_picker(S, "groups-picker"),
                rx.cond(
                    S.groups_error != "",
                    rx.text(S.groups_error, color=rx.color("red", 11), size="2", id="error-groups"),
                ),
                rx.foreach(S.groups_unsaved, lambda line: rx.text("Your choice, not saved — ", line, size="1")),
                _buttons(S.save_groups, "groups-save"),
                spacing="3",
                padding_top="12px",
            ),
            max_width="480px",
        ),
        open=S.groups_open,
        on_open_change=S.set_groups_open,
    )


def new_user_dialog() -> rx.Component:
    S = NewUserState

    def field(label: str, name: str, **props) -> rx.Component:
        control = rx.input(
            value=S.form[name], on_change=lambda v: S.set_value(name, v), id=f"new-user-{name}", width="100%", **props
        )
        return _labelled(label, control, S.errors, name)

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New local user"),
            rx.dialog.description(
                "Signs in with this username and password on the login page.", size="2", color=rx.color("gray", 11)
            ),
            rx.vstack(
                rx.hstack(field("Username *", "username"), field("Full name", "full_name"), width="100%"),
                field("Email", "email", type="email"),
                field("Password * (at least 10 characters)", "password", type="password", auto_complete="new-password"),
                _labelled("Groups", group_picker(S, "new-user-groups"), S.errors, "groups"),
                _buttons(S.save, "new-user-save"),
                spacing="3",
                padding_top="12px",
            ),
            max_width="520px",
        ),
        open=S.open,
        on_open_change=S.set_open,
    )


def deactivate_dialog() -> rx.Component:
    S = UsersState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Deactivate ", rx.code(S.confirm_username), "?"),
            rx.alert_dialog.description(
                "They are signed out everywhere at once and cannot sign in until activated again.", size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_deactivate)
                ),
                rx.alert_dialog.action(
                    rx.button("Deactivate", color_scheme="red", on_click=S.confirm_deactivate, id="confirm-deactivate")
                ),
                justify="end",
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
        ),
        open=S.confirm_id > 0,
    )
