"""Printers list page: filters (in the URL), sortable columns, paging, column chooser, add/edit/delete, poll all.

The table is plain HTML elements styled by assets/app.css (`.pi-table`): a live update re-renders a changed row, and
a row of plain `<td>`s costs the browser far less than one of Radix components with per-cell styles.
"""

from __future__ import annotations

from types import SimpleNamespace

import reflex as rx

from printer_app.components.badges import supply_bar, tone_badge
from printer_app.components.forms import filter_select
from printer_app.components.i18n import t, text
from printer_app.components.inventory.amb_dialog import amb_dialog
from printer_app.components.inventory.poll_all_card import poll_all_progress
from printer_app.components.inventory.printer_actions import CHANGE, DELETE, RUN, can, printer_actions
from printer_app.components.inventory.printer_dialog import delete_dialog, printer_dialog
from printer_app.components.layout import page
from printer_app.components.spinner import spinner
from printer_app.components.table import pager, reset_button, search_box
from printer_app.components.url_sync import url_sync
from printer_app.i18n import N_
from printer_app.state.inventory.printer_form import PrinterFormState
from printer_app.state.inventory.printers import (
    ACTIVE_OPTIONS,
    ALL,
    COLUMNS,
    OPT_IN,
    RULE_OPTIONS,
    STATUS_OPTIONS,
    SUPPLY_BELOW_OPTIONS,
    SUPPLY_OPTIONS,
    PrintersState,
)
from printer_app.state.live.state import LiveState
from printer_app.state.view import PrinterView

S = PrintersState
NUMERIC = {"total", "bw_a4", "color_a4", "bw_a3", "color_a3", "lowest_supply"}
WRAPPED = {"lowest_supply"}  # a long title over short values: on two lines
UNSORTABLE = {"supplies"}


def _visible(column: str, hidden=S.hidden_columns):
    if column in OPT_IN:
        return hidden.split(",").contains(f"+{column}")
    return ~hidden.split(",").contains(column)


def filters() -> rx.Component:
    return filters_bar(
        search=S.search,
        organization=S.organization,
        model=S.model,
        match_rule=S.match_rule,
        status=S.status,
        active=S.active,
        supply_below=S.supply_below,
        supply=S.supply,
        run=S.run,
        org_options=S.org_options,
        model_options=S.model_options,
        level_options=S.supply_below_options,
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
    supply_below: rx.Var[str],
    supply: rx.Var[str],
    run: rx.Var[str],
    org_options: rx.Var[list[list[str]]],
    model_options: rx.Var[list[list[str]]],
    level_options: rx.Var[list[list[str]]],
    hidden: rx.Var[str],
) -> rx.Component:
    """The filters as a memo of their values: a live update of the rows does not re-render them."""
    return rx.hstack(
        search_box(
            search,
            S.set_search,
            placeholder=N_("Organization, model, serial, IP, MAC or location…"),
            id="filter-search",
            width="260px",
        ),
        filter_select(
            S,
            "organization",
            [[ALL, N_("All organizations")], ["none", N_("No organization")]],
            dynamic=org_options,
            value=organization,
            width="180px",
        ),
        filter_select(S, "model", [[ALL, N_("All models")]], dynamic=model_options, value=model, width="200px"),
        filter_select(S, "status", STATUS_OPTIONS, value=status, width="190px"),
        filter_select(
            S, "supply_below", SUPPLY_BELOW_OPTIONS, dynamic=level_options, value=supply_below, width="150px"
        ),
        filter_select(S, "supply", SUPPLY_OPTIONS, value=supply, width="150px"),
        filter_select(S, "match_rule", RULE_OPTIONS, value=match_rule, width="160px"),
        filter_select(S, "active", ACTIVE_OPTIONS, value=active, width="150px"),
        rx.cond(
            run != "",
            rx.button(
                t("Failed in a poll-all run"),
                rx.icon("x", size=14),
                variant="soft",
                color_scheme="red",
                on_click=S.clear_run,
                id="filter-run",
            ),
        ),
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
        "organization": rx.el.span(row.organization, class_name="pi-clip", title=row.organization),
        "ip": rx.link(row.ip_address, href="/printers/" + row.id.to_string(), weight="medium"),
        "serial": rx.fragment(
            rx.el.span(row.serial_number, class_name="pi-mono"),
            rx.cond(row.unverified, tone_badge(t("identity not verifiable"), "amber", name="unverified")),
        ),
        "mac": rx.el.span(row.mac_address, class_name="pi-mono"),
        "model": rx.el.span(row.model, class_name="pi-clip", title=row.model),
        "location": rx.el.span(row.location, class_name="pi-clip", title=row.location),
        "total": rx.fragment(
            rx.cond(row.no_counter, rx.el.span(t("no page counter"), class_name="no-counter pi-muted"), row.total),
            rx.cond(row.last_ok != "", rx.el.span(row.last_ok, class_name="last-ok pi-muted")),
        ),
        "bw_a4": row.bw_a4,
        "color_a4": row.color_a4,
        "bw_a3": row.bw_a3,
        "color_a3": row.color_a3,
        "supplies": rx.cond(
            row.supplies.length() > 0,
            rx.el.span(
                rx.foreach(row.supplies, lambda s: supply_bar(s.color, s.percent, s.label, s.known, s.tone, s.level)),
                class_name="pi-supplies",
            ),
            "—",
        ),
        "lowest_supply": rx.el.span(
            row.lowest_supply, class_name="pi-tone-text-" + row.lowest_tone, title=row.lowest_supply_name
        ),
        "match_rule": row.match_rule,
        "last_poll": row.last_poll,
        "status": tone_badge(row.status_label, row.status_tone, title=row.error),
    }[key]
    return rx.cond(_visible(key, hidden), rx.el.td(content, class_name="pi-num" if key in NUMERIC else None))


def _row(row: PrinterView) -> rx.Component:
    """One printer row; re-rendered only when its printer, its spinner, the columns or the permissions change."""
    return printer_row(
        row=row,
        busy=LiveState.polling_ids.contains(row.id),
        hidden=S.hidden_columns,
        can_run=can(RUN),
        can_change=can(CHANGE),
        can_delete=can(DELETE),
        key=row.id.to_string(),
    )


@rx.memo
def printer_row(
    row: rx.Var[PrinterView],
    busy: rx.Var[bool],
    hidden: rx.Var[str],
    can_run: rx.Var[bool],
    can_change: rx.Var[bool],
    can_delete: rx.Var[bool],
    rest: rx.RestProp,
) -> rx.Component:
    """A memoised row: reads no state var itself, so only a change of its own props re-renders it. React compares
    them shallowly, which suffices: Reflex applies a delta with structural sharing (`replaceEqualDeep` in its
    state.js), so a row whose data did not change keeps its object.

    `rest` only carries React's `key` (the printer id), which keeps each printer's row instance across updates.
    Actions the user may not take are not shown (the server refuses them anyway).
    """
    return rx.el.tr(
        rest,
        *[_cell(key, row, hidden) for key, _ in COLUMNS],
        rx.el.td(
            rx.el.span(
                rx.cond(can_run, poll_button(row.id, busy)),
                rx.cond(
                    can_change,
                    _row_button("pencil", N_("Edit"), PrinterFormState.open_edit(row.id), "edit"),
                ),
                rx.cond(
                    can_delete,
                    _row_button("trash-2", N_("Delete"), PrinterFormState.ask_delete(row.id, row.ip_address), "delete"),
                ),
                class_name="pi-row-actions",
            ),
            class_name="pi-actions",
        ),
        class_name=rx.cond(row.is_active, "printer-row", "printer-row pi-inactive"),
        custom_attrs={"data-ip": row.ip_address},
    )


def _row_button(icon: str, title: str, on_click, name: str) -> rx.Component:
    return rx.el.button(
        rx.icon(icon, size=14),
        on_click=on_click,
        title=text(title),
        aria_label=text(title),
        class_name=f"pi-icon-btn {name}",
    )


def poll_button(printer_id, busy) -> rx.Component:
    """Poll now; a spinner while a poll of this printer runs (in any tab or worker)."""
    return rx.el.button(
        rx.cond(busy, spinner(14), rx.icon("refresh-cw", size=14)),
        disabled=busy,
        on_click=LiveState.poll_now(printer_id),
        title=t("Poll now"),
        aria_label=t("Poll now"),
        class_name="pi-icon-btn poll-now",
    )


@rx.memo
def printers_header(sort: rx.Var[str], descending: rx.Var[bool], hidden: rx.Var[str]) -> rx.Component:
    """The header row as a memo of the sort and the hidden columns: a live update of the rows skips it."""
    sorting = SimpleNamespace(sort=sort, descending=descending)
    return rx.el.thead(
        rx.el.tr(
            *[rx.cond(_visible(key, hidden), _header(label, key, sorting)) for key, label in COLUMNS],
            rx.el.th(class_name="pi-actions"),
        )
    )


def _header(label: str, key: str, sorting) -> rx.Component:
    """A column title; a click sorts by it (again: the other way)."""
    classes = ("pi-num" if key in NUMERIC else "") + (" pi-wrap" if key in WRAPPED else "")
    if key in UNSORTABLE:
        return rx.el.th(t(label), class_name=classes)
    arrow = rx.cond(
        sorting.sort == key,
        rx.icon(rx.cond(sorting.descending, "arrow-down", "arrow-up"), size=13),
        rx.icon("arrow-up-down", size=13, class_name="pi-faint"),
    )
    return rx.el.th(
        rx.el.span(t(label), arrow, class_name="pi-sort"),
        on_click=S.sort_by(key),
        class_name=classes + " pi-sortable",
        id=f"sort-{key}",
    )


def printers_table() -> rx.Component:
    return rx.el.div(
        rx.el.table(
            printers_header(sort=S.sort, descending=S.descending, hidden=S.hidden_columns),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name="pi-table",
        ),
        class_name="pi-table-wrap",
        id="printers-table",
    )


def printers_page() -> rx.Component:
    return page(
        N_("Printers"),
        url_sync(url=S.url),
        poll_all_progress(),
        filters(),
        printers_table(),
        rx.cond(S.total == 0, rx.center(rx.text(t("No printers match these filters.")), padding="24px")),
        pager(S),
        printer_dialog(),
        delete_dialog(),
        amb_dialog(),
        actions=printer_actions(),
    )
