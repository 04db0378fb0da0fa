"""The month list: a sortable table on a wide screen, a card per month on a phone; each month's actions appear only
for the permissions they need (the handlers check again)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.table import row_icon_button, sort_header
from printer_app.i18n import N_
from printer_app.state.reports.access import DELETE_MONTH, METRICS, SYNC, UPLOAD, VISIBILITY
from printer_app.state.reports.months import MonthsState, MonthView
from printer_app.state.session import SessionState

S = MonthsState
WIDE = rx.breakpoints(initial="none", md="block")
NARROW = rx.breakpoints(initial="flex", md="none")


def can(permission: str) -> rx.Var[bool]:
    return SessionState.permissions.contains(permission)


def _published(row: rx.Var[MonthView], prefix: str) -> rx.Component:
    badge = rx.badge(
        rx.cond(row.published, t("Published"), t("Hidden")),
        color_scheme=rx.cond(row.published, "green", "gray"),
        variant="soft",
    )
    return rx.cond(
        can(VISIBILITY),
        rx.el.label(
            rx.switch(
                checked=row.published,
                on_change=lambda value: S.set_published(row.key, value),
                size="1",
                id=f"{prefix}publish-" + row.key,
            ),
            badge,
            class_name="pi-switch-label",
        ),
        badge,
    )


def _auto_sync(row: rx.Var[MonthView], prefix: str) -> rx.Component:
    label = rx.text(rx.cond(row.auto_sync, t("Auto-sync on"), t("Auto-sync off")), size="1")
    return rx.cond(
        can(SYNC),
        rx.el.label(
            rx.switch(
                checked=row.auto_sync,
                on_change=lambda value: S.set_auto_sync(row.key, value),
                size="1",
                id=f"{prefix}autosync-" + row.key,
            ),
            label,
            class_name="pi-switch-label",
        ),
        label,
    )


def _edit_until(row: rx.Var[MonthView], prefix: str) -> rx.Component:
    return rx.hstack(
        rx.text(
            row.edit_until_text,
            size="1",
            color=rx.cond(row.editable, rx.color("green", 11), rx.color("gray", 11)),
            white_space="nowrap",
        ),
        rx.cond(
            can(UPLOAD),
            row_icon_button(
                "calendar-clock", N_("Editable until"), S.open_edit_until(row.key), id=f"{prefix}edit-until-" + row.key
            ),
        ),
        align="center",
        spacing="1",
    )


def _actions(row: rx.Var[MonthView], prefix: str) -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.button(rx.icon("table-2", size=14), t("Open report"), size="1", variant="soft", white_space="nowrap"),
            href="/reports/" + row.key,
            id=f"{prefix}open-" + row.key,
        ),
        rx.cond(
            can(UPLOAD),
            rx.link(
                row_icon_button("upload", N_("Upload"), rx.noop(), id=f"{prefix}upload-" + row.key),
                href="/reports/upload?month=" + row.key,
            ),
        ),
        rx.icon_button(
            rx.icon("download", size=14),
            variant="ghost",
            size="1",
            loading=S.exporting == row.key,
            on_click=S.export(row.key),
            title=t("Export"),
            id=f"{prefix}export-" + row.key,
        ),
        rx.cond(
            can(DELETE_MONTH),
            row_icon_button(
                "trash-2", N_("Delete"), S.ask_delete(row.key), color_scheme="red", id=f"{prefix}delete-" + row.key
            ),
        ),
        spacing="2",
        align="center",
    )


def _metrics(row: rx.Var[MonthView]) -> rx.Component:
    """Completion, auto-fill potential and auto-filled, one per line (a column each would widen the table)."""

    def line(label: str, value) -> rx.Component:
        return rx.hstack(
            rx.text(t(label), size="1", color=rx.color("gray", 11)),
            rx.text(value, size="1", weight="medium"),
            spacing="1",
            white_space="nowrap",
        )

    return rx.vstack(
        line(N_("Completion"), row.completion_text),
        line(N_("Auto-fill potential"), row.potential_text),
        line(N_("Auto-filled"), row.actual_text),
        spacing="0",
    )


def _status(row: rx.Var[MonthView], prefix: str) -> rx.Component:
    return rx.vstack(_edit_until(row, prefix), _published(row, prefix), _auto_sync(row, prefix), spacing="1")


def _row(row: rx.Var[MonthView]) -> rx.Component:
    def right(value) -> rx.Component:
        return rx.table.cell(value, text_align="right", white_space="nowrap")

    return rx.table.row(
        rx.table.cell(rx.link(row.label, href="/reports/" + row.key, weight="medium"), white_space="nowrap"),
        right(row.rows_text),
        right(row.organizations),
        right(row.total_text),
        right(row.avg_k1_text + " / " + row.avg_k2_text),
        rx.cond(can(METRICS), rx.table.cell(_metrics(row))),
        rx.table.cell(_status(row, "")),
        rx.table.cell(_actions(row, "")),
        id="month-" + row.key,
    )


def months_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    sort_header(N_("Month"), "month", S),
                    sort_header(N_("Rows"), "rows", S, align="right"),
                    sort_header(N_("Organizations"), "organizations", S, align="right"),
                    sort_header(N_("Total prints"), "total_prints", S, align="right"),
                    sort_header(N_("Average K1 / K2"), "avg_k1", S, align="right"),
                    rx.cond(can(METRICS), sort_header(N_("Metrics"), "completion", S)),
                    rx.table.column_header_cell(t("Status")),
                    rx.table.column_header_cell(t("Actions")),
                )
            ),
            rx.table.body(rx.foreach(S.shown, _row)),
            size="1",
            width="100%",
            id="months-table",
        ),
        overflow_x="auto",
        width="100%",
        display=WIDE,
    )


def _figure(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(t(label), size="1", color=rx.color("gray", 11)),
        rx.text(value, size="2", weight="medium"),
        spacing="0",
    )


def _card(row: rx.Var[MonthView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(rx.heading(row.label, size="3"), href="/reports/" + row.key),
            rx.grid(
                _figure(N_("Rows"), row.rows_text),
                _figure(N_("Organizations"), row.organizations),
                _figure(N_("Total prints"), row.total_text),
                _figure(N_("Average K1"), row.avg_k1_text),
                _figure(N_("Average K2"), row.avg_k2_text),
                rx.cond(can(METRICS), _figure(N_("Completion"), row.completion_text)),
                rx.cond(can(METRICS), _figure(N_("Auto-fill potential"), row.potential_text)),
                rx.cond(can(METRICS), _figure(N_("Auto-filled"), row.actual_text)),
                columns="3",
                spacing="3",
                width="100%",
            ),
            _edit_until(row, "card-"),
            rx.hstack(_published(row, "card-"), _auto_sync(row, "card-"), spacing="3", flex_wrap="wrap"),
            _actions(row, "card-"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="card-month-" + row.key,
    )


def months_cards() -> rx.Component:
    return rx.vstack(rx.foreach(S.shown, _card), width="100%", spacing="3", display=NARROW)
