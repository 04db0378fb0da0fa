"""The add / edit dialog the two tabs of `/reports/settings` share: open it empty or on a stored row, type into its
fields, close it. Every handler needs the tab's EDIT_PERMISSIONS (a forged event without them changes nothing);
saving and deleting stay with each tab, which knows its service."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from printer_app.services.errors import NotFoundError
from printer_app.services.validators import parse_id
from printer_app.state.paged import requery
from printer_app.state.session import requires, with_session


def _edit_permissions(state, *_args, **_kwargs) -> tuple[str, ...]:
    return state.EDIT_PERMISSIONS


_editing = requires(_edit_permissions)


class SettingsDialogMixin(rx.State, mixin=True):
    """The state using it holds the vars `dialog_open`, `editing_id`, `form` and `errors`, and names
    EDIT_PERMISSIONS, its EMPTY_FORM, MAX_VALUE (characters a field may hold while typing) and
    `_form_of(session, row_id)`, the stored row as the dialog's fields (NotFoundError when gone)."""

    EDIT_PERMISSIONS: ClassVar[tuple[str, ...]] = ()
    EMPTY_FORM: ClassVar[dict[str, str]] = {}
    MAX_VALUE: ClassVar[int] = 2000

    @rx.event
    @_editing
    async def open_new(self) -> None:
        self.editing_id, self.form, self.errors, self.dialog_open = 0, dict(self.EMPTY_FORM), {}, True

    @rx.event
    @_editing
    async def open_edit(self, row_id: int):
        wanted = parse_id(row_id) or 0
        try:
            self.form = await with_session(self._form_of, wanted)
        except NotFoundError as exc:
            await requery(self)
            return rx.toast.error(str(exc))
        self.editing_id, self.errors, self.dialog_open = wanted, {}, True
        return None

    @rx.event
    @_editing
    async def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = bool(value)

    @rx.event
    @_editing
    async def set_value(self, name: str, value: str) -> None:
        """A typed or chosen field of the dialog (its field names only, bounded)."""
        if name in self.EMPTY_FORM and isinstance(value, str) and len(value) <= self.MAX_VALUE:
            self.form = {**self.form, name: value}
            self.errors = {k: v for k, v in self.errors.items() if k != name}
