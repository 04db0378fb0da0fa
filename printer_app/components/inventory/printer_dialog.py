"""The add/edit printer dialog and the delete confirmation."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import choice_select, labelled
from printer_app.models.choices import PollingMethod
from printer_app.services.inventory.printers import MANAGE_WEB, V3_AUTH_PROTOCOLS, V3_PRIV_PROTOCOLS
from printer_app.state.inventory.printer_form import NONE, PrinterFormState

S = PrinterFormState


def _labeled(label: str, control: rx.Component, name: str, hint=None) -> rx.Component:
    return labelled(label, control, errors=S.errors, name=name, hint=hint)


def _input(name: str, placeholder: str = "") -> rx.Component:
    return rx.input(
        value=getattr(S, name),
        on_change=lambda v: S.set_value(name, v),
        placeholder=placeholder,
        id=f"printer-{name}",
        width="100%",
        color_scheme=rx.cond(S.errors.contains(name), "red", "gray"),
    )


def _choice(name: str, options, **props) -> rx.Component:
    return choice_select(
        options, getattr(S, name), lambda v: S.set_value(name, v), width="100%", id=f"printer-{name}", **props
    )


def _reference(name: str, choices, none_label) -> rx.Component:
    """An optional reference (organization, device model): "none", then the `[id, label]` pairs of `choices`."""
    return _choice(name, [(NONE, none_label)], dynamic=choices, placeholder=none_label)


def _secret(name: str, has_value) -> rx.Component:
    """A write-only secret: the stored value is never sent to the browser, only whether one is set."""
    return rx.input(
        type="password",
        value=getattr(S, name),
        on_change=lambda v: S.set_value(name, v),
        placeholder=rx.cond(has_value, "•••••••• stored — leave empty to keep", "8-128 characters"),
        id=f"printer-{name}",
        width="100%",
        auto_complete="new-password",
    )


def snmp_v3_fields() -> rx.Component:
    return rx.cond(
        S.snmp_version == "3",
        rx.grid(
            _labeled("SNMPv3 user *", _input("snmp_v3_user"), "snmp_v3_user"),
            _labeled("Context name", _input("snmp_v3_context", "usually empty"), "snmp_v3_context"),
            _labeled(
                "Authentication",
                _choice("snmp_v3_auth_protocol", [(NONE, "None"), *[(p, p) for p in V3_AUTH_PROTOCOLS]]),
                "snmp_v3_auth_protocol",
            ),
            _labeled("Authentication key", _secret("snmp_v3_auth_key", S.has_auth_key), "snmp_v3_auth_key"),
            _labeled(
                "Privacy",
                _choice("snmp_v3_priv_protocol", [(NONE, "None"), *[(p, p) for p in V3_PRIV_PROTOCOLS]]),
                "snmp_v3_priv_protocol",
            ),
            _labeled("Privacy key", _secret("snmp_v3_priv_key", S.has_priv_key), "snmp_v3_priv_key"),
            columns="2",
            spacing="4",
            width="100%",
        ),
    )


def printer_dialog() -> rx.Component:
    return form_dialog(
        rx.cond(S.editing_id > 0, "Edit printer", "Add printer"),
        form_notice(S.errors, S.unsaved, "printer-form-error"),
        rx.grid(
            _labeled("IP address *", _input("ip_address", "192.168.1.20"), "ip_address"),
            _labeled("SNMP community", _input("snmp_community", "public"), "snmp_community"),
            _labeled(
                "SNMP version",
                _choice("snmp_version", [("1", "v1"), ("2c", "v2c"), ("3", "v3")]),
                "snmp_version",
            ),
            _labeled("SNMP port", _input("snmp_port", "161"), "snmp_port"),
            _labeled("Serial number", _input("serial_number", "learned on first poll if empty"), "serial_number"),
            _labeled("MAC address", _input("mac_address", "AA:BB:CC:DD:EE:FF"), "mac_address"),
            _labeled(
                "Organization",
                _reference("organization_id", S.org_options, "No organization"),
                "organization_id",
            ),
            _labeled(
                "Device model",
                _reference(
                    "device_model_id",
                    S.model_options,
                    rx.cond(S.learned_model != "", S.learned_model + " (not in the catalogue)", "Unknown model"),
                ),
                "device_model_id",
            ),
            _labeled(
                "Polling method",
                _choice(
                    "polling_method",
                    [(m.value, m.label) for m in PollingMethod],
                    disabled=~S.permissions.contains(MANAGE_WEB),
                ),
                "polling_method",
                rx.cond(
                    S.permissions.contains(MANAGE_WEB),
                    "HYBRID needs the printer's web rules first",
                    "Changing it needs the permission to manage web parsing rules",
                ),
            ),
            labelled(
                "State",
                rx.hstack(
                    rx.switch(checked=S.is_active, on_change=S.set_active, id="printer-is_active"),
                    rx.text(rx.cond(S.is_active, "Active", "Inactive (replaced / removed)"), size="2"),
                    align="center",
                ),
            ),
            columns="2",
            spacing="4",
            width="100%",
        ),
        snmp_v3_fields(),
        open=S.open,
        on_open_change=S.set_open,
        on_save=S.save,
        save_id="printer-save",
        cancel_id="printer-cancel",
        max_width="640px",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete printer?",
        rx.fragment(
            "Printer ",
            rx.text.strong(S.confirm_delete_label),
            " and its whole poll history will be deleted. This cannot be undone.",
        ),
        action="Delete",
        on_confirm=S.confirm_delete,
        confirm_id="confirm-delete",
        open=S.confirm_delete_id > 0,
        on_cancel=S.cancel_delete,
    )
