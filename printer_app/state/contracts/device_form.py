"""The add / edit / delete contract device dialogs; a refused save shows its messages and stores nothing."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

import reflex as rx

from printer_app.i18n import gettext
from printer_app.services.contracts.device_list import NONE, filter_options, rows_by_ids
from printer_app.services.contracts.device_store import (
    LABELS,
    DeviceInput,
    SaveResult,
    create_device,
    delete_device,
    device_input,
    get_device,
    update_device,
)
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.validators import MAX_ID, parse_id
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.contracts.device_views import device_view
from printer_app.state.contracts.devices import DevicesState
from printer_app.state.session import SessionState, requires, with_session

FIELDS = (*(f.name for f in fields(DeviceInput)), "manufacturer")  # the maker only narrows the model select
CHOICES = ("status", "provider")  # selects with a "none" entry (a select item cannot have the value "")
FORM_LABELS = {
    "organization": LABELS["organization_id"],
    "city": LABELS["city_id"],
    "address": LABELS["address"],
    "room": LABELS["room_number"],
    "model": LABELS["device_model_id"],
    "serial": LABELS["serial_number"],
    "status": LABELS["status_id"],
    "provider": LABELS["service_provider_id"],
    "service_month": LABELS["service_start_month"],
    "comment": LABELS["comment"],
}
ADD, CHANGE, DELETE = (
    "contracts.add_contractdevice",
    "contracts.change_contractdevice",
    "contracts.delete_contractdevice",
)


def _may_save(state: DeviceFormState) -> str:
    return CHANGE if state._loaded_id else ADD


class DeviceFormState(SessionState):
    """One device's dialog: its values as texts, the errors of the last save, and the delete question."""

    open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    unsaved: list[str] = []
    model_options: list[list[str]] = []  # [id, "maker model", maker id]
    delete_id: int = 0
    delete_label: str = ""
    _loaded_id: int = 0  # the device open_edit loaded (server side only)
    _loaded_at: str = ""  # its updated_at then (ISO), the optimistic check
    _loaded_values: dict[str, str] = {}

    @rx.var
    def models_of_maker(self) -> list[list[str]]:
        """The model select's choices: those of the chosen manufacturer, or all when none is chosen."""
        maker = self.form.get("manufacturer", "")
        return [m for m in self.model_options if not maker or maker == NONE or m[2] == maker]

    async def _options(self) -> None:
        options = await with_session(filter_options)
        makers = dict(options["model_makers"])
        self.model_options = [[i, name, makers.get(i, "")] for i, name in options["models"]]

    def _show(self, data: DeviceInput, maker: str = "") -> None:
        values = {k: str(v) for k, v in asdict(data).items()}
        for name in CHOICES:
            values[name] = values[name] or NONE
        values["manufacturer"] = maker or NONE
        self.form, self.errors, self.unsaved = values, {}, []

    @rx.event
    @requires(ADD)
    async def open_new(self) -> None:
        await self._options()
        self.editing_id = self._loaded_id = 0
        self._loaded_at = ""
        self._show(DeviceInput())
        self.open = True

    @rx.event
    @requires(CHANGE)
    async def open_edit(self, device_id: int):
        """The dialog shows the device as stored now (the list row may be older)."""
        try:
            await self._fill(device_id)
        except NotFoundError as exc:
            return [rx.toast.error(str(exc)), DevicesState.reload]
        self.open = True
        return None

    async def _fill(self, device_id: object) -> None:
        await self._options()
        device = await with_session(get_device, device_id=device_id)
        data = device_input(device)
        maker = next((m[2] for m in self.model_options if m[0] == data.model), "")
        self.editing_id = self._loaded_id = device.id
        self._loaded_at = device.updated_at.isoformat()
        self._show(data, maker)
        self._loaded_values = dict(self.form)

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = bool(value)

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS:
            self.form = {**self.form, name: str(value)[:5000]}
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    def _input(self) -> DeviceInput:
        values = {name: str(self.form.get(name, ""))[:5000] for name in FIELDS if name != "manufacturer"}
        for name in CHOICES:
            values[name] = "" if values[name] == NONE else values[name]
        return DeviceInput(**values)

    @rx.event
    @requires(_may_save)
    async def save(self):
        device_id = self._loaded_id
        if self.editing_id != device_id:  # only open_edit chooses the device a save changes
            return rx.toast.error(gettext("This form is not the device's any more: open it again"))
        data, actor = self._input(), self._actor()
        try:
            if device_id:
                loaded_at = datetime.fromisoformat(self._loaded_at) if self._loaded_at else None
                result: SaveResult = await with_session(
                    update_device, device_id=device_id, data=data, loaded_at=loaded_at, actor=actor
                )
            else:
                result = await with_session(create_device, data=data, actor=actor)
        except ConflictError as exc:
            mine, loaded = dict(self.form), self._loaded_values
            await self._fill(device_id)
            labels = {k: gettext(v) for k, v in FORM_LABELS.items()}
            self.unsaved = not_saved(mine, loaded, self.form, labels)
            self.errors = {"form": conflict_message(exc)}
            return DevicesState.reload
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"form": str(exc)}
            return None
        self.open = False
        notices = [DevicesState.reload, rx.toast.success(gettext("Device saved"))]
        if result.linked_ip:
            notices.append(rx.toast.info(gettext("Linked to the printer {ip}", ip=result.linked_ip)))
        elif result.link_note:
            notices.append(rx.toast.warning(result.link_note))
        return notices

    @rx.event
    @requires(DELETE)
    async def ask_delete(self, device_id: int):
        """The question names the device as stored now."""
        ident = parse_id(device_id)
        rows = await with_session(rows_by_ids, [ident] if ident is not None and ident <= MAX_ID else [])
        if not rows:
            return [
                rx.toast.error(gettext("Contract device #{id} does not exist", id=str(device_id)[:20])),
                DevicesState.reload,
            ]
        self.delete_id, self.delete_label = rows[0].id, device_view(rows[0]).label
        return None

    @rx.event
    def cancel_delete(self) -> None:
        self.delete_id, self.delete_label = 0, ""

    @rx.event
    @requires(DELETE)
    async def delete(self):
        device_id, label = self.delete_id, self.delete_label
        self.delete_id, self.delete_label = 0, ""
        try:
            await with_session(delete_device, device_id=device_id, actor=self._actor())
        except NotFoundError as exc:
            return [rx.toast.error(str(exc)), DevicesState.reload]
        return [DevicesState.reload, rx.toast.success(gettext("Deleted {device}", device=label))]
