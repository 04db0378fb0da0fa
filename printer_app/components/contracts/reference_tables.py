"""The tables of the reference page, one per tab: which columns each shows and the buttons of a row."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from printer_app.components.badges import active_badge
from printer_app.components.i18n import t
from printer_app.components.table import data_table, row_icon_button, sort_header
from printer_app.i18n import N_
from printer_app.state.contracts.reference import ReferenceState as S
from printer_app.state.contracts.reference_cartridges import ModelCartridgesState

Cell = Callable[[rx.Var], rx.Component]


def status_badge(name, color, text_color, **props) -> rx.Component:
    """A contract status as a badge in its own colour, with black or white text, whichever reads better."""
    return rx.badge(name, variant="solid", style={"backgroundColor": color, "color": text_color}, **props)


def _text(key: str, **props) -> Cell:
    return lambda row: rx.text(row[key], size="2", **props)


def _number(key: str) -> Cell:
    return lambda row: rx.text(row[key], size="2", class_name=f"ref-{key}")


def _yes_no(key: str) -> Cell:
    return lambda row: rx.cond(row[key] == "true", rx.icon("check", size=16), rx.text("—", size="2"))


def _active(row) -> rx.Component:
    return active_badge(row["is_active"] == "true")


def _name(row) -> rx.Component:
    return rx.text(row["name"], weight="medium", size="2", class_name="ref-name")


def _status(row) -> rx.Component:
    return status_badge(row["name"], row["color"], row["text_color"], class_name="ref-status-badge")


def _actions(row) -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.tab == "devicemodel",
            rx.button(
                rx.icon("droplets", size=14),
                t("Cartridges"),
                size="1",
                variant="soft",
                on_click=ModelCartridgesState.show(row["id"]),
                class_name="ref-model-cartridges",
            ),
        ),
        rx.cond(S.can_change, row_icon_button("pencil", N_("Edit"), S.open_edit(row["id"]), class_name="ref-edit")),
        rx.cond(
            S.can_delete,
            row_icon_button(
                "trash-2",
                N_("Delete"),
                S.ask_delete(row["id"], row["name"]),
                color_scheme="red",
                class_name="ref-delete",
            ),
        ),
        spacing="3",
        justify="end",
    )


# tab -> [(header, sort key or "", cell)]
COLUMNS: dict[str, list[tuple[str, str, Cell]]] = {
    "city": [(N_("Name"), "name", _name), (N_("Contract devices"), "devices", _number("devices"))],
    "manufacturer": [(N_("Name"), "name", _name), (N_("Device models"), "models", _number("models"))],
    "devicemodel": [
        (N_("Manufacturer"), "manufacturer", _text("manufacturer")),
        (N_("Model"), "name", _name),
        (N_("Type"), "device_type", _text("device_type_label")),
        (N_("Network port"), "", _yes_no("has_network_port")),
        (N_("Cartridges"), "", _number("cartridges")),
        (N_("Contract devices"), "devices", _number("devices")),
        (N_("Printers"), "printers", _number("printers")),
    ],
    "cartridge": [
        (N_("Name"), "name", _name),
        (N_("Part number"), "part_number", _text("part_number")),
        (N_("Colour"), "color", _text("color_label")),
        (N_("Capacity"), "", _text("capacity")),
        (N_("State"), "", _active),
        (N_("Device models"), "models", _number("models")),
    ],
    "contractstatus": [
        (N_("Name"), "name", _status),
        (N_("Colour"), "", lambda row: rx.code(row["color"], variant="ghost")),
        (N_("State"), "", _active),
        (N_("Contract devices"), "devices", _number("devices")),
    ],
    "serviceprovider": [
        (N_("Name"), "name", _name),
        (N_("Code"), "code", lambda row: rx.code(row["code"], variant="ghost")),
        (N_("Issue tracker"), "", _text("issue_tracker_label")),
        (N_("Support e-mail"), "", _text("support_email")),
        (N_("State"), "", _active),
        (N_("Contract devices"), "devices", _number("devices")),
    ],
}


def reference_table(tab: str) -> rx.Component:
    """The table of one tab: sortable headers, one row per reference row, the row's buttons at the right."""
    columns = COLUMNS[tab]
    headers = [sort_header(label, key, S) if key else label for label, key, _ in columns]

    def render(row) -> rx.Component:
        cells = [rx.table.cell(cell(row)) for _, _, cell in columns]
        return rx.table.row(*cells, rx.table.cell(_actions(row)), class_name="ref-row")

    return rx.box(
        data_table([*headers, ""], S.rows, render, variant="surface", size="1", id=f"ref-table-{tab}"),
        overflow_x="auto",
        width="100%",
    )
