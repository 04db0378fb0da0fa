"""Printers list page: filters, sortable columns, paging, column chooser, add/edit/delete."""

from __future__ import annotations

from types import SimpleNamespace

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import FunctionStringVar, VarData

from printer_app.components.badges import status_badge, supply_bar
from printer_app.components.forms import filter_select
from printer_app.components.i18n import t, tf
from printer_app.components.inventory.printer_dialog import delete_dialog, printer_dialog
from printer_app.components.layout import page
from printer_app.components.spinner import spinner
from printer_app.components.table import pager, reset_button, row_icon_button, search_box, sort_header
from printer_app.i18n import N_
from printer_app.state.inventory.printer_form import PrinterFormState
from printer_app.state.inventory.printers import (
    ACTIVE_OPTIONS,
    ALL,
    COLUMNS,
    RULE_OPTIONS,
    STATUS_OPTIONS,
    PrintersState,
)
from printer_app.state.live.state import LiveState
from printer_app.state.view import PrinterView

S = PrintersState
NUMERIC = {"total", "bw_a4", "color_a4", "bw_a3", "color_a3"}


def _visible(column: str, hidden=S.hidden_columns):
    return ~hidden.split(",").contains(column)


# React.memo with a deep comparison: every state delta brings fresh row objects (parsed JSON), so the default
# shallow comparison would see every row change. Rows are small; comparing their JSON is far cheaper than
# re-rendering them.
_ROW_MEMO = FunctionStringVar.create(
    "((c) => memo(c, (a, b) => JSON.stringify(a) === JSON.stringify(b)))",
    _var_data=VarData(imports={"react": [ImportVar(tag="memo")]}),
)


def filters() -> rx.Component:
    return filters_bar(
        search=S.search,
        organization=S.organization,
        model=S.model,
        match_rule=S.match_rule,
        status=S.status,
        active=S.active,
        org_options=S.org_options,
        model_options=S.model_options,
        hidden=S.hidden_columns,
    )


@rx.memo
def filters_bar(
    search: rx.Var[str],
    organization: rx.Var[str],
    model: rx.Var[str],
    match_rule: rx.Var[str],
    status: rx.Var[str],
    active: rx.Var[str],
    org_options: rx.Var[list[list[str]]],
    model_options: rx.Var[list[list[str]]],
    hidden: rx.Var[str],
) -> rx.Component:
    """The filters as a memo of their values: a live update of the rows does not re-render them."""
    return rx.hstack(
        search_box(search, S.set_search, placeholder=N_("IP or serial contains…"), id="filter-search", width="220px"),
        filter_select(
            S,
            "organization",
            [[ALL, N_("All organizations")], ["none", N_("No organization")]],
            dynamic=org_options,
            value=organization,
            width="180px",
        ),
        filter_select(S, "model", [[ALL, N_("All models")]], dynamic=model_options, value=model, width="220px"),
        filter_select(S, "match_rule", RULE_OPTIONS, value=match_rule, width="160px"),
        filter_select(S, "status", STATUS_OPTIONS, value=status),
        filter_select(S, "active", ACTIVE_OPTIONS, value=active),
        reset_button(S.reset_filters, search_id="filter-search", id="filter-reset"),
        rx.spacer(),
        column_chooser(hidden),
        wrap="wrap",
        width="100%",
        spacing="2",
    )


def column_chooser(hidden) -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("columns-3", size=16), t("Columns"), variant="soft", id="columns")),
        rx.popover.content(
            rx.vstack(
                *[
                    rx.checkbox(
                        t(label),
                        checked=_visible(key, hidden),
                        on_change=lambda _v, k=key: S.toggle_column(k),
                        id=f"col-{key}",
                    )
                    for key, label in COLUMNS
                ],
                spacing="2",
            ),
        ),
    )


def _cell(key: str, row: rx.Var[PrinterView], hidden: rx.Var[str]) -> rx.Component:
    content = {
        "organization": rx.text(row.organization, max_width="200px", overflow="hidden", text_overflow="ellipsis"),
        "ip": rx.link(row.ip_address, href="/printers/" + row.id.to_string(), weight="medium"),
        "serial": rx.hstack(
            rx.code(row.serial_number, variant="ghost"),
            rx.cond(
                row.unverified,
                rx.badge(t("identity not verifiable"), color_scheme="amber", variant="soft", class_name="unverified"),
            ),
            spacing="2",
            align="center",
        ),
        "mac": rx.code(row.mac_address, variant="ghost"),
        "model": rx.text(row.model, max_width="220px", overflow="hidden", text_overflow="ellipsis"),
        "total": rx.cond(
            row.no_counter,
            rx.text(t("no page counter"), size="1", color=rx.color("gray", 10), class_name="no-counter"),
            rx.text(row.total),
        ),
        "bw_a4": rx.text(row.bw_a4),
        "color_a4": rx.text(row.color_a4),
        "bw_a3": rx.text(row.bw_a3),
        "color_a3": rx.text(row.color_a3),
        "supplies": rx.hstack(
            rx.foreach(row.supplies, lambda s: supply_bar(s.color, s.percent, s.label, s.known, s.tone)), spacing="1"
        ),
        "match_rule": rx.text(row.match_rule),
        "last_poll": rx.text(row.last_poll, white_space="nowrap"),
        "status": status_badge(row.status, row.error),
    }[key]
    return rx.cond(
        _visible(key, hidden),
        rx.table.cell(content, text_align="right" if key in NUMERIC else "left", white_space="nowrap"),
    )


def _row(row: PrinterView) -> rx.Component:
    """One printer row; re-rendered only when its printer, its spinner or the visible columns change."""
    return printer_row(
        row=row, busy=LiveState.polling_ids.contains(row.id), hidden=S.hidden_columns, key=row.id.to_string()
    )


@rx.memo(wrapper=_ROW_MEMO)
def printer_row(row: rx.Var[PrinterView], busy: rx.Var[bool], hidden: rx.Var[str], rest: rx.RestProp) -> rx.Component:
    """A memoised row: reads no state var itself, so only a change of its own props re-renders it.

    `rest` only carries React's `key` (the printer id), which keeps each printer's row instance across updates.
    """
    return rx.table.row(
        rest,
        *[_cell(key, row, hidden) for key, _ in COLUMNS],
        rx.table.cell(
            rx.hstack(
                poll_button(row.id, busy),
                row_icon_button("pencil", N_("Edit"), PrinterFormState.open_edit(row.id)),
                row_icon_button(
                    "trash-2", N_("Delete"), PrinterFormState.ask_delete(row.id, row.ip_address), color_scheme="red"
                ),
                spacing="1",
            )
        ),
        opacity=rx.cond(row.is_active, "1", "0.55"),
        class_name="printer-row",
        custom_attrs={"data-ip": row.ip_address},
    )


def poll_button(printer_id, busy) -> rx.Component:
    """Poll now; a spinner while a poll of this printer runs (in any tab or worker)."""
    return rx.icon_button(
        rx.cond(busy, spinner(14), rx.icon("refresh-cw", size=14)),
        variant="ghost",
        size="1",
        disabled=busy,
        on_click=LiveState.poll_now(printer_id),
        title=t("Poll now"),
        class_name="poll-now",
    )


def poll_all_progress() -> rx.Component:
    """The latest poll-all run, live in every open tab."""
    return rx.cond(
        LiveState.batch_total > 0,
        rx.card(
            rx.hstack(
                rx.cond(LiveState.batch_running, spinner(16), rx.icon("circle-check", color="green")),
                rx.text(
                    rx.cond(LiveState.batch_running, t("Polling all printers"), t("Last poll of all printers")),
                    weight="medium",
                    size="2",
                ),
                rx.progress(value=LiveState.batch_percent, max=100, width="320px", id="poll-all-bar"),
                rx.text(
                    LiveState.batch_done.to_string() + " / " + LiveState.batch_total.to_string(),
                    size="2",
                    id="poll-all-count",
                ),
                rx.text(
                    tf("{n} failed", n=LiveState.batch_failed),
                    size="2",
                    color=rx.color("red", 11),
                    id="poll-all-failed",
                ),
                align="center",
                spacing="3",
            ),
            width="100%",
            size="1",
        ),
    )


@rx.memo
def printers_header(sort: rx.Var[str], descending: rx.Var[bool], hidden: rx.Var[str]) -> rx.Component:
    """The header row as a memo of the sort and the hidden columns: a live update of the rows skips it."""
    sorting = SimpleNamespace(sort=sort, descending=descending, sort_by=S.sort_by)
    headers = [
        rx.cond(_visible(key, hidden), sort_header(label, key, sorting, align="right" if key in NUMERIC else "left"))
        if key != "supplies"
        else rx.cond(_visible(key, hidden), rx.table.column_header_cell(t(label)))
        for key, label in COLUMNS
    ]
    return rx.table.header(rx.table.row(*headers, rx.table.column_header_cell("")))


def printers_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            printers_header(sort=S.sort, descending=S.descending, hidden=S.hidden_columns),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="surface",
            size="1",
            width="100%",
            id="printers-table",
        ),
        overflow_x="auto",
        width="100%",
    )


def printers_page() -> rx.Component:
    return page(
        N_("Printers"),
        poll_all_progress(),
        filters(),
        printers_table(),
        rx.cond(S.total == 0, rx.center(rx.text(t("No printers match these filters.")), padding="24px")),
        pager(S),
        printer_dialog(),
        delete_dialog(),
        actions=rx.hstack(
            rx.button(
                rx.icon("radar", size=16),
                t("Poll all"),
                variant="soft",
                on_click=LiveState.poll_all,
                disabled=LiveState.batch_running,
                id="poll-all",
            ),
            rx.button(rx.icon("plus", size=16), t("Add printer"), on_click=PrinterFormState.open_new, id="add-printer"),
        ),
    )
