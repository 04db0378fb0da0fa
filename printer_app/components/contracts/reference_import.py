"""The cartridge workbook import of the Cartridges tab: options, the drop zone, and the result."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.i18n import N_
from printer_app.state.contracts.reference_cartridges import UPLOAD_ID
from printer_app.state.contracts.reference_cartridges import CartridgeImportState as S

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _option(name: str, label: str, hint: str) -> rx.Component:
    return rx.text(
        rx.hstack(
            rx.checkbox(checked=getattr(S, name), on_change=lambda v: S.set_option(name, v), id=f"import-{name}"),
            rx.text(t(label), weight="medium"),
            rx.text(t(hint), color=rx.color("gray", 10)),
            spacing="2",
            align="center",
            flex_wrap="wrap",
        ),
        as_="label",
        size="2",
    )


def _result() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.refused != "",
            rx.callout(
                S.refused, icon="triangle-alert", color_scheme="red", width="100%", id="cartridge-import-refused"
            ),
        ),
        rx.cond(
            S.summary != "",
            rx.callout(
                rx.vstack(
                    rx.text(S.summary, id="cartridge-import-summary"),
                    rx.foreach(S.errors, lambda e: rx.text(e, size="1", class_name="import-row-error")),
                    spacing="1",
                ),
                icon=rx.cond(S.errors.length() > 0, "triangle-alert", "check"),
                color_scheme=rx.cond(S.errors.length() > 0, "amber", "green"),
                width="100%",
            ),
        ),
    )


def cartridge_import_card() -> rx.Component:
    return section_card(
        N_("Import cartridges from Excel"),
        rx.text(
            t(
                "Row 1: “ID модели” or “Производитель” + “Модель оборудования”, then “Картридж”; optional "
                "“Артикул”, “Цвет”, “Ресурс”, “Комментарий” (English names work too)."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        _option("primary", N_("Primary"), N_("mark the linked cartridges primary")),
        _option("skip_existing", N_("Skip existing"), N_("leave rows whose model already has the cartridge")),
        _option("dry_run", N_("Dry run"), N_("count what would change, store nothing")),
        rx.upload(
            rx.vstack(
                rx.icon("file-up", size=24, color=rx.color("gray", 10)),
                rx.text(t("Drop an .xlsx file here, or click to choose one"), size="2"),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept={XLSX: [".xlsx"]},
            max_files=1,
            multiple=False,
            on_drop=S.upload,
            border=f"1px dashed {rx.color('gray', 8)}",
            border_radius="8px",
            padding="16px",
            width="100%",
            cursor="pointer",
        ),
        _result(),
        spacing="2",
        id="cartridge-import",
    )
