"""The add/edit printer dialog and the delete confirmation."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, text, tf
from printer_app.components.spinner import spinner
from printer_app.i18n import N_
from printer_app.models.choices import PollingMethod
from printer_app.services.inventory.printers import MANAGE_WEB, V3_AUTH_PROTOCOLS, V3_PRIV_PROTOCOLS
from printer_app.state.inventory.printer_form import NONE, PrinterFormState

S = PrinterFormState


def _labeled(label: str, control: rx.Component, name: str, hint=None) -> rx.Component:
    return labelled(label, control, errors=S.errors, name=name, hint=hint)


def _input(name: str, placeholder=None) -> rx.Component:
    return rx.input(
        value=getattr(S, name),
        on_change=lambda v: S.set_value(name, v),
        placeholder=text(placeholder),
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
        placeholder=rx.cond(has_value, t("•••••••• stored — leave empty to keep"), t("8-128 characters")),
        id=f"printer-{name}",
        width="100%",
        auto_complete="new-password",
    )


def snmp_v3_fields() -> rx.Component:
    return rx.cond(
        S.snmp_version == "3",
        rx.grid(
            _labeled(N_("SNMPv3 user *"), _input("snmp_v3_user"), "snmp_v3_user"),
            _labeled(N_("Context name"), _input("snmp_v3_context", N_("usually empty")), "snmp_v3_context"),
            _labeled(
                N_("Authentication"),
                _choice(
                    "snmp_v3_auth_protocol", [(NONE, N_("None")), *[(p, rx.Var.create(p)) for p in V3_AUTH_PROTOCOLS]]
                ),
                "snmp_v3_auth_protocol",
            ),
            _labeled(N_("Authentication key"), _secret("snmp_v3_auth_key", S.has_auth_key), "snmp_v3_auth_key"),
            _labeled(
                N_("Privacy"),
                _choice(
                    "snmp_v3_priv_protocol", [(NONE, N_("None")), *[(p, rx.Var.create(p)) for p in V3_PRIV_PROTOCOLS]]
                ),
                "snmp_v3_priv_protocol",
            ),
            _labeled(N_("Privacy key"), _secret("snmp_v3_priv_key", S.has_priv_key), "snmp_v3_priv_key"),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
    )


def _test_row(row) -> rx.Component:
    return rx.hstack(
        rx.text(row[0], size="2", color=rx.color("gray", 11), min_width="110px"),
        rx.text(row[1], size="2", weight="medium", class_name="test-value", word_break="break-all"),
        spacing="2",
        align="baseline",
    )


def _test_result() -> rx.Component:
    return rx.cond(
        S.test_error != "",
        rx.callout(S.test_error, icon="triangle-alert", color_scheme="red", size="1", id="printer-test-error"),
        rx.box(
            rx.vstack(
                rx.hstack(
                    rx.icon("circle-check", size=16, color=rx.color("green", 10)),
                    rx.text(t("The device answered"), size="2", weight="bold"),
                    align="center",
                    spacing="2",
                ),
                rx.foreach(S.test_rows, _test_row),
                rx.cond(
                    S.test_supplies.length() > 0,
                    rx.vstack(
                        rx.text(t("Supplies"), size="2", weight="medium"),
                        rx.foreach(S.test_supplies, _test_row),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.foreach(S.test_notes, lambda n: rx.text(n, size="1", color=rx.color("gray", 10))),
                spacing="1",
                width="100%",
            ),
            padding="10px 12px",
            border_radius="6px",
            background=rx.color("green", 2),
            border=f"1px solid {rx.color('green', 6)}",
            width="100%",
            max_height="240px",
            overflow_y="auto",
            id="printer-test-result",
        ),
    )


def connection_test() -> rx.Component:
    """ "Test connection": reads the device with the form's current settings before saving; stores nothing."""
    return rx.vstack(
        rx.hstack(
            rx.button(
                rx.cond(S.testing, spinner(16), rx.icon("plug-zap", size=16)),
                t("Test connection"),
                type="button",
                variant="soft",
                on_click=S.test_connection,
                disabled=S.testing,
                id="printer-test",
            ),
            rx.text(
                t("Reads model, serial, MAC and supplies with the settings above; nothing is saved"),
                size="1",
                color=rx.color("gray", 10),
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(S.test_done, _test_result()),
        spacing="2",
        width="100%",
    )


def printer_dialog() -> rx.Component:
    return form_dialog(
        rx.cond(S.editing_id > 0, t("Edit printer"), t("Add printer")),
        form_notice(S.errors, S.unsaved, "printer-form-error"),
        rx.grid(
            _labeled(N_("IP address *"), _input("ip_address", rx.Var.create("192.168.1.20")), "ip_address"),
            _labeled(N_("SNMP community"), _input("snmp_community", rx.Var.create("public")), "snmp_community"),
            _labeled(
                N_("SNMP version"),
                _choice(
                    "snmp_version",
                    [(v, rx.Var.create(label)) for v, label in (("1", "v1"), ("2c", "v2c"), ("3", "v3"))],
                ),
                "snmp_version",
            ),
            _labeled(N_("SNMP port"), _input("snmp_port", rx.Var.create("161")), "snmp_port"),
            _labeled(
                N_("Serial number"), _input("serial_number", N_("learned on first poll if empty")), "serial_number"
            ),
            _labeled(N_("MAC address"), _input("mac_address", rx.Var.create("AA:BB:CC:DD:EE:FF")), "mac_address"),
            _labeled(
                N_("Organization"),
                _reference("organization_id", S.org_options, N_("No organization")),
                "organization_id",
            ),
            _labeled(
                N_("Device model"),
                _reference(
                    "device_model_id",
                    S.model_options,
                    rx.cond(
                        S.learned_model != "",
                        tf("{model} (not in the catalogue)", model=S.learned_model),
                        t("Unknown model"),
                    ),
                ),
                "device_model_id",
            ),
            rx.box(
                _labeled(N_("Location"), _input("location", N_("room, floor, office")), "location"),
                grid_column="1 / -1",
            ),
            _labeled(
                N_("Polling method"),
                _choice(
                    "polling_method",
                    [(m.value, m.label) for m in PollingMethod],
                    disabled=~S.permissions.contains(MANAGE_WEB),
                ),
                "polling_method",
                rx.cond(
                    S.permissions.contains(MANAGE_WEB),
                    t("HYBRID needs the printer's web rules first"),
                    t("Changing it needs the permission to manage web parsing rules"),
                ),
            ),
            labelled(
                N_("State"),
                rx.hstack(
                    rx.switch(checked=S.is_active, on_change=S.set_active, id="printer-is_active"),
                    rx.text(rx.cond(S.is_active, t("Active"), t("Inactive (replaced / removed)")), size="2"),
                    align="center",
                ),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        snmp_v3_fields(),
        connection_test(),
        open=S.open,
        on_open_change=S.set_open,
        on_save=S.save,
        enter_saves=True,
        save_id="printer-save",
        cancel_id="printer-cancel",
        max_width="640px",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        N_("Delete printer?"),
        rx.fragment(
            tf(
                "Printer {ip} and its whole poll history will be deleted. This cannot be undone.",
                ip=S.confirm_delete_label,
            ),
        ),
        action=N_("Delete"),
        on_confirm=S.confirm_delete,
        confirm_id="confirm-delete",
        open=S.confirm_delete_id > 0,
        on_cancel=S.cancel_delete,
    )
