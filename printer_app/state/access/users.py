"""State of the accounts table on /users: filters, sort, paging, (de)activation and the groups dialog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import reflex as rx

from printer_app.i18n import gettext
from printer_app.services.access.users import (
    MANAGE_USERS,
    USER_SORTS,
    GroupOption,
    UserFilters,
    UserRow,
    group_options,
    list_users,
    save_user_groups,
    set_user_active,
    user_groups,
)
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.state import view
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.view import local_time

ALL = "all"
FILTERS = ("kind", "active", "group")


@dataclass
class UserView:
    """A row of the accounts table as shown."""

    id: int = 0
    username: str = ""
    full_name: str = ""
    email: str = ""
    kind: str = ""
    is_active: bool = True
    is_superuser: bool = False
    groups: list[str] = field(default_factory=list)
    last_login: str = ""


def user_view(row: UserRow, labels: dict[str, str] | None = None) -> UserView:
    """The row as shown: the groups by their names in the user's language (`labels`: name -> shown name)."""
    return UserView(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        email=row.email,
        kind=row.kind,
        is_active=row.is_active,
        is_superuser=row.is_superuser,
        groups=[(labels or {}).get(g, g) for g in row.groups],
        last_login=local_time(row.last_login) if row.last_login else gettext("never"),
    )


class GroupPickerMixin(rx.State, mixin=True):
    """The group checkboxes of a dialog: every bootstrapped group and the names ticked."""

    group_choices: list[GroupOption] = []
    chosen_groups: list[str] = []

    async def _load_group_choices(self) -> None:
        self.group_choices = await with_session(group_options)

    def _group_labels(self) -> dict[str, str]:
        """Group name -> its name in the user's language (as the last load of the choices gave them)."""
        return {g.name: g.label or g.name for g in self.group_choices}

    @rx.event
    def toggle_group(self, name: str, checked: bool) -> None:
        rest = [g for g in self.chosen_groups if g != name]
        self.chosen_groups = [*rest, name] if checked else rest


class UsersState(GroupPickerMixin, SortableMixin, PagedListMixin, SessionState):
    """The accounts table; every change re-queries one page."""

    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(USER_SORTS)

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (MANAGE_USERS,)
    LIST_FILTERS: ClassVar[tuple[str, ...]] = FILTERS

    rows: list[UserView] = []
    total: int = 0
    page: int = 1
    page_size: int = 25
    sort: str = "username"
    descending: bool = False
    search: str = ""
    kind: str = ALL
    active: str = ALL
    group: str = ALL
    me: int = 0
    groups_open: bool = False
    groups_user_id: int = 0
    groups_username: str = ""
    groups_error: str = ""
    groups_unsaved: list[str] = []
    _groups_version: int = 0  # the user's version when the groups dialog opened (server side only)
    _groups_loaded: dict[str, str] = {}
    confirm_id: int = 0
    confirm_username: str = ""

    @rx.var
    def page_count(self) -> int:
        return view.page_count(self.total, self.page_size)

    @rx.var
    def range_text(self) -> str:
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), gettext("No users match"))

    async def _query(self) -> None:
        filters = UserFilters(
            search=self.search, **{name: "" if getattr(self, name) == ALL else getattr(self, name) for name in FILTERS}
        )
        result = await with_session(
            list_users,
            filters=filters,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        labels = self._group_labels()
        self.rows = [user_view(r, labels) for r in result.rows]
        self.total, self.page = result.total, result.page

    @rx.event
    @requires_page(MANAGE_USERS)
    async def load(self) -> None:
        self.me = self._user_id or 0
        await self._load_group_choices()
        await self._query()

    @rx.event
    @requires(MANAGE_USERS)
    async def reload(self) -> None:
        await self._query()

    @rx.event
    @requires(MANAGE_USERS)
    async def reset_filters(self) -> None:
        self.search, self.kind, self.active, self.group, self.page = "", ALL, ALL, ALL, 1
        await self._query()

    # --- (de)activation ---------------------------------------------------------------------------------------

    @rx.event
    @requires(MANAGE_USERS)
    async def ask_deactivate(self, user_id: int, username: str) -> None:
        self.confirm_id, self.confirm_username = int(user_id), username

    @rx.event
    def cancel_deactivate(self) -> None:
        self.confirm_id = 0

    @rx.event
    @requires(MANAGE_USERS)
    async def confirm_deactivate(self):
        user_id, self.confirm_id = self.confirm_id, 0
        return await self._set_active(user_id, False)

    @rx.event
    @requires(MANAGE_USERS)
    async def activate(self, user_id: int):
        return await self._set_active(user_id, True)

    async def _set_active(self, user_id: int, active: bool):
        try:
            user = await with_session(set_user_active, user_id=user_id, active=active, actor=self._actor())
        except (DomainValidationError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        name = user.username
        await self._query()
        if active:
            return rx.toast.success(gettext("User '{name}' activated", name=name))
        return rx.toast.success(gettext("User '{name}' deactivated; their open sessions have ended", name=name))

    # --- groups -----------------------------------------------------------------------------------------------

    @rx.event
    @requires(MANAGE_USERS)
    async def open_groups(self, user_id: int):
        try:
            await self._fill_groups(user_id)
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        await self._load_group_choices()
        self.groups_error, self.groups_unsaved, self.groups_open = "", [], True
        return None

    async def _fill_groups(self, user_id: int) -> None:
        """The dialog shows the user's groups as stored now; remembers which user and its version."""
        user = await with_session(user_groups, user_id=user_id)
        self.chosen_groups = user.groups
        self.groups_user_id, self.groups_username, self._groups_version = user.user_id, user.username, user.version
        self._groups_loaded = {"groups": ", ".join(sorted(self.chosen_groups))}

    @rx.event
    def set_groups_open(self, value: bool) -> None:
        self.groups_open = value

    @rx.event
    @requires(MANAGE_USERS)
    async def save_groups(self):
        try:
            names = await with_session(
                save_user_groups,
                user_id=self.groups_user_id,
                group_names=self.chosen_groups,
                version=self._groups_version,
                actor=self._actor(),
            )
        except ConflictError as exc:
            mine, loaded = {"groups": ", ".join(sorted(self.chosen_groups))}, self._groups_loaded
            await self._fill_groups(self.groups_user_id)
            self.groups_unsaved = not_saved(mine, loaded, self._groups_loaded, {"groups": gettext("Groups")})
            self.groups_error = conflict_message(exc)
            await self._query()
            return None
        except DomainValidationError as exc:
            self.groups_error = "; ".join(exc.errors.values())
            return None
        except NotFoundError as exc:
            self.groups_error = str(exc)
            return None
        self.groups_open = False
        await self._query()
        labels = self._group_labels()
        summary = ", ".join(labels.get(n, n) for n in names) or gettext("no groups")
        return rx.toast.success(gettext("Groups of '{name}': {groups}", name=self.groups_username, groups=summary))
