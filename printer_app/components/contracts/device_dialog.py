"""The contract device dialog (add / edit) and the question before a delete."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.form_notice import form_notice
from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.i18n import N_
from printer_app.services.contracts.device_list import NONE
from printer_app.state.contracts.device_form import DeviceFormState
from printer_app.state.contracts.devices import DevicesState

F = DeviceFormState


def _text(name: str, label: str, **props) -> rx.Component:
    return labelled(
        label,
        rx.input(
            value=F.form[name], on_change=lambda v: F.set_value(name, v), id=f"device-{name}", width="100%", **props
        ),
        errors=F.errors,
        name=name,
    )


def _select(name: str, label: str, dynamic, *, fixed=(), placeholder: str = N_("Choose…")) -> rx.Component:
    return labelled(
        label,
        choice_select(
            list(fixed),
            F.form[name],
            lambda v: F.set_value(name, v),
            dynamic=dynamic,
            width="100%",
            id=f"device-{name}",
            placeholder=placeholder,
        ),
        errors=F.errors,
        name=name,
    )


def _pair(*children: rx.Component) -> rx.Component:
    """Two fields side by side; on a phone one under the other."""
    return rx.flex(*children, direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%")


def device_dialog() -> rx.Component:
    return form_dialog(
        rx.cond(F.editing_id > 0, t("Edit contract device"), t("Add contract device")),
        form_notice(F.errors, F.unsaved, "device-form-error"),
        _select("organization", N_("Organization *"), DevicesState.org_options),
        _pair(
            _select("city", N_("City *"), DevicesState.city_options),
            _text("room", N_("Room")),
        ),
        _text("address", N_("Address *")),
        _pair(
            _select("manufacturer", N_("Manufacturer"), DevicesState.maker_options, fixed=[[NONE, N_("Any")]]),
            _select("model", N_("Model *"), F.models_of_maker),
        ),
        _pair(
            _text("serial", N_("Serial number")),
            _text("service_month", N_("Service month"), placeholder="MM.YYYY"),
        ),
        _pair(
            _select("status", N_("Status"), DevicesState.status_options, fixed=[[NONE, N_("No status")]]),
            _select(
                "provider",
                N_("Service provider"),
                DevicesState.provider_options,
                fixed=[[NONE, N_("No service provider")]],
            ),
        ),
        labelled(
            N_("Comment"),
            rx.text_area(
                value=F.form["comment"],
                on_change=lambda v: F.set_value("comment", v),
                id="device-comment",
                width="100%",
                rows="2",
            ),
            errors=F.errors,
            name="comment",
        ),
        open=F.open,
        on_open_change=F.set_open,
        on_save=F.save,
        save_id="device-save",
        max_width="600px",
        enter_saves=True,
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        N_("Delete contract device?"),
        tf("{device} will be removed from the contracts. Its printer stays.", device=F.delete_label),
        action=N_("Delete"),
        on_confirm=F.delete,
        confirm_id="device-delete-confirm",
        open=F.delete_id > 0,
        on_cancel=F.cancel_delete,
    )
