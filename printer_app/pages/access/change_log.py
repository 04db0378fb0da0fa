"""Change log page: who created, changed or deleted what and when, field by field, newest first."""

from __future__ import annotations

import reflex as rx

from printer_app.components.changes import action_badge, changes_cell
from printer_app.components.forms import filter_select
from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.table import data_table, pager, reset_button, search_box
from printer_app.config import get_settings
from printer_app.i18n import N_
from printer_app.state.access.change_log import ACTION_OPTIONS, ALL, ChangeLogState

S = ChangeLogState


def _date(name: str, label: str) -> rx.Component:
    """A date typed in the user's format (ДД.ММ.ГГГГ in Russian): a browser's date input follows the browser's
    locale instead, whatever language the user chose."""
    return rx.hstack(
        rx.text(t(label), size="2", color=rx.color("gray", 11)),
        rx.input(
            value=getattr(S, name),
            on_change=lambda v: S.set_date(name, v),
            placeholder=t("DD.MM.YYYY"),
            color_scheme=rx.cond(getattr(S, f"{name}_invalid"), "red", "gray"),
            width="120px",
            input_mode="numeric",
            id=f"filter-{name}",
        ),
        align="center",
        spacing="1",
    )


def _object_chip() -> rx.Component:
    """While the log shows one object's entries (the printer page's link): which, and a way back to all."""
    return rx.cond(
        S.object_id != 0,
        rx.badge(
            S.object_title,
            rx.link(rx.icon("x", size=12), href="/changes", aria_label=t("Show all changes"), id="object-clear"),
            size="2",
            variant="soft",
            id="object-filter",
        ),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Object contains…"), id="change-search", width="220px"),
        filter_select(S, "object_type", [[ALL, N_("All objects")]], dynamic=S.type_options, width="190px"),
        filter_select(S, "action", ACTION_OPTIONS, width="160px"),
        _object_chip(),
        filter_select(
            S,
            "user",
            [[ALL, N_("All users")], ["system", N_("System (no user)")], ["poller", N_("Poller")]],
            dynamic=S.user_options,
            width="190px",
        ),
        _date("date_from", N_("From")),
        _date("date_to", N_("to")),
        reset_button(S.reset_filters, search_id="change-search", id="change-reset"),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )


def _object(r) -> rx.Component:
    name = rx.vstack(
        rx.text(r.object_repr, size="2", weight="medium"),
        rx.hstack(
            rx.text(r.object_label, " #", r.object_id, size="1", color=rx.color("gray", 10)),
            rx.cond(r.deleted, rx.badge(t("deleted"), color_scheme="gray", size="1", class_name="object-deleted")),
            spacing="1",
            align="center",
        ),
        spacing="0",
    )
    return rx.cond(r.link != "", rx.link(name, href=r.link, class_name="object-link"), name)


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r.when, size="2"), white_space="nowrap"),
        rx.table.cell(rx.text(r.user, size="2"), rx.text(r.ip_address, r.how, size="1", color=rx.color("gray", 10))),
        rx.table.cell(action_badge(r)),
        rx.table.cell(_object(r), max_width="260px"),
        rx.table.cell(changes_cell(r), max_width="560px"),
        class_name="change-row",
    )


def change_log_page() -> rx.Component:
    return page(
        N_("Change log"),
        _filters(),
        data_table(
            [
                rx.table.column_header_cell(
                    tf("When ({zone})", zone=get_settings().time_zone), width="150px", white_space="nowrap"
                ),
                rx.table.column_header_cell(t("User"), width="150px"),
                rx.table.column_header_cell(t("Action"), width="110px"),
                rx.table.column_header_cell(t("Object"), width="260px"),
                N_("Changes"),
            ],
            S.rows,
            _row,
            variant="surface",
            id="change-table",
        ),
        pager(S),
    )
