"""The "Overrides" tab of `/reports/settings`: toolbar (search, status filter, Add), the SerialEditOverride table with
its row buttons, the add / edit dialog and the delete question. Buttons show only with `override_auto_lock`."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.forms import choice_select, filter_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.components.table import data_table, pager, row_icon_button, search_box, sort_header
from printer_app.i18n import N_
from printer_app.state.reports.settings_overrides import OverridesState as S
from printer_app.state.reports.settings_overrides import OverrideView

STATUS_OPTIONS = [
    ("all", N_("All overrides")),
    ("active", N_("Active")),
    ("expired", N_("Expired")),
    ("unlock", N_("Unlock")),
    ("lock", N_("Force lock")),
]
MODE_OPTIONS = [("unlock", N_("Unlock")), ("lock", N_("Force lock"))]


def mode_badge(unlock) -> rx.Component:
    return rx.badge(
        rx.cond(unlock, t("Unlock"), t("Force lock")),
        color_scheme=rx.cond(unlock, "green", "red"),
        variant="soft",
    )


def _expires(row: rx.Var[OverrideView]) -> rx.Component:
    return rx.hstack(
        rx.text(row.expires_text, size="2", white_space="nowrap"),
        rx.cond(row.expired, rx.badge(t("expired"), color_scheme="gray", variant="surface", class_name="ov-expired")),
        spacing="2",
        align="center",
    )


def _actions(row: rx.Var[OverrideView]) -> rx.Component:
    return rx.cond(
        S.can_edit,
        rx.hstack(
            row_icon_button("pencil", N_("Edit"), S.open_edit(row.id), class_name="ov-edit"),
            row_icon_button(
                "trash-2", N_("Delete"), S.ask_delete(row.id, row.serial), color_scheme="red", class_name="ov-delete"
            ),
            spacing="3",
            justify="end",
        ),
    )


def _row(row: rx.Var[OverrideView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.serial, weight="medium", size="2", class_name="ov-serial")),
        rx.table.cell(mode_badge(row.unlock)),
        rx.table.cell(_expires(row)),
        rx.table.cell(rx.text(row.reason, size="2", max_width="360px", class_name="ov-reason")),
        rx.table.cell(rx.text(row.created_by, size="2")),
        rx.table.cell(rx.text(row.created_text, size="2", white_space="nowrap")),
        rx.table.cell(_actions(row)),
        class_name="ov-row",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Serial number or reason…"), id="ov-search"),
        filter_select(S, "status", STATUS_OPTIONS, width="160px"),
        rx.spacer(),
        rx.cond(S.can_edit, rx.button(rx.icon("plus", size=16), t("Add override"), on_click=S.open_new, id="ov-add")),
        width="100%",
        align="center",
        flex_wrap="wrap",
        row_gap="8px",
    )


def _dialog() -> rx.Component:
    def field(name: str, label: str, control: rx.Component, hint=None) -> rx.Component:
        return labelled(label, control, errors=S.errors, name=name, hint=hint)

    return form_dialog(
        rx.cond(S.editing_id > 0, t("Edit override"), t("Add override")),
        rx.cond(
            S.errors.contains("form"),
            rx.callout(S.errors["form"], icon="triangle-alert", color_scheme="red", width="100%"),
        ),
        field(
            "serial",
            N_("Serial number *"),
            rx.input(
                value=S.form["serial"], on_change=lambda v: S.set_value("serial", v), id="ov-serial", width="100%"
            ),
        ),
        field(
            "mode",
            N_("Mode"),
            choice_select(MODE_OPTIONS, S.form["mode"], lambda v: S.set_value("mode", v), id="ov-mode", width="100%"),
            hint=N_(
                "Unlock: end counters stay editable despite fresh polls. Force lock: only holders of “Override "
                "the automatic counter lock” edit them."
            ),
        ),
        field(
            "expires",
            N_("Expires"),
            rx.input(
                type="datetime-local",
                value=S.form["expires"],
                on_change=lambda v: S.set_value("expires", v),
                id="ov-expires",
                width="100%",
            ),
            hint=tf("Time zone {zone}; empty: never expires.", zone=S.zone),
        ),
        field(
            "reason",
            N_("Reason (required for a force lock)"),
            rx.text_area(
                value=S.form["reason"], on_change=lambda v: S.set_value("reason", v), id="ov-reason", width="100%"
            ),
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        on_save=S.save,
        save_id="ov-save",
        max_width="520px",
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        N_("Delete?"),
        tf("Delete the override of “{serial}”? Its rows follow the usual auto-lock again.", serial=S.delete_serial),
        action=N_("Delete"),
        on_confirm=S.confirm_delete,
        confirm_id="ov-delete-confirm",
        open=S.delete_id > 0,
        on_cancel=S.cancel_delete,
    )


def overrides_tab() -> rx.Component:
    headers = [
        sort_header(N_("Serial number"), "serial", S),
        sort_header(N_("Mode"), "mode", S),
        sort_header(N_("Expires"), "expires", S),
        N_("Reason"),
        N_("Created by"),
        sort_header(N_("Created"), "created", S),
        "",
    ]
    return rx.vstack(
        _toolbar(),
        rx.box(
            data_table(headers, S.rows, _row, variant="surface", size="1", id="ov-table"),
            overflow_x="auto",
            width="100%",
        ),
        pager(S),
        _dialog(),
        _delete_dialog(),
        spacing="3",
        width="100%",
    )
