"""State of the accounts table on /users: filters, sort, paging, (de)activation and the groups dialog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import reflex as rx

from printer_app.db import session_scope
from printer_app.services.access.roles import user_group_names
from printer_app.services.access.users import (
    MANAGE_USERS,
    USER_SORTS,
    GroupOption,
    UserFilters,
    UserRow,
    get_user,
    group_options,
    list_users,
    save_user_groups,
    set_user_active,
)
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.state import view
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.paged import PagedListMixin, SortableMixin
from printer_app.state.session import SessionState, requires, requires_page
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


def user_view(row: UserRow) -> UserView:
    return UserView(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        email=row.email,
        kind=row.kind,
        is_active=row.is_active,
        is_superuser=row.is_superuser,
        groups=row.groups,
        last_login=local_time(row.last_login) if row.last_login else "never",
    )


class GroupPickerMixin(rx.State, mixin=True):
    """The group checkboxes of a dialog: every bootstrapped group and the names ticked."""

    group_choices: list[GroupOption] = []
    chosen_groups: list[str] = []

    def _load_group_choices(self) -> None:
        with session_scope() as session:
            self.group_choices = group_options(session)

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
        return view.range_text(self.total, self.page, self.page_size, len(self.rows), "No users match")

    def _query(self) -> None:
        filters = UserFilters(
            search=self.search, **{name: "" if getattr(self, name) == ALL else getattr(self, name) for name in FILTERS}
        )
        with session_scope() as session:
            result = list_users(
                session,
                filters=filters,
                sort=self.sort,
                descending=self.descending,
                page=self.page,
                page_size=self.page_size,
            )
        self.rows = [user_view(r) for r in result.rows]
        self.total, self.page = result.total, result.page

    @rx.event
    @requires_page(MANAGE_USERS)
    def load(self) -> None:
        self.me = self._user_id or 0
        self._load_group_choices()
        self._query()

    @rx.event
    @requires(MANAGE_USERS)
    def reload(self) -> None:
        self._query()

    @rx.event
    @requires(MANAGE_USERS)
    def reset_filters(self) -> None:
        self.search, self.kind, self.active, self.group, self.page = "", ALL, ALL, ALL, 1
        self._query()

    # --- (de)activation ---------------------------------------------------------------------------------------

    @rx.event
    @requires(MANAGE_USERS)
    def ask_deactivate(self, user_id: int, username: str) -> None:
        self.confirm_id, self.confirm_username = int(user_id), username

    @rx.event
    def cancel_deactivate(self) -> None:
        self.confirm_id = 0

    @rx.event
    @requires(MANAGE_USERS)
    def confirm_deactivate(self):
        user_id, self.confirm_id = self.confirm_id, 0
        return self._set_active(user_id, False)

    @rx.event
    @requires(MANAGE_USERS)
    def activate(self, user_id: int):
        return self._set_active(user_id, True)

    def _set_active(self, user_id: int, active: bool):
        try:
            with session_scope() as session:
                user = set_user_active(session, user_id=user_id, active=active, actor=self._actor())
                name = user.username
        except (DomainValidationError, NotFoundError) as exc:
            return rx.toast.error(str(exc))
        self._query()
        verb = "activated" if active else "deactivated; their open sessions have ended"
        return rx.toast.success(f"User '{name}' {verb}")

    # --- groups -----------------------------------------------------------------------------------------------

    @rx.event
    @requires(MANAGE_USERS)
    def open_groups(self, user_id: int):
        try:
            self._fill_groups(user_id)
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self._load_group_choices()
        self.groups_error, self.groups_unsaved, self.groups_open = "", [], True
        return None

    def _fill_groups(self, user_id: int) -> None:
        """The dialog shows the user's groups as stored now; remembers which user and its version."""
        with session_scope() as session:
            user = get_user(session, user_id=user_id)
            self.chosen_groups = user_group_names(session, user.id)
            self.groups_user_id, self.groups_username, self._groups_version = user.id, user.username, user.version
        self._groups_loaded = {"groups": ", ".join(sorted(self.chosen_groups))}

    @rx.event
    def set_groups_open(self, value: bool) -> None:
        self.groups_open = value

    @rx.event
    @requires(MANAGE_USERS)
    def save_groups(self):
        try:
            with session_scope() as session:
                names = save_user_groups(
                    session,
                    user_id=self.groups_user_id,
                    group_names=self.chosen_groups,
                    version=self._groups_version,
                    actor=self._actor(),
                )
        except ConflictError as exc:
            mine, loaded = {"groups": ", ".join(sorted(self.chosen_groups))}, self._groups_loaded
            self._fill_groups(self.groups_user_id)
            self.groups_unsaved = not_saved(mine, loaded, self._groups_loaded, {"groups": "Groups"})
            self.groups_error = conflict_message(exc)
            self._query()
            return None
        except DomainValidationError as exc:
            self.groups_error = "; ".join(exc.errors.values())
            return None
        except NotFoundError as exc:
            self.groups_error = str(exc)
            return None
        self.groups_open = False
        self._query()
        summary = ", ".join(names) or "no groups"
        return rx.toast.success(f"Groups of '{self.groups_username}': {summary}")
