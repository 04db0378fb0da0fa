"""The month's bulk operation log: a sortable table on a wide screen (scrolling sideways when narrow), a card per
operation on a phone; each shows who, when, how long, the outcome, the rows and fields touched and its parameters."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import filter_select
from printer_app.components.i18n import t, tf
from printer_app.components.table import sort_header
from printer_app.i18n import N_
from printer_app.models.choices import BulkOperation
from printer_app.state.reports.month_log import ALL, LogView, MonthLogState

S = MonthLogState
WIDE = rx.breakpoints(initial="none", md="block")
NARROW = rx.breakpoints(initial="flex", md="none")
OPERATION_OPTIONS = [[ALL, N_("All operations")], *([value, label] for value, label in BulkOperation.options())]
COLORS = {"excel_upload": "green", "bulk_sync": "violet", "bulk_edit": "blue", "month_delete": "red"}


def operation_filter() -> rx.Component:
    return filter_select(S, "operation", OPERATION_OPTIONS, width="190px")


def _operation(entry: rx.Var[LogView]) -> rx.Component:
    return rx.match(
        entry.operation,
        *[(value, rx.badge(entry.operation_label, color_scheme=c, variant="soft")) for value, c in COLORS.items()],
        rx.badge(entry.operation_label, variant="soft"),
    )


def _outcome(entry: rx.Var[LogView]) -> rx.Component:
    return rx.cond(
        entry.success,
        rx.badge(rx.icon("check", size=12), t("Succeeded"), color_scheme="green", variant="soft"),
        rx.vstack(
            rx.badge(rx.icon("x", size=12), t("Failed"), color_scheme="red", variant="soft"),
            rx.text(entry.error, size="1", color=rx.color("red", 11), class_name="log-error"),
            spacing="1",
        ),
    )


def _lines(items: rx.Var[list[str]], class_name: str) -> rx.Component:
    return rx.vstack(rx.foreach(items, lambda line: rx.text(line, size="1")), spacing="0", class_name=class_name)


def _time(entry: rx.Var[LogView]) -> rx.Component:
    return rx.vstack(
        rx.text(entry.started, size="2", white_space="nowrap"),
        rx.cond(
            entry.finished != "",
            rx.text(tf("done in {duration}", duration=entry.duration), size="1", color=rx.color("gray", 11)),
        ),
        spacing="0",
    )


def _row(entry: rx.Var[LogView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_time(entry)),
        rx.table.cell(_operation(entry)),
        rx.table.cell(rx.text(entry.user, size="2"), rx.text(entry.ip, size="1", color=rx.color("gray", 10))),
        rx.table.cell(_outcome(entry), max_width="240px"),
        rx.table.cell(rx.text(entry.records, size="2"), text_align="right"),
        rx.table.cell(rx.text(entry.fields.join(", "), size="1"), max_width="220px"),
        rx.table.cell(_lines(entry.params, "log-params"), max_width="320px"),
        class_name="log-entry",
    )


def log_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    sort_header(N_("Started"), "started", S),
                    sort_header(N_("Operation"), "operation", S),
                    sort_header(N_("User"), "user", S),
                    rx.table.column_header_cell(t("Outcome")),
                    sort_header(N_("Rows"), "records", S, align="right"),
                    rx.table.column_header_cell(t("Fields")),
                    rx.table.column_header_cell(t("Details")),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            size="1",
            width="100%",
            variant="surface",
            id="log-table",
        ),
        overflow_x="auto",
        width="100%",
        display=WIDE,
    )


def _card(entry: rx.Var[LogView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(_operation(entry), rx.spacer(), _outcome(entry), width="100%", align="start"),
            _time(entry),
            rx.text(entry.user, " · ", tf("Rows: {n}", n=entry.records), size="2"),
            rx.cond(entry.fields.length() > 0, rx.text(entry.fields.join(", "), size="1")),
            _lines(entry.params, "log-params"),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="log-card",
    )


def log_cards() -> rx.Component:
    return rx.vstack(rx.foreach(S.rows, _card), width="100%", spacing="2", display=NARROW, id="log-cards")
