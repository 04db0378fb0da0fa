"""The add / edit / delete printer dialogs; a rejected save shows messages and changes nothing."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import reflex as rx

from printer_app.i18n import N_, format_number, gettext
from printer_app.models import Printer
from printer_app.models.choices import PollingMethod
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.inventory.printers import (
    PrinterChoices,
    PrinterInput,
    create_printer,
    delete_printer,
    printer_choices,
    printer_to_edit,
    update_printer,
)
from printer_app.services.polling.probe import ProbeResult, probe, probe_target
from printer_app.state.conflict import conflict_message, not_saved
from printer_app.state.session import SessionState, requires, with_session

NONE = "none"
FIELDS = (
    "ip_address",
    "serial_number",
    "mac_address",
    "organization_id",
    "device_model_id",
    "location",
    "snmp_community",
    "polling_method",
    "snmp_version",
    "snmp_port",
    "snmp_v3_user",
    "snmp_v3_auth_protocol",
    "snmp_v3_auth_key",
    "snmp_v3_priv_protocol",
    "snmp_v3_priv_key",
    "snmp_v3_context",
)
SHOWN = tuple(f for f in FIELDS if not f.endswith("_key"))  # what a refused save lists as not saved
LABELS = {
    "ip_address": N_("IP address"),
    "serial_number": N_("Serial number"),
    "mac_address": N_("MAC address"),
    "organization_id": N_("Organization"),
    "device_model_id": N_("Device model"),
    "location": N_("Location"),
    "snmp_community": N_("SNMP community"),
    "polling_method": N_("Polling method"),
    "snmp_version": N_("SNMP version"),
    "snmp_port": N_("SNMP port"),
    "snmp_v3_user": N_("SNMPv3 user"),
    "snmp_v3_auth_protocol": N_("Authentication"),
    "snmp_v3_priv_protocol": N_("Privacy"),
    "snmp_v3_context": N_("Context name"),
    "is_active": N_("State"),
}
SNMP_DEFAULTS = {
    "snmp_version": "2c",
    "snmp_port": "161",
    "snmp_v3_user": "",
    "snmp_v3_auth_protocol": NONE,
    "snmp_v3_auth_key": "",
    "snmp_v3_priv_protocol": NONE,
    "snmp_v3_priv_key": "",
    "snmp_v3_context": "",
}


# "Test connection" reads a device that may be slow or silent: its own threads, so a user's unreachable printer never
# holds a thread the other handlers' database work needs; and a time limit, past which the form says so.
PROBE_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="printer-probe")
PROBE_TIME_LIMIT_S = 45.0
RUN = "inventory.run_inventory"


def _may_save(state: PrinterFormState) -> str:
    return "inventory.change_printer" if state._loaded_id or state.editing_id else "inventory.add_printer"


class PrinterFormState(SessionState):
    """Dialog state; after a change the list (and detail page) reload through their own handlers."""

    open: bool = False
    editing_id: int = 0
    ip_address: str = ""
    serial_number: str = ""
    mac_address: str = ""
    organization_id: str = NONE
    device_model_id: str = NONE
    location: str = ""
    snmp_community: str = "public"
    polling_method: str = PollingMethod.SNMP.value
    is_active: bool = True
    snmp_version: str = "2c"
    snmp_port: str = "161"
    snmp_v3_user: str = ""
    snmp_v3_auth_protocol: str = NONE
    snmp_v3_auth_key: str = ""  # write-only: never filled from the database
    snmp_v3_priv_protocol: str = NONE
    snmp_v3_priv_key: str = ""
    snmp_v3_context: str = ""
    has_auth_key: bool = False
    has_priv_key: bool = False
    learned_model: str = ""  # the poller's model text, shown when no catalogue model is chosen
    errors: dict[str, str] = {}
    unsaved: list[str] = []
    _loaded_id: int = 0  # the printer open_edit loaded (server side only: the browser cannot change it)
    _version: int = 0  # its version then: a save after someone else's change is refused
    _loaded_values: dict[str, str] = {}  # the form as loaded, to tell what the user changed
    org_options: list[list[str]] = []
    model_options: list[list[str]] = []
    confirm_delete_id: int = 0
    confirm_delete_label: str = ""
    testing: bool = False
    test_done: bool = False  # a result (or its error) is shown
    test_error: str = ""
    test_rows: list[list[str]] = []  # [label, value]: model, serial, MAC, total pages
    test_supplies: list[list[str]] = []  # [description, "58 %" or a state word]
    test_notes: list[str] = []

    def _show_choices(self, choices: PrinterChoices) -> None:
        self.org_options = [list(o) for o in choices.organizations]
        self.model_options = [list(o) for o in choices.models]

    @rx.event
    @requires("inventory.add_printer")
    async def open_new(self) -> None:
        self._show_choices(await with_session(printer_choices))
        self.editing_id = self._loaded_id = self._version = 0
        self.ip_address = self.serial_number = self.mac_address = self.learned_model = self.location = ""
        self.organization_id = self.device_model_id = NONE
        self.snmp_community = "public"
        self.polling_method = PollingMethod.SNMP.value
        self.is_active = True
        for name, value in SNMP_DEFAULTS.items():
            setattr(self, name, value)
        self.has_auth_key = self.has_priv_key = False
        self.errors, self.unsaved = {}, []
        self._clear_test()
        self.open = True

    @rx.event
    @requires("inventory.change_printer")
    async def open_edit(self, printer_id: int) -> rx.event.EventSpec | None:
        try:
            self._fill(*await with_session(printer_to_edit, printer_id=printer_id))
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self.errors, self.unsaved = {}, []
        self._clear_test()
        self.open = True
        return None

    def _clear_test(self) -> None:
        self.test_done, self.test_error, self.test_rows, self.test_supplies, self.test_notes = False, "", [], [], []

    def _fill(self, p: Printer, choices: PrinterChoices) -> None:
        """The form shows the stored printer as it is now (options included); remembers its id and version."""
        self._show_choices(choices)
        self.editing_id = self._loaded_id = p.id
        self._version = p.version
        self.ip_address, self.serial_number = p.ip_address, p.serial_number
        self.mac_address = p.mac_address or ""
        self.organization_id = str(p.organization_id) if p.organization_id else NONE
        self.device_model_id = str(p.device_model_id) if p.device_model_id else NONE
        self.learned_model, self.location = p.model, p.location or ""
        self.snmp_community, self.polling_method, self.is_active = p.snmp_community, p.polling_method, p.is_active
        self.snmp_version, self.snmp_port = p.snmp_version, str(p.snmp_port)
        self.snmp_v3_user, self.snmp_v3_context = p.snmp_v3_user or "", p.snmp_v3_context or ""
        self.snmp_v3_auth_protocol = p.snmp_v3_auth_protocol or NONE
        self.snmp_v3_priv_protocol = p.snmp_v3_priv_protocol or NONE
        self.snmp_v3_auth_key = self.snmp_v3_priv_key = ""
        self.has_auth_key, self.has_priv_key = bool(p.snmp_v3_auth_key), bool(p.snmp_v3_priv_key)
        self._loaded_values = self._shown()

    def _shown(self) -> dict[str, str]:
        """The form's values as the user reads them (names of the chosen organization and model, not ids)."""
        options = {"organization_id": self.org_options, "device_model_id": self.model_options}
        shown = {}
        for name in SHOWN:
            value = str(getattr(self, name))
            names = dict((str(i), label) for i, label in options.get(name, []))
            shown[name] = gettext("(none)") if value == NONE else names.get(value, value)
        shown["is_active"] = gettext("Active") if self.is_active else gettext("Inactive")
        return shown

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = value

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS:
            setattr(self, name, value)
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    def set_active(self, value: bool) -> None:
        self.is_active = value

    @rx.event
    @requires(_may_save)
    async def save(self):
        return await self._save()

    async def _save(self):
        printer_id = self._loaded_id
        if self.editing_id != printer_id:  # only open_edit chooses the printer a save changes
            return rx.toast.error(gettext("This form is not the printer's edit form any more: open the printer again"))
        data, actor = self._input(), self._actor()
        try:
            if printer_id:
                printer = await with_session(
                    update_printer, printer_id=printer_id, data=data, version=self._version, actor=actor
                )
            else:
                printer = await with_session(create_printer, data=data, actor=actor)
            ip = printer.ip_address
        except ConflictError as exc:
            return await self._refused(exc)
        except DomainValidationError as exc:
            self.errors = exc.errors
            return None
        except NotFoundError as exc:
            self.errors = {"form": str(exc)}
            return None
        self.open = False
        if printer_id:
            return [rx.toast.success(gettext("Printer {ip} updated", ip=ip)), *_reload_events()]
        # A new printer is polled right away (like Poll now: its row shows the spinner, then the result).
        poll = [_poll_now(printer.id)] if RUN in self.permissions and printer.is_active else []
        return [rx.toast.success(gettext("Printer {ip} added", ip=ip)), *_reload_events(), *poll]

    @rx.event(background=True)
    @requires(_may_save)
    async def test_connection(self):
        """Read the device with the form's current address, SNMP settings and polling method; nothing is stored."""
        async with self:
            if self.testing:
                return None
            data, printer_id = self._input(), self._loaded_id or None
            self.testing = True
            self._clear_test()
        result, errors = ProbeResult(), {}
        try:
            target = await with_session(probe_target, data=data, printer_id=printer_id)
            loop = asyncio.get_running_loop()
            result = await asyncio.wait_for(
                loop.run_in_executor(PROBE_THREADS, probe, target), timeout=PROBE_TIME_LIMIT_S
            )
        except DomainValidationError as exc:
            errors = exc.errors
            result = ProbeResult(error=gettext("Correct the marked fields to test the connection"))
        except NotFoundError as exc:
            result = ProbeResult(error=str(exc))
        except TimeoutError:
            result = ProbeResult(
                error=gettext("No answer within {n} seconds", n=int(PROBE_TIME_LIMIT_S)),
            )
        finally:
            async with self:
                self.testing = False
        async with self:
            self.errors = {**self.errors, **errors}
            self.test_done, self.test_error = True, result.error
            if not result.error:
                model = " ".join(p for p in (result.manufacturer, result.model) if p)
                if result.manufacturer and result.model.lower().startswith(result.manufacturer.lower()):
                    model = result.model
                dash = "—"
                self.test_rows = [
                    [gettext("Model"), model or dash],
                    [gettext("Serial number"), result.serial or dash],
                    [gettext("MAC address"), result.mac or dash],
                    [gettext("Total pages"), dash if result.total_pages is None else format_number(result.total_pages)],
                ]
                self.test_supplies = [[name, level] for name, level in result.supplies]
                self.test_notes = list(result.notes)
        return None

    def _input(self) -> PrinterInput:
        return PrinterInput(
            ip_address=self.ip_address,
            serial_number=self.serial_number,
            mac_address=self.mac_address,
            organization_id=None if self.organization_id == NONE else self.organization_id,
            device_model_id=None if self.device_model_id == NONE else self.device_model_id,
            location=self.location,
            snmp_community=self.snmp_community,
            polling_method=self.polling_method,
            is_active=self.is_active,
            snmp_version=self.snmp_version,
            snmp_port=int(self.snmp_port) if self.snmp_port.strip().isdigit() else -1,
            snmp_v3_user=self.snmp_v3_user,
            snmp_v3_auth_protocol="" if self.snmp_v3_auth_protocol == NONE else self.snmp_v3_auth_protocol,
            snmp_v3_auth_key=self.snmp_v3_auth_key or None,
            snmp_v3_priv_protocol="" if self.snmp_v3_priv_protocol == NONE else self.snmp_v3_priv_protocol,
            snmp_v3_priv_key=self.snmp_v3_priv_key or None,
            snmp_v3_context=self.snmp_v3_context,
        )

    async def _refused(self, exc: ConflictError) -> list:
        """Someone else saved first: show the printer as it is now, and beside it what this save would have set."""
        mine, loaded = self._shown(), self._loaded_values
        try:
            self._fill(*await with_session(printer_to_edit, printer_id=self._loaded_id))
        except NotFoundError as gone:
            self.errors, self.unsaved = {"form": str(gone)}, []
            return []
        self.unsaved = not_saved(mine, loaded, self._shown(), {k: gettext(v) for k, v in LABELS.items()})
        self.errors = {"form": conflict_message(exc)}
        return [*_reload_events()]

    @rx.event
    @requires("inventory.delete_printer")
    async def ask_delete(self, printer_id: int, label: str) -> None:
        self.confirm_delete_id = int(printer_id)
        self.confirm_delete_label = label

    @rx.event
    def cancel_delete(self) -> None:
        self.confirm_delete_id = 0

    @rx.event
    @requires("inventory.delete_printer")
    async def confirm_delete(self):
        printer_id, label = self.confirm_delete_id, self.confirm_delete_label
        self.confirm_delete_id = 0
        try:
            await with_session(delete_printer, printer_id=printer_id, actor=self._actor())
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        return [rx.toast.success(gettext("Printer {ip} deleted", ip=label)), *_reload_events()]


def _poll_now(printer_id: int):
    from printer_app.state.live.state import LiveState

    return LiveState.poll_now(printer_id)


def _reload_events() -> list:
    from printer_app.state.inventory.printer_detail import PrinterDetailState
    from printer_app.state.inventory.printers import PrintersState

    return [PrintersState.reload, PrinterDetailState.reload]
