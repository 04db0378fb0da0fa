"""The contract devices table: plain elements styled by assets/app.css (`.pi-table`), as the printers table.

The header row sticks to the top of the box and the table scrolls sideways inside it; the status is a coloured
badge (the status's own colour), a select of the same look for users who may change it.
"""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, text
from printer_app.i18n import N_
from printer_app.services.contracts.device_list import NONE
from printer_app.state.contracts.cartridge_request import REQUEST, CartridgeRequestState
from printer_app.state.contracts.device_form import DeviceFormState
from printer_app.state.contracts.device_views import DeviceView
from printer_app.state.contracts.devices import COLUMNS, DevicesState
from printer_app.state.session import SessionState

S = DevicesState
NUMERIC = {"total", "lowest_toner"}
CLIPPED = {"organization", "address", "model", "comment", "provider", "city"}


def can(permission: str) -> rx.Var[bool]:
    return SessionState.permissions.contains(permission)


def visible(column: str) -> rx.Var[bool]:
    return ~S.hidden_columns.split(",").contains(column)


def status_cell(row: rx.Var[DeviceView]) -> rx.Component:
    """The status as a badge in its colour; a select of the same look for users who may change it."""
    style = {"background": row.status_color, "color": row.status_text}
    badge = rx.el.span(rx.cond(row.status != "", row.status, "—"), class_name="pi-status", style=style)
    select = rx.el.select(
        rx.el.option(t("No status"), value=NONE),
        rx.foreach(S.status_options, lambda o: rx.el.option(o[1], value=o[0])),
        value=row.status_id,
        on_change=lambda value: S.set_status(row.id, value),
        class_name="pi-status pi-status-select",
        style=style,
        aria_label=t("Status"),
        title=t("Change the status"),
    )
    return rx.cond(can("contracts.change_contractdevice"), select, badge)


def _cell(key: str, row: rx.Var[DeviceView]) -> rx.Component:
    def clip(value):
        return rx.el.span(value, class_name="pi-clip", title=value)

    content = {
        "organization": clip(row.organization),
        "city": clip(row.city),
        "address": clip(row.address),
        "room": row.room,
        "manufacturer": row.manufacturer,
        "model": clip(row.model),
        "serial": rx.el.span(row.serial, class_name="pi-mono"),
        "status": status_cell(row),
        "provider": clip(row.provider),
        "service_month": row.service_month,
        "printer": rx.cond(
            row.printer_id != 0,
            rx.link(row.printer_ip, href="/printers/" + row.printer_id.to_string(), class_name="device-printer"),
            rx.el.span("—", class_name="pi-faint"),
        ),
        "total": row.total,
        "lowest_toner": rx.el.span(row.lowest_toner, class_name="pi-tone-text-" + row.toner_tone),
        "comment": clip(row.comment),
    }[key]
    return rx.cond(visible(key), rx.el.td(content, class_name="pi-num" if key in NUMERIC else None))


def _row_button(icon: str, title: str, on_click, name: str) -> rx.Component:
    return rx.el.button(
        rx.icon(icon, size=14),
        on_click=on_click,
        title=text(title),
        aria_label=text(title),
        class_name=f"pi-icon-btn {name}",
    )


def _row(row: rx.Var[DeviceView]) -> rx.Component:
    return rx.el.tr(
        *[_cell(key, row) for key, _label in COLUMNS],
        rx.el.td(
            rx.el.span(
                rx.cond(
                    can(REQUEST[0]) & can(REQUEST[1]),
                    _row_button("mail", N_("Request cartridge"), CartridgeRequestState.for_device(row.id), "request"),
                ),
                rx.cond(
                    can("contracts.change_contractdevice"),
                    _row_button("pencil", N_("Edit"), DeviceFormState.open_edit(row.id), "edit"),
                ),
                rx.cond(
                    can("contracts.delete_contractdevice"),
                    _row_button("trash-2", N_("Delete"), DeviceFormState.ask_delete(row.id), "delete"),
                ),
                class_name="pi-row-actions device-actions",
            ),
            class_name="pi-actions",
        ),
        class_name="device-row",
        custom_attrs={"data-serial": row.serial},
        key=row.id.to_string(),
    )


def _header(label: str, key: str) -> rx.Component:
    """A column title; a click sorts by it (again: the other way)."""
    arrow = rx.cond(
        S.sort == key,
        rx.icon(rx.cond(S.descending, "arrow-down", "arrow-up"), size=13),
        rx.icon("arrow-up-down", size=13, class_name="pi-faint"),
    )
    return rx.el.th(
        rx.el.span(t(label), arrow, class_name="pi-sort"),
        on_click=S.sort_by(key),
        class_name=("pi-num " if key in NUMERIC else "") + "pi-sortable",
        id=f"sort-{key}",
    )


def devices_table() -> rx.Component:
    return rx.el.div(
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    *[rx.cond(visible(key), _header(label, key)) for key, label in COLUMNS],
                    rx.el.th(class_name="pi-actions"),
                )
            ),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name="pi-table",
        ),
        class_name="pi-table-wrap",
        id="devices-table",
    )


def column_chooser() -> rx.Component:
    """Which columns the table shows (remembered in the browser)."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("columns-3", size=16), t("Columns"), variant="soft", id="columns")),
        rx.popover.content(
            rx.vstack(
                *[
                    rx.checkbox(
                        t(label),
                        checked=visible(key),
                        on_change=lambda _v, k=key: S.toggle_column(k),
                        id=f"col-{key}",
                    )
                    for key, label in COLUMNS
                ],
                spacing="2",
            ),
        ),
    )
