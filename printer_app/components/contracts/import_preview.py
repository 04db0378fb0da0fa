"""The preview of the contract import page: counts per class as filter chips, bulk decisions, the paged row table."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import choice_select
from printer_app.components.i18n import t
from printer_app.components.layout import section_card
from printer_app.components.table import data_table, pager
from printer_app.i18n import N_
from printer_app.models.choices import ImportRowClass
from printer_app.services.contracts.import_preview import COLUMN_LABELS, SHOWN_KEYS
from printer_app.state.contracts.contract_import import ContractImportState as S
from printer_app.state.contracts.import_views import CellView, ChipView, RowView

WRAPPED = ("organization", "address")  # long texts wrap; codes, names and serials stay on one line
COLORS = [(c.value, c.color) for c in ImportRowClass]


def class_color(value) -> rx.Var:
    """The badge colour of a row class (grey for "all")."""
    return rx.match(value, *COLORS, "gray")


def _chip(chip: ChipView) -> rx.Component:
    chosen = S.row_class == chip.value
    return rx.button(
        chip.label,
        rx.badge(chip.count, variant=rx.cond(chosen, "surface", "soft"), color_scheme=class_color(chip.value)),
        variant=rx.cond(chosen, "solid", "soft"),
        color_scheme=class_color(chip.value),
        size="2",
        on_click=S.set_filter("row_class", chip.value),
        class_name="import-chip",
        custom_attrs={"data-class": chip.value, "data-count": chip.count},
    )


def _bulk() -> rx.Component:
    return rx.cond(
        S.editable,
        rx.hstack(
            rx.text(t("Every row of the class"), size="2"),
            choice_select(
                [(c.value, c.label) for c in ImportRowClass if c != ImportRowClass.ERROR],
                S.bulk_class,
                S.set_bulk_class,
                width="190px",
                id="import-bulk-class",
            ),
            rx.button(
                t("Apply all"), size="1", variant="soft", on_click=S.decide_class("apply"), id="import-bulk-apply"
            ),
            rx.button(
                t("Skip all"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=S.decide_class("skip"),
                id="import-bulk-skip",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
    )


def _cell(c: CellView) -> rx.Component:
    return rx.table.cell(
        rx.text(c.value, size="2", white_space=rx.match(c.key, *[(k, "normal") for k in WRAPPED], "nowrap")),
        rx.cond(
            c.changed,
            rx.text(
                rx.cond(c.stored != "", c.stored, "—"),
                size="1",
                color=rx.color("gray", 10),
                text_decoration="line-through",
                class_name="import-stored",
            ),
        ),
        background=rx.cond(c.changed, rx.color("amber", 3), "transparent"),
        class_name=rx.cond(c.changed, "import-cell import-changed", "import-cell"),
        custom_attrs={"data-key": c.key},
    )


def _messages(r: RowView) -> rx.Component:
    def line(tone: str, name: str):
        return lambda m: rx.text(m, size="1", color=rx.color(tone, 11), class_name=name)

    return rx.table.cell(
        rx.foreach(r.errors, line("red", "import-error")),
        rx.foreach(r.warnings, line("amber", "import-warning")),
        min_width="220px",
    )


def _decision(r: RowView) -> rx.Component:
    return rx.table.cell(
        rx.cond(
            r.row_class == ImportRowClass.ERROR.value,
            rx.text("—", color=rx.color("gray", 9)),
            rx.vstack(
                rx.segmented_control.root(
                    rx.segmented_control.item(t("Apply"), value="apply"),
                    rx.segmented_control.item(t("Skip"), value="skip"),
                    value=r.effective,
                    on_change=lambda v: S.decide(r.id, v),
                    disabled=~S.editable,
                    size="1",
                    class_name="import-decision",
                ),
                rx.cond(r.waiting, rx.text(t("Needs a decision"), size="1", color=rx.color("amber", 11))),
                spacing="1",
            ),
        ),
        white_space="nowrap",
    )


def _row(r: RowView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(r.file_name, size="1", color=rx.color("gray", 11), white_space="nowrap"),
            rx.text("#", r.row_number, size="2", weight="medium"),
        ),
        rx.table.cell(rx.badge(r.class_label, color_scheme=class_color(r.row_class), class_name="import-class")),
        _decision(r),
        rx.foreach(r.cells, _cell),
        _messages(r),
        class_name="import-row",
        custom_attrs={"data-class": r.row_class, "data-row": r.row_number, "data-file": r.file_name},
        vertical_align="top",
    )


def preview_card() -> rx.Component:
    headers = [N_("File, row"), N_("Class"), N_("Decision"), *[COLUMN_LABELS[k] for k in SHOWN_KEYS], N_("Messages")]
    return rx.cond(
        S.files.length() > 0,
        section_card(
            N_("Preview"),
            rx.hstack(rx.foreach(S.chips, _chip), wrap="wrap", spacing="2", id="import-chips"),
            _bulk(),
            rx.text(
                t("Stored values are shown struck through under the new ones where a row changes a stored device."),
                size="1",
                color=rx.color("gray", 10),
            ),
            rx.box(
                data_table(headers, S.rows, _row, variant="surface", size="1", id="import-rows"),
                width="100%",
                overflow_x="auto",
            ),
            pager(S),
            id="import-preview",
        ),
    )
