"""The form of the month upload page: the month, the three options and the drop zone of one .xlsx workbook."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import labelled
from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.components.spinner import spinner
from printer_app.i18n import N_
from printer_app.services.reports.export import XLSX_MIME
from printer_app.state.reports.upload import ReportUploadState as S

UPLOAD_ID = "report-upload-file"


def _options() -> rx.Component:
    return rx.hstack(
        labelled(
            N_("Month"),
            rx.input(type="month", value=S.month, on_change=S.set_month, id="upload-month", width="180px"),
            width="auto",
        ),
        rx.vstack(
            rx.checkbox(
                t("Replace the month (delete its rows first)"),
                checked=S.replace_month,
                on_change=S.set_replace_month,
                id="upload-replace",
            ),
            rx.checkbox(t("Publish the month"), checked=S.publish, on_change=S.set_publish, id="upload-publish"),
            rx.hstack(
                rx.checkbox(
                    t("Allow editing until"), checked=S.allow_edit, on_change=S.set_allow_edit, id="upload-allow-edit"
                ),
                rx.input(
                    type="datetime-local",
                    value=S.edit_until,
                    on_change=S.set_edit_until,
                    disabled=~S.allow_edit,
                    id="upload-edit-until",
                    width="210px",
                ),
                align="center",
                wrap="wrap",
            ),
            spacing="2",
        ),
        spacing="6",
        wrap="wrap",
        align="start",
        width="100%",
    )


def _drop_zone() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=32, color=rx.color("accent", 10)),
            rx.text(
                t("Drop the month's .xlsx workbook here, or click to choose it"), weight="medium", text_align="center"
            ),
            rx.text(
                t("First sheet; the header is its first non-empty row. Nothing is imported before you confirm."),
                size="1",
                color=rx.color("gray", 10),
                text_align="center",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        accept={XLSX_MIME: [".xlsx"]},
        multiple=False,
        max_files=1,
        on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
        disabled=S.reading | S.working,
        border=f"2px dashed {rx.color('accent', 7)}",
        border_radius="10px",
        padding="20px",
        width="100%",
        cursor="pointer",
    )


def form_card() -> rx.Component:
    return section_card(
        N_("Month workbook"),
        _options(),
        rx.cond(S.upload_id == 0, _drop_zone()),
        rx.cond(
            S.reading,
            rx.hstack(spinner(16), rx.text(t("Reading the workbook…"), size="2"), align="center", id="upload-reading"),
        ),
        id="upload-form",
        spacing="4",
    )
