"""The upload card of the contract import page: the drop zone, the files read into the session, the refusals."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.layout import section_card
from printer_app.components.spinner import spinner
from printer_app.components.table import row_icon_button
from printer_app.i18n import N_
from printer_app.state.contracts.contract_import import ContractImportState as S
from printer_app.state.contracts.import_apply import XLSX
from printer_app.state.contracts.import_views import FileView

UPLOAD_ID = "contract-import-upload"


def _drop_zone() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=32, color=rx.color("accent", 10)),
            rx.text(t("Drop .xlsx workbooks here, or click to choose them"), weight="medium", text_align="center"),
            rx.text(
                t("The header must be the first row. Several files may go into one import."),
                size="1",
                color=rx.color("gray", 10),
                text_align="center",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        accept={XLSX: [".xlsx"]},
        multiple=True,
        max_files=20,
        on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID, on_upload_progress=S.upload_progress)),
        disabled=S.uploading | (S.reading != ""),
        border=f"2px dashed {rx.color('accent', 7)}",
        border_radius="10px",
        padding="20px",
        width="100%",
        cursor="pointer",
        class_name="import-drop",
    )


def _busy() -> rx.Component:
    return rx.cond(
        S.uploading | (S.reading != ""),
        rx.hstack(
            spinner(16),
            rx.cond(
                S.reading != "",
                rx.text(tf("Reading {file}…", file=S.reading), size="2"),
                rx.text(tf("Uploading… {percent} %", percent=S.upload_percent), size="2"),
            ),
            rx.progress(value=rx.cond(S.reading != "", 100, S.upload_percent), max=100, width="200px"),
            align="center",
            wrap="wrap",
            id="import-busy",
        ),
    )


def _file(f: FileView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("file-spreadsheet", size=16),
            rx.text(f.name, weight="medium", class_name="import-file-name", word_break="break-all"),
            rx.badge(f.rows, color_scheme="gray", class_name="import-file-rows"),
            rx.spacer(),
            rx.cond(S.editable, row_icon_button("trash-2", N_("Remove file"), S.remove_file(f.id), color_scheme="red")),
            align="center",
            width="100%",
        ),
        rx.text(
            t("Recognised: "),
            rx.foreach(f.recognised, lambda h: rx.badge(h, variant="soft", margin_right="4px")),
            size="1",
        ),
        rx.cond(
            f.ignored.length() > 0,
            rx.text(
                t("Ignored: "),
                rx.foreach(f.ignored, lambda h: rx.badge(h, color_scheme="gray", margin_right="4px")),
                size="1",
                class_name="import-file-ignored",
            ),
        ),
        padding="8px 10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        class_name="import-file",
        custom_attrs={"data-name": f.name},
    )


def _refusals() -> rx.Component:
    return rx.cond(
        S.refusals.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(t("Not read (nothing of these files was stored):"), weight="medium"),
                rx.foreach(S.refusals, lambda m: rx.text(m, size="2", class_name="import-refusal")),
                spacing="1",
            ),
            icon="triangle-alert",
            color_scheme="red",
            width="100%",
            id="import-refusals",
        ),
    )


def upload_card() -> rx.Component:
    return section_card(
        N_("Workbooks"),
        rx.cond(S.editable, _drop_zone()),
        _busy(),
        _refusals(),
        rx.foreach(S.files, _file),
        id="import-upload",
    )
