"""Change log page: who created, changed or deleted what and when, field by field, newest first."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import filter_select
from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.table import data_table, pager, reset_button, search_box
from printer_app.config import get_settings
from printer_app.i18n import N_
from printer_app.state.access.change_log import ACTION_OPTIONS, ALL, ChangeLogState

S = ChangeLogState
ACTION_COLORS = {"create": "green", "update": "blue", "delete": "red"}
ACTION_LABELS = {"create": N_("Created"), "update": N_("Updated"), "delete": N_("Deleted")}


def _date(name: str, label: str) -> rx.Component:
    return rx.hstack(
        rx.text(t(label), size="2", color=rx.color("gray", 11)),
        rx.input(type="date", value=getattr(S, name), on_change=lambda v: S.set_filter(name, v), id=f"filter-{name}"),
        align="center",
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Object contains…"), id="change-search", width="220px"),
        filter_select(S, "object_type", [[ALL, N_("All objects")]], dynamic=S.type_options, width="190px"),
        filter_select(S, "action", ACTION_OPTIONS, width="160px"),
        filter_select(
            S,
            "user",
            [[ALL, N_("All users")], ["system", N_("System (no user)")]],
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


def _change(c, action) -> rx.Component:
    """One field: "Label: old → new" for an update, just the value for a creation or deletion."""
    muted = rx.color("gray", 11)
    return rx.hstack(
        rx.text(c.label + ":", weight="medium", size="2", white_space="nowrap"),
        rx.cond(
            action == "update",
            rx.hstack(
                rx.text(c.old, size="2", color=muted, class_name="change-old"),
                rx.icon("arrow-right", size=12, color=muted, flex_shrink="0", margin_top="4px"),
                rx.text(c.new, size="2", class_name="change-new"),
                spacing="1",
                align="start",
            ),
            rx.text(rx.cond(action == "delete", c.old, c.new), size="2", class_name="change-new"),
        ),
        spacing="1",
        align="start",
        class_name="field-change",
    )


def _object(r) -> rx.Component:
    name = rx.vstack(
        rx.text(r.object_repr, size="2", weight="medium"),
        rx.text(r.object_label, " #", r.object_id, size="1", color=rx.color("gray", 10)),
        spacing="0",
    )
    return rx.cond(r.link != "", rx.link(name, href=r.link, class_name="object-link"), name)


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r.when, size="2"), white_space="nowrap"),
        rx.table.cell(rx.text(r.user, size="2"), rx.text(r.ip_address, size="1", color=rx.color("gray", 10))),
        rx.table.cell(
            rx.match(
                r.action,
                *[(a, rx.badge(t(ACTION_LABELS[a]), color_scheme=c, variant="soft")) for a, c in ACTION_COLORS.items()],
                rx.badge(r.action),
            )
        ),
        rx.table.cell(_object(r), max_width="260px"),
        rx.table.cell(
            rx.vstack(rx.foreach(r.changes, lambda c: _change(c, r.action)), spacing="1"),
            max_width="560px",
        ),
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
