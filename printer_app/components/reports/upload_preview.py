"""The preview of an analysed month workbook: rows read, recognised and ignored columns, rows with problems,
unknown organizations; then Import, its progress and its outcome."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.components.spinner import spinner
from printer_app.i18n import N_
from printer_app.state.reports.upload import ColumnView, ProblemView, UnknownView
from printer_app.state.reports.upload import ReportUploadState as S


def _columns() -> rx.Component:
    def line(c: ColumnView) -> rx.Component:
        return rx.table.row(
            rx.table.cell(c.label),
            rx.table.cell("←", color=rx.color("gray", 9)),
            rx.table.cell(rx.code(c.header), class_name="upload-header"),
            custom_attrs={"data-field": c.field},
        )

    return rx.vstack(
        rx.text(t("Recognised columns"), weight="medium"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("Field")),
                        rx.table.column_header_cell(""),
                        rx.table.column_header_cell(t("Header in the file")),
                    )
                ),
                rx.table.body(rx.foreach(S.columns, line)),
                size="1",
                width="auto",
                id="upload-columns",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            S.ignored.length() > 0,
            rx.text(
                t("Ignored columns: "),
                rx.foreach(S.ignored, lambda h: rx.badge(h, color_scheme="gray", margin_right="4px")),
                size="1",
                id="upload-ignored",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _problems() -> rx.Component:
    def line(p: ProblemView) -> rx.Component:
        return rx.table.row(rx.table.cell(p.row), rx.table.cell(p.message), class_name="upload-problem")

    return rx.cond(
        S.problems.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(t("Rows with problems (imported as described):"), weight="medium"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(rx.table.column_header_cell(t("Row")), rx.table.column_header_cell(t("Problem")))
                    ),
                    rx.table.body(rx.foreach(S.problems, line)),
                    size="1",
                ),
                rx.cond(S.more_problems != "", rx.text(S.more_problems, size="1")),
                spacing="1",
                width="100%",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            width="100%",
            id="upload-problems",
        ),
    )


def _refusal() -> rx.Component:
    def unknown(u: UnknownView) -> rx.Component:
        return rx.text(
            rx.text.strong(u.name),
            rx.cond(u.hints != "", rx.text.span(" — ", t("did you mean: "), u.hints, color=rx.color("gray", 11))),
            size="2",
            class_name="upload-unknown",
        )

    return rx.cond(
        S.refusal != "",
        rx.callout(
            rx.vstack(
                rx.text(t("This file cannot be imported:"), weight="medium"),
                rx.text(S.refusal, size="2", id="upload-refusal-text"),
                rx.foreach(S.unknown, unknown),
                spacing="1",
            ),
            icon="circle-x",
            color_scheme="red",
            width="100%",
            id="upload-refusal",
        ),
    )


def _import() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.button(
                rx.icon("upload", size=16),
                t("Import"),
                on_click=S.import_month,
                disabled=~S.can_import,
                id="upload-import",
            ),
            rx.button(
                rx.icon("rotate-ccw", size=16),
                t("Another file"),
                variant="soft",
                on_click=S.start_over,
                disabled=S.working,
                id="upload-again",
            ),
            rx.cond(
                (S.refusal != "") & (S.upload_id > 0),
                rx.text(t("Import is disabled until the file can be imported."), size="2", color=rx.color("red", 11)),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.working,
            rx.hstack(
                spinner(16),
                rx.progress(value=S.percent, max=100, width=rx.breakpoints(initial="100%", sm="320px")),
                rx.text(rx.cond(S.done > 0, S.progress_text, t("Waiting for a worker…")), size="2"),
                align="center",
                wrap="wrap",
                width="100%",
                id="upload-progress",
            ),
        ),
        rx.cond(
            S.error != "",
            rx.callout(
                t("The import failed; nothing was stored: ") + S.error,
                icon="circle-x",
                color_scheme="red",
                width="100%",
                id="upload-error",
            ),
        ),
        rx.cond(
            S.result_text != "",
            rx.callout(
                rx.vstack(
                    rx.text(S.result_text, id="upload-result-text"),
                    rx.link(t("Open the month"), href=S.month_link, id="upload-month-link"),
                    spacing="1",
                ),
                icon="circle-check",
                color_scheme="green",
                width="100%",
                id="upload-result",
            ),
        ),
        spacing="3",
        width="100%",
    )


def preview_card() -> rx.Component:
    return rx.cond(
        (S.upload_id > 0) | (S.refusal != ""),
        section_card(
            N_("Preview"),
            rx.hstack(
                rx.icon("file-spreadsheet", size=16),
                rx.text(S.file_name, weight="medium", word_break="break-all"),
                rx.cond(S.upload_id > 0, rx.badge(S.rows_text, color_scheme="gray", id="upload-rows")),
                align="center",
                wrap="wrap",
            ),
            _refusal(),
            rx.cond(S.upload_id > 0, _import()),
            _problems(),
            rx.cond(S.columns.length() > 0, _columns()),
            id="upload-preview",
            spacing="3",
        ),
    )
