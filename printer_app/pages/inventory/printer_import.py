"""The printers import page `/printers/import` (docs/inventory-and-polling.md §8.5): drop a workbook, check the
preview (rows by class, how each model matched, what an existing printer would change, the errors), then apply."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.spinner import spinner
from printer_app.components.table import pager, search_box
from printer_app.i18n import N_
from printer_app.services.inventory.printer_export import XLSX_MIME
from printer_app.state.inventory.printer_import import ALL, UPLOAD_ID, ImportRowView, PrinterImportState

S = PrinterImportState
CLASSES = (
    (ALL, N_("All"), "gray"),
    ("NEW", N_("New"), "green"),
    ("EXISTING", N_("Existing, will change"), "amber"),
    ("UNCHANGED", N_("Unchanged"), "gray"),
    ("ERROR", N_("Errors"), "red"),
)
TONES = {"NEW": "green", "EXISTING": "amber", "UNCHANGED": "gray", "ERROR": "red"}
MATCH_TONES = {"exact": "green", "spaces": "green", "contains": "amber", "create": "blue", "text": "gray"}


def _drop() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=30, color=rx.color("accent", 10)),
            rx.text(t("Drop an .xlsx workbook here, or click to choose it"), weight="medium", text_align="center"),
            rx.text(
                t(
                    'First row: "№", "Производитель", "Модель оборудования", "Серийный номер", "IP" (and optionally '
                    '"Организация", "Местоположение"); English names are accepted too.'
                ),
                size="1",
                color=rx.color("gray", 10),
                text_align="center",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        accept={XLSX_MIME: [".xlsx"]},
        max_files=1,
        on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
        disabled=S.reading | S.applying,
        border=f"2px dashed {rx.color('accent', 7)}",
        border_radius="10px",
        padding="18px",
        width="100%",
        cursor="pointer",
        class_name="printer-import-drop",
    )


def _chips() -> rx.Component:
    def chip(key: str, label: str, tone: str) -> rx.Component:
        count = rx.cond(key == ALL, S.held, S.counts.get(key, 0))
        return rx.button(
            t(label),
            rx.badge(count, color_scheme=tone, variant="soft"),
            variant=rx.cond(S.row_class == key, "solid", "soft"),
            size="1",
            on_click=S.set_filter("row_class", key),
            class_name="printer-import-chip",
            custom_attrs={"data-class": key, "data-count": count.to_string()},
        )

    return rx.flex(*(chip(*c) for c in CLASSES), wrap="wrap", gap="6px")


def _row(row: rx.Var[ImportRowView]) -> rx.Component:
    match = rx.cond(
        row.match != "",
        rx.vstack(
            rx.badge(row.match, color_scheme=rx.match(row.match_key, *MATCH_TONES.items(), "gray"), variant="soft"),
            rx.text(row.found, size="1"),
            spacing="1",
        ),
    )
    return rx.table.row(
        rx.table.cell(row.number),
        rx.table.cell(row.ip, white_space="nowrap"),
        rx.table.cell(row.serial),
        rx.table.cell(row.model),
        rx.table.cell(match),
        rx.table.cell(row.organization),
        rx.table.cell(rx.badge(row.row_class, color_scheme=rx.match(row.row_class, *TONES.items(), "gray"))),
        rx.table.cell(
            rx.cond(row.errors != "", rx.text(row.errors, color=rx.color("red", 11), size="1")),
            rx.cond(row.changes != "", rx.text(row.changes, size="1")),
        ),
        class_name="printer-import-row",
        custom_attrs={"data-class": row.row_class, "data-row": row.number.to_string()},
    )


def _table() -> rx.Component:
    headers = [N_("Row"), N_("IP"), N_("Serial number"), N_("Model in the file"), N_("Model match")]
    headers += [N_("Organization"), N_("Class"), N_("Changes / errors")]
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(t(h)) for h in headers))),
            rx.table.body(rx.foreach(S.rows, _row)),
            size="1",
            width="100%",
        ),
        class_name="pi-table-wrap",
        width="100%",
        id="printer-import-table",
    )


def _preview() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(tf("{file}: {n} rows read", file=S.file_name, n=S.held), weight="medium", id="printer-import-file"),
            rx.spacer(),
            search_box(S.search, S.set_search, placeholder=t("IP, serial or model"), id="printer-import-search"),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        _chips(),
        _table(),
        pager(S),
        rx.hstack(
            rx.el.label(
                rx.switch(checked=S.create_models, on_change=S.set_create_models, size="1", id="create-models"),
                rx.text(t("Create the manufacturers and models the catalogue lacks"), size="2"),
                class_name="pi-switch-label",
            ),
            rx.spacer(),
            rx.button(
                rx.cond(S.applying, spinner(16), rx.icon("check", size=16)),
                t("Apply"),
                on_click=S.apply,
                disabled=~S.can_apply,
                id="printer-import-apply",
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
        spacing="3",
    )


def printer_import_page() -> rx.Component:
    return page(
        N_("Import printers"),
        _drop(),
        rx.cond(S.reading, rx.hstack(spinner(16), rx.text(tf("Reading {file}…", file=S.file_name), size="2"))),
        rx.cond(
            S.refusal != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert", size=16)),
                rx.callout.text(S.refusal),
                color_scheme="red",
                width="100%",
                id="printer-import-refusal",
            ),
        ),
        rx.cond(
            S.result != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-check", size=16)),
                rx.callout.text(S.result),
                color_scheme="green",
                width="100%",
                id="printer-import-result",
            ),
        ),
        rx.cond(S.held > 0, _preview()),
        actions=rx.link(rx.button(rx.icon("arrow-left", size=16), t("Printers"), variant="soft"), href="/printers"),
    )
