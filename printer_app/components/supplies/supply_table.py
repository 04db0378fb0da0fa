"""The supplies table: plain elements styled by assets/app.css (`.pi-table`), as the printers table; a row can be
chosen for the cartridge request."""

from __future__ import annotations

import reflex as rx

from printer_app.components.badges import supply_bar
from printer_app.components.i18n import t
from printer_app.i18n import N_
from printer_app.state.supplies.fleet import SuppliesState
from printer_app.state.supplies.views import SupplyRowView

S = SuppliesState
COLUMNS = [  # key, label, sort key ("" not sortable)
    ("printer", N_("Printer"), "printer"),
    ("organization", N_("Organization"), "organization"),
    ("supply", N_("Supply"), "supply"),
    ("level", N_("Level"), "level"),
    ("days", N_("Days to empty"), "days"),
    ("pages_last", N_("Pages, last cartridge"), "pages_last"),
    ("pages_avg", N_("Pages, average"), "pages_avg"),
    ("part", N_("Part number"), "part"),
]
NUMERIC = {"pages_last", "pages_avg"}


def _clip(value, **props) -> rx.Component:
    return rx.el.span(value, class_name="pi-clip", title=value, **props)


def _cell(key: str, row: rx.Var[SupplyRowView]) -> rx.Component:
    content = {
        "printer": rx.el.div(
            rx.link(row.printer, href="/printers/" + row.printer_id.to_string(), class_name="supply-printer"),
            rx.el.span(row.model, class_name="pi-sub", title=row.model),
        ),
        "organization": _clip(row.organization),
        "supply": rx.el.div(
            rx.el.div(row.supply), rx.el.span(row.description, class_name="pi-sub", title=row.description)
        ),
        "level": supply_bar(row.bar.color, row.bar.percent, row.bar.label, row.bar.known, row.bar.tone, row.bar.level),
        "days": rx.el.span(
            row.days,
            class_name="supply-days pi-tone-text-" + row.days_tone,
            title=rx.cond(row.pages_to_empty != "", row.pages_to_empty + " " + t("pages to empty"), ""),
        ),
        "pages_last": row.pages_last,
        "pages_avg": row.pages_avg,
        "part": rx.cond(
            row.part != "",
            rx.el.span(row.part, class_name="pi-mono supply-part", title=row.cartridge),
            rx.el.span("—", class_name="pi-faint"),
        ),
    }[key]
    return rx.el.td(content, class_name="pi-num" if key in NUMERIC else None)


def _row(row: rx.Var[SupplyRowView]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.el.input(
                type="checkbox",
                checked=S.selected.contains(row.id),
                on_change=lambda _v: S.toggle_selected(row.id),
                aria_label=t("Choose for the cartridge request"),
                class_name="supply-pick",
            ),
        ),
        *[_cell(key, row) for key, _label, _sort in COLUMNS],
        class_name="supply-row",
        custom_attrs={"data-printer": row.printer, "data-supply": row.supply},
        key=row.id.to_string(),
    )


def _header(label: str, key: str) -> rx.Component:
    arrow = rx.cond(
        S.sort == key,
        rx.icon(rx.cond(S.descending, "arrow-down", "arrow-up"), size=13),
        rx.icon("arrow-up-down", size=13, class_name="pi-faint"),
    )
    return rx.el.th(
        rx.el.span(t(label), arrow, class_name="pi-sort"),
        on_click=S.sort_by(key),
        class_name=("pi-num " if key in NUMERIC else "") + "pi-sortable",
        id=f"sort-{key}",
    )


def supplies_table() -> rx.Component:
    return rx.el.div(
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th(), *[_header(label, sort) for _key, label, sort in COLUMNS])),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name="pi-table",
        ),
        class_name="pi-table-wrap",
        id="supplies-table",
    )
