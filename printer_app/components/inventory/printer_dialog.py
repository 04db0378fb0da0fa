"""The add/edit printer dialog and the delete confirmation."""

from __future__ import annotations

import reflex as rx

from printer_app.components.form_notice import form_notice
from printer_app.components.table import field_error
from printer_app.models.choices import PollingMethod
from printer_app.services.inventory.printers import MANAGE_WEB, V3_AUTH_PROTOCOLS, V3_PRIV_PROTOCOLS
from printer_app.state.inventory.printer_form import NONE, PrinterFormState

S = PrinterFormState


def _labeled(label: str, control: rx.Component, name: str, hint=None) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 10)) if hint is not None else rx.fragment(),
        field_error(S.errors, name),
        spacing="1",
        width="100%",
    )


def _input(name: str, placeholder: str = "") -> rx.Component:
    return rx.input(
        value=getattr(S, name),
        on_change=lambda v: S.set_value(name, v),
        placeholder=placeholder,
        id=f"printer-{name}",
        width="100%",
        color_scheme=rx.cond(S.errors.contains(name), "red", "gray"),
    )


def _select(name: str, options, none_label) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=none_label, width="100%", id=f"printer-{name}"),
        rx.select.content(
            rx.select.item(none_label, value=NONE),
            rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0])),
        ),
        value=getattr(S, name),
        on_change=lambda v: S.set_value(name, v),
    )


def _choice(name: str, options: list[tuple[str, str]]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", id=f"printer-{name}"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in options]),
        value=getattr(S, name),
        on_change=lambda v: S.set_value(name, v),
    )


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
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id > 0, "Edit printer", "Add printer")),
            rx.vstack(
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
                    _labeled(
                        "Serial number", _input("serial_number", "learned on first poll if empty"), "serial_number"
                    ),
                    _labeled("MAC address", _input("mac_address", "AA:BB:CC:DD:EE:FF"), "mac_address"),
                    _labeled(
                        "Organization", _select("organization_id", S.org_options, "No organization"), "organization_id"
                    ),
                    _labeled(
                        "Device model",
                        _select(
                            "device_model_id",
                            S.model_options,
                            rx.cond(
                                S.learned_model != "", S.learned_model + " (not in the catalogue)", "Unknown model"
                            ),
                        ),
                        "device_model_id",
                    ),
                    _labeled(
                        "Polling method",
                        rx.select.root(
                            rx.select.trigger(width="100%", id="printer-polling_method"),
                            rx.select.content(*[rx.select.item(m.label, value=m.value) for m in PollingMethod]),
                            value=S.polling_method,
                            on_change=lambda v: S.set_value("polling_method", v),
                            disabled=~S.permissions.contains(MANAGE_WEB),
                        ),
                        "polling_method",
                        rx.cond(
                            S.permissions.contains(MANAGE_WEB),
                            "HYBRID needs the printer's web rules first",
                            "Changing it needs the permission to manage web parsing rules",
                        ),
                    ),
                    rx.vstack(
                        rx.text("State", size="2", weight="medium"),
                        rx.hstack(
                            rx.switch(checked=S.is_active, on_change=S.set_active, id="printer-is_active"),
                            rx.text(rx.cond(S.is_active, "Active", "Inactive (replaced / removed)"), size="2"),
                            align="center",
                        ),
                        spacing="1",
                    ),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                snmp_v3_fields(),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", id="printer-cancel")),
                    rx.button("Save", on_click=S.save, id="printer-save"),
                    justify="end",
                    width="100%",
                    spacing="3",
                ),
                spacing="4",
                padding_top="8px",
            ),
            max_width="640px",
        ),
        open=S.open,
        on_open_change=S.set_open,
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete printer?"),
            rx.alert_dialog.description(
                rx.text(
                    "Printer ",
                    rx.text.strong(S.confirm_delete_label),
                    " and its whole poll history will be deleted. This cannot be undone.",
                )
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_delete)
                ),
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="red", on_click=S.confirm_delete, id="confirm-delete")
                ),
                justify="end",
                spacing="3",
                padding_top="12px",
            ),
        ),
        open=S.confirm_delete_id > 0,
    )
