"""State of the SSO whitelist tab on /users: list, add/edit dialog, (de)activate, remove, CSV import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import reflex as rx

from printer_app.i18n import N_, gettext, ngettext
from printer_app.services.access.auth import normalize_username
from printer_app.services.access.users import MANAGE_USERS
from printer_app.services.access.whitelist import (
    WHITELIST_SORTS,
    WhitelistRow,
    as_actor,
    get_allowed_user,
    import_allowed_users_csv,
    list_whitelist,
    remove_allowed_user,
    save_allowed_user,
    set_allowed_user_active,
)
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.state.access.users import ALL, GroupPickerMixin
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.paged import SortableMixin
from printer_app.state.session import SessionState, requires, requires_page, with_session
from printer_app.state.view import local_time

FIELDS = ("username", "email", "full_name", "notes")
LABELS = {"email": N_("Email"), "full_name": N_("Full name"), "notes": N_("Notes"), "groups": N_("Initial groups")}
UPLOAD_ID = "whitelist-csv"


@dataclass
class EntryView:
    """A whitelist row as shown."""

    username: str = ""
    email: str = ""
    full_name: str = ""
    is_active: bool = True
    notes: str = ""
    initial_groups: str = ""
    groups: list[str] = field(default_factory=list)
    added: str = ""


def entry_view(row: WhitelistRow, labels: dict[str, str] | None = None) -> EntryView:
    """The row as shown: the initial groups by their names in the user's language (`labels`: name -> shown)."""
    when = local_time(row.added_at)
    added = gettext("{when} by {who}", when=when, who=row.added_by) if row.added_by else when
    groups = row.initial_groups
    shown = ", ".join((labels or {}).get(g, g) for g in groups)
    return EntryView(row.username, row.email, row.full_name, row.is_active, row.notes, shown, list(groups), added)


class WhitelistState(GroupPickerMixin, SortableMixin, SessionState):
    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (MANAGE_USERS,)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = tuple(WHITELIST_SORTS)

    rows: list[EntryView] = []
    search: str = ""
    active: str = ALL
    sort: str = "username"
    descending: bool = False
    dialog_open: bool = False
    editing: bool = False
    form: dict[str, str] = dict.fromkeys(FIELDS, "")
    errors: dict[str, str] = {}
    unsaved: list[str] = []
    confirm_remove: str = ""
    _loaded: str = ""  # the username open_edit loaded (server side only: the save changes that entry)
    _version: int = 0  # its version then
    _loaded_values: dict[str, str] = {}
    import_created: int = 0
    import_updated: int = 0
    import_errors: list[str] = []
    import_done: bool = False
    import_summary: str = ""

    async def _query(self) -> None:
        rows = await with_session(
            list_whitelist,
            search=self.search,
            active="" if self.active == ALL else self.active,
            sort=self.sort,
            descending=self.descending,
        )
        labels = self._group_labels()
        self.rows = [entry_view(r, labels) for r in rows]

    @rx.event
    @requires_page(MANAGE_USERS)
    async def load(self) -> None:
        await self._load_group_choices()
        await self._query()

    @rx.event
    @requires(MANAGE_USERS)
    async def set_search(self, value: str) -> None:
        self.search = value
        await self._query()

    @rx.event
    @requires(MANAGE_USERS)
    async def set_active_filter(self, value: str) -> None:
        self.active = value
        await self._query()

    # --- add / edit -------------------------------------------------------------------------------------------

    @rx.event
    @requires(MANAGE_USERS)
    async def open_new(self) -> None:
        await self._load_group_choices()
        self.editing, self.form, self._loaded, self._version = False, dict.fromkeys(FIELDS, ""), "", 0
        self.chosen_groups, self.errors, self.unsaved, self.dialog_open = [], {}, [], True

    @rx.event
    @requires(MANAGE_USERS)
    async def open_edit(self, username: str):
        """The dialog shows the entry as stored now (the table row may be older)."""
        try:
            await self._fill(username)
        except NotFoundError as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._load_group_choices()
        self.editing, self.errors, self.unsaved, self.dialog_open = True, {}, [], True
        return None

    async def _fill(self, username: str) -> None:
        entry = await with_session(get_allowed_user, username=str(username))
        self._loaded, self._version = entry.username, entry.version
        self.form = {name: str(getattr(entry, name) or "") for name in FIELDS}
        self.chosen_groups = list(entry.initial_groups or [])
        self._loaded_values = self._shown()

    def _shown(self) -> dict[str, str]:
        return {**{k: self.form[k].strip() for k in LABELS if k != "groups"}, "groups": ", ".join(self.chosen_groups)}

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS:
            self.form = {**self.form, name: value}
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    @requires(MANAGE_USERS)
    async def save(self):
        if self.editing != bool(self._loaded):
            return rx.toast.error(gettext("This form is not the entry's edit form any more: open it again"))
        if self.editing and normalize_username(self.form["username"]) != self._loaded:
            self.errors = {"username": gettext("The username of an entry cannot be changed: add a new entry instead")}
            return None
        try:
            entry, created = await with_session(
                as_actor,
                self._actor(),
                save_allowed_user,
                username=self._loaded or self.form["username"],  # an edit never renames: the loaded entry
                email=self.form["email"],
                full_name=self.form["full_name"],
                initial_groups=self.chosen_groups,
                notes=self.form["notes"],
                update_existing=self.editing,
                replace=self.editing,
                version=self._version if self.editing else None,
            )
        except ConflictError as exc:
            mine, loaded = self._shown(), self._loaded_values
            await self._fill(self._loaded)
            self.unsaved = not_saved(mine, loaded, self._shown(), {k: gettext(v) for k, v in LABELS.items()})
            self.errors = {"form": conflict_message(exc)}
            await self._query()
            return None
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"username": str(exc)}
            await self._query()
            return rx.toast.error(str(exc))
        self.dialog_open = False
        await self._query()
        if created:
            return rx.toast.success(gettext("'{name}' added to the whitelist", name=entry.username))
        return rx.toast.success(gettext("'{name}' updated on the whitelist", name=entry.username))

    # --- (de)activate, remove ---------------------------------------------------------------------------------

    async def _change(self, action, message: str, **kwargs):
        try:
            await with_session(as_actor, self._actor(), action, **kwargs)
        except (NotFoundError, DomainValidationError) as exc:
            await self._query()
            return rx.toast.error(str(exc))
        await self._query()
        return rx.toast.success(message)

    @rx.event
    @requires(MANAGE_USERS)
    async def toggle_active(self, username: str, active: bool):
        if active:
            done = gettext("'{name}' deactivated: their SSO sessions have ended", name=username)
        else:
            done = gettext("'{name}' activated", name=username)
        return await self._change(set_allowed_user_active, done, username=username, active=not active)

    @rx.event
    @requires(MANAGE_USERS)
    async def ask_remove(self, username: str) -> None:
        self.confirm_remove = username

    @rx.event
    def cancel_remove(self) -> None:
        self.confirm_remove = ""

    @rx.event
    @requires(MANAGE_USERS)
    async def remove(self):
        username, self.confirm_remove = self.confirm_remove, ""
        done = gettext("'{name}' removed from the whitelist", name=username)
        return await self._change(remove_allowed_user, done, username=username)

    # --- CSV import -------------------------------------------------------------------------------------------

    @rx.event
    @requires(MANAGE_USERS)
    async def import_csv(self, files: list[rx.UploadFile]):
        """Add or update entries from a CSV (username,email,full_name,groups); all rows or none."""
        if not files:
            return None
        upload = files[0]
        try:
            text = (await upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            self._import_result(0, 0, [gettext("{file}: not a UTF-8 text file", file=upload.name)])
            return None
        try:
            result = await with_session(as_actor, self._actor(), import_allowed_users_csv, text=text)
        except DomainValidationError as exc:
            self._import_result(
                0, 0, [f"{where}: {msg}" if where not in ("form", "file") else msg for where, msg in exc.errors.items()]
            )
            return None
        self._import_result(result.created, result.updated, [])
        await self._query()
        message = gettext(
            "Whitelist import: {created} added, {updated} updated", created=result.created, updated=result.updated
        )
        return rx.toast.success(message)

    def _import_result(self, created: int, updated: int, errors: list[str]) -> None:
        self.import_created, self.import_updated, self.import_errors = created, updated, errors
        failed = ngettext("{n} error", "{n} errors", len(errors))
        summary = gettext(
            "Import: {created} created, {updated} updated, {errors}", created=created, updated=updated, errors=failed
        )
        if errors:
            summary += " — " + gettext("nothing was saved; fix the file and import it again.")
        self.import_summary = summary
        self.import_done = True
