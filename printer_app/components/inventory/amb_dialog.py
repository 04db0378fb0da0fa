"""The "Fill customer report" dialog of the printers page: drop the customer's template, read the summary (rows
filled, serials not found, without a successful poll, found only on a replaced printer), download the filled file."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import FIT
from printer_app.components.i18n import t, tf
from printer_app.components.spinner import spinner
from printer_app.i18n import N_
from printer_app.services.inventory.printer_export import XLSX_MIME
from printer_app.state.inventory.amb import UPLOAD_ID, AmbState

S = AmbState


def _serials(title: str, items, key: str, tone: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.box(
            rx.text(tf(title, n=items.length()), size="2", weight="medium"),
            rx.flex(
                rx.foreach(items, lambda s: rx.badge(s, color_scheme=tone, variant="soft")),
                wrap="wrap",
                gap="4px",
            ),
            id=f"amb-{key}",
            width="100%",
        ),
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check", size=16)),
            rx.callout.text(tf("{file}: rows filled: {n}.", file=S.file_name, n=S.filled)),
            color_scheme=rx.cond(S.filled > 0, "green", "amber"),
            id="amb-filled",
            width="100%",
        ),
        _serials(N_("Serials not found ({n}):"), S.not_found, "not-found", "red"),
        _serials(N_("Found without a successful poll ({n}), left empty:"), S.without_poll, "without-poll", "amber"),
        _serials(N_("Only on a replaced printer ({n}), filled from it:"), S.inactive_only, "inactive", "gray"),
        rx.cond(S.without_serial > 0, rx.text(tf("Rows without a serial number: {n}", n=S.without_serial), size="1")),
        rx.button(rx.icon("download", size=16), t("Download amb_report.xlsx"), on_click=S.download, id="amb-download"),
        width="100%",
        spacing="3",
    )


def amb_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Fill customer report")),
            rx.dialog.description(
                t(
                    "Drop the customer's .xlsx template: the counters of the last successful poll of each serial go "
                    "into its end-of-period columns and the poll's date into a new last column."
                ),
                size="2",
            ),
            rx.upload(
                rx.vstack(
                    rx.icon("file-spreadsheet", size=28, color=rx.color("accent", 10)),
                    rx.text(t("Drop the template here, or click to choose it"), size="2", text_align="center"),
                    align="center",
                    spacing="1",
                ),
                id=UPLOAD_ID,
                accept={XLSX_MIME: [".xlsx"]},
                max_files=1,
                on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                disabled=S.reading,
                border=f"2px dashed {rx.color('accent', 7)}",
                border_radius="10px",
                padding="16px",
                width="100%",
                cursor="pointer",
                margin_y="12px",
                class_name="amb-drop",
            ),
            rx.cond(S.reading, rx.hstack(spinner(16), rx.text(tf("Reading {file}…", file=S.file_name), size="2"))),
            rx.cond(
                S.refusal != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert", size=16)),
                    rx.callout.text(S.refusal),
                    color_scheme="red",
                    id="amb-refusal",
                    width="100%",
                ),
            ),
            rx.cond(S.ready, _summary()),
            rx.flex(
                rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", id="amb-close")),
                justify="end",
                margin_top="12px",
            ),
            style=FIT,
            max_width="640px",
        ),
        open=S.open,
        on_open_change=S.set_open,
    )
