"""The "new local user" dialog on /users; a rejected save shows every field's message and creates nothing."""

from __future__ import annotations

import reflex as rx

from printer_app.i18n import gettext
from printer_app.services.access.users import MANAGE_USERS, create_user
from printer_app.services.errors import DomainValidationError
from printer_app.state.access.users import GroupPickerMixin, UsersState
from printer_app.state.session import SessionState, requires, with_session

FIELDS = ("username", "full_name", "email", "password")


class NewUserState(GroupPickerMixin, SessionState):
    open: bool = False
    form: dict[str, str] = dict.fromkeys(FIELDS, "")
    errors: dict[str, str] = {}

    @rx.event
    @requires(MANAGE_USERS)
    async def open_new(self) -> None:
        await self._load_group_choices()
        self.form = dict.fromkeys(FIELDS, "")
        self.chosen_groups, self.errors, self.open = [], {}, True

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = value
        if not value:
            self.form = {**self.form, "password": ""}

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS:
            self.form = {**self.form, name: value}
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    @requires(MANAGE_USERS)
    async def save(self):
        try:
            user = await with_session(
                create_user,
                username=self.form["username"],
                password=self.form["password"],
                full_name=self.form["full_name"],
                email=self.form["email"],
                group_names=self.chosen_groups,
                actor=self._actor(),
            )
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        name = user.username
        self.open, self.form = False, dict.fromkeys(FIELDS, "")
        return [rx.toast.success(gettext("User '{name}' created", name=name)), UsersState.reload]
