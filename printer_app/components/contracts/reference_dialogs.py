"""The dialogs of the reference page: add/edit a row of the current tab, the delete question, a model's cartridges."""

from __future__ import annotations

import reflex as rx

from printer_app.components.contracts.reference_tables import status_badge
from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.i18n import N_
from printer_app.models.choices import CartridgeColor, DeviceType, IssueTracker
from printer_app.state.contracts.reference import ReferenceState as S
from printer_app.state.contracts.reference_cartridges import ModelCartridgesState as M

TITLES = {
    "city": (N_("Add city"), N_("Edit city")),
    "manufacturer": (N_("Add manufacturer"), N_("Edit manufacturer")),
    "devicemodel": (N_("Add device model"), N_("Edit device model")),
    "cartridge": (N_("Add cartridge"), N_("Edit cartridge")),
    "contractstatus": (N_("Add status"), N_("Edit status")),
    "serviceprovider": (N_("Add service provider"), N_("Edit service provider")),
}


def _input(name: str, label: str, **props) -> rx.Component:
    return labelled(
        label,
        rx.input(value=S.form[name], on_change=lambda v: S.set_value(name, v), id=f"ref-{name}", width="100%", **props),
        errors=S.errors,
        name=name,
    )


def _select(name: str, label: str, choice, **props) -> rx.Component:
    options = [(c.value, c.label) for c in choice] if choice is not None else []
    control = choice_select(
        options, S.form[name], lambda v: S.set_value(name, v), id=f"ref-{name}", width="100%", **props
    )
    return labelled(label, control, errors=S.errors, name=name)


def _check(name: str, label: str) -> rx.Component:
    return rx.text(
        rx.hstack(
            rx.checkbox(
                checked=S.form[name] == "true",
                on_change=lambda v: S.set_value(name, rx.cond(v, "true", "false")),
                id=f"ref-{name}",
            ),
            t(label),
            spacing="2",
        ),
        as_="label",
        size="2",
    )


def _colour() -> rx.Component:
    """The colour picker beside its hex text, and the badge as the list will show it."""
    return labelled(
        N_("Colour"),
        rx.hstack(
            rx.input(
                type="color",
                value=S.form["color"],
                on_change=lambda v: S.set_value("color", v),
                id="ref-color-picker",
                width="48px",
                padding="2px",
            ),
            rx.input(value=S.form["color"], on_change=lambda v: S.set_value("color", v), id="ref-color", width="110px"),
            status_badge(
                rx.cond(S.form["name"] != "", S.form["name"], t("Status")),
                S.form["color"],
                S.status_text_color,
                id="ref-color-preview",
            ),
            align="center",
            spacing="3",
            flex_wrap="wrap",
        ),
        errors=S.errors,
        name="color",
    )


FIELDS = {
    "city": [_input("name", N_("Name *"))],
    "manufacturer": [_input("name", N_("Name *"))],
    "devicemodel": [
        labelled(
            N_("Manufacturer *"),
            choice_select(
                [],
                S.form["manufacturer_id"],
                lambda v: S.set_value("manufacturer_id", v),
                dynamic=S.manufacturers,
                id="ref-manufacturer_id",
                width="100%",
            ),
            errors=S.errors,
            name="manufacturer_id",
        ),
        _input("name", N_("Name *")),
        _select("device_type", N_("Type"), DeviceType),
        _check("has_network_port", N_("Has a network port")),
    ],
    "cartridge": [
        _input("name", N_("Name *")),
        _input("part_number", N_("Part number")),
        _select("color", N_("Colour"), CartridgeColor),
        _input("capacity", N_("Capacity (pages)")),
        _input("comment", N_("Comment")),
        _check("is_active", N_("Active")),
    ],
    "contractstatus": [_input("name", N_("Name *")), _colour(), _check("is_active", N_("Active"))],
    "serviceprovider": [
        _input("name", N_("Name *")),
        _input("code", N_("Code *"), placeholder="amb"),
        _select("issue_tracker", N_("Issue tracker"), IssueTracker),
        _input("support_email", N_("Support e-mail"), type="email"),
        _check("is_active", N_("Active")),
    ],
}


def row_dialog() -> rx.Component:
    titles = [(tab, rx.cond(S.editing_id > 0, t(edit), t(add))) for tab, (add, edit) in TITLES.items()]
    return form_dialog(
        rx.match(S.tab, *titles, ""),
        rx.cond(
            S.errors.contains("form"),
            rx.callout(S.errors["form"], icon="triangle-alert", color_scheme="red", width="100%", id="ref-form-error"),
        ),
        rx.match(S.tab, *[(tab, rx.vstack(*fields, spacing="3", width="100%")) for tab, fields in FIELDS.items()]),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        on_save=S.save,
        save_id="ref-save",
        max_width="480px",
        enter_saves=True,
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        N_("Delete?"),
        rx.cond(
            S.delete_error != "",
            rx.text(S.delete_error, color=rx.color("red", 11), id="ref-delete-error"),
            tf("Delete “{name}”? This cannot be undone.", name=S.delete_name),
        ),
        action=N_("Delete"),
        on_confirm=S.confirm_delete,
        confirm_id="ref-delete-confirm",
        open=S.delete_id > 0,
        on_cancel=S.cancel_delete,
    )


def _link_row(link) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(link["name"], weight="medium", size="2")),
        rx.table.cell(rx.text(link["part_number"], size="2")),
        rx.table.cell(
            rx.checkbox(
                checked=link["primary"] == "true",
                on_change=lambda v: M.toggle_primary(link["id"], v),
                class_name="ref-link-primary",
            )
        ),
        rx.table.cell(
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=M.remove(link["id"]),
                class_name="ref-link-remove",
                title=t("Remove"),
            )
        ),
    )


def model_cartridges_dialog() -> rx.Component:
    """The cartridges a model takes: primary flags, remove, and add one of the active cartridges."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tf("Cartridges of {model}", model=M.model_name)),
            rx.vstack(
                rx.cond(
                    M.links.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(t(h))
                                    for h in (N_("Name"), N_("Part number"), N_("Primary"))
                                ],
                                rx.table.column_header_cell(""),
                            )
                        ),
                        rx.table.body(rx.foreach(M.links, _link_row)),
                        size="1",
                        width="100%",
                        id="ref-model-links",
                    ),
                    rx.text(t("No cartridges yet."), size="2", color=rx.color("gray", 11)),
                ),
                rx.hstack(
                    choice_select(
                        [],
                        M.pick,
                        M.set_pick,
                        dynamic=M.offer,
                        id="ref-link-pick",
                        width="220px",
                        placeholder=N_("Cartridge…"),
                    ),
                    rx.text(
                        rx.hstack(rx.checkbox(checked=M.primary, on_change=M.set_primary), t("Primary"), spacing="2"),
                        as_="label",
                        size="2",
                    ),
                    rx.button(t("Add"), on_click=M.add, id="ref-link-add", disabled=M.pick == ""),
                    align="center",
                    spacing="3",
                    flex_wrap="wrap",
                ),
                rx.cond(M.error != "", rx.text(M.error, color=rx.color("red", 11), size="2", id="ref-link-error")),
                rx.hstack(
                    rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="560px",
            max_height="85vh",
            overflow_y="auto",
        ),
        open=M.open,
        on_open_change=M.set_open,
    )
