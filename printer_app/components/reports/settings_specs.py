"""The "Model specs" tab of `/reports/settings`: toolbar (search, colour / format / enforce filters, Add), the
PrinterModelSpec table with the rows of open months using each spec, the add / edit dialog and the delete question.
Buttons show only with `upload_monthly_report`."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import confirm_dialog, form_dialog
from printer_app.components.forms import choice_select, filter_select, labelled
from printer_app.components.i18n import t
from printer_app.components.table import data_table, more_filters, pager, row_icon_button, search_box, sort_header
from printer_app.i18n import N_
from printer_app.models.choices import PaperFormat
from printer_app.state.reports.settings_specs import SpecsState as S
from printer_app.state.reports.settings_specs import SpecView

KIND_OPTIONS = [("color", N_("Colour")), ("mono", N_("Mono"))]
FORMAT_OPTIONS = [(f.value, f.label) for f in PaperFormat]
YES_NO = [("true", N_("Yes")), ("false", N_("No"))]


def _yes_no(value) -> rx.Component:
    return rx.cond(value, rx.icon("check", size=16), rx.text("—", size="2"))


def _actions(row: rx.Var[SpecView]) -> rx.Component:
    return rx.cond(
        S.can_edit,
        rx.hstack(
            row_icon_button("pencil", N_("Edit"), S.open_edit(row.id), class_name="spec-edit"),
            row_icon_button(
                "trash-2",
                N_("Delete"),
                S.ask_delete(row.id, row.model_name),
                color_scheme="red",
                class_name="spec-delete",
            ),
            spacing="3",
            justify="end",
        ),
    )


def _row(row: rx.Var[SpecView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.model_name, weight="medium", size="2", class_name="spec-model")),
        rx.table.cell(
            rx.badge(
                rx.cond(row.is_color, t("Colour"), t("Mono")),
                color_scheme=rx.cond(row.is_color, "violet", "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(rx.text(row.format_text, size="2")),
        rx.table.cell(_yes_no(row.enforce)),
        rx.table.cell(_yes_no(row.allow_manual_edit)),
        rx.table.cell(rx.text(row.rows_text, size="2", class_name="spec-rows"), text_align="right"),
        rx.table.cell(_actions(row)),
        class_name="spec-row",
    )


def _toolbar() -> rx.Component:
    active = (S.kind != "all").to(int) + (S.fmt != "all").to(int) + (S.enforced != "all").to(int)
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Model…"), id="spec-search"),
        *more_filters(
            filter_select(S, "kind", [("all", N_("Colour and mono")), *KIND_OPTIONS], width="160px"),
            filter_select(S, "fmt", [("all", N_("Every format")), *FORMAT_OPTIONS], width="140px"),
            filter_select(
                S, "enforced", [("all", N_("Enforced or not")), ("yes", N_("Enforced")), ("no", N_("Not enforced"))]
            ),
            active=active,
            id="spec-filters",
        ),
        rx.spacer(),
        rx.cond(
            S.can_edit, rx.button(rx.icon("plus", size=16), t("Add model spec"), on_click=S.open_new, id="spec-add")
        ),
        width="100%",
        align="center",
        flex_wrap="wrap",
        row_gap="8px",
    )


def _select(name: str, label: str, options) -> rx.Component:
    control = choice_select(options, S.form[name], lambda v: S.set_value(name, v), id=f"spec-{name}", width="100%")
    return labelled(label, control, errors=S.errors, name=name)


def _dialog() -> rx.Component:
    return form_dialog(
        rx.cond(S.editing_id > 0, t("Edit model spec"), t("Add model spec")),
        rx.cond(
            S.errors.contains("form"),
            rx.callout(S.errors["form"], icon="triangle-alert", color_scheme="red", width="100%"),
        ),
        labelled(
            N_("Model *"),
            rx.input(
                value=S.form["model_name"],
                on_change=lambda v: S.set_value("model_name", v),
                id="spec-model_name",
                width="100%",
            ),
            errors=S.errors,
            name="model_name",
        ),
        _select("kind", N_("Colour or mono"), KIND_OPTIONS),
        _select("paper_format", N_("Paper format"), FORMAT_OPTIONS),
        _select("enforce", N_("Enforce (only these counters are editable; uploads zero the others)"), YES_NO),
        _select("allow_manual_edit", N_("Allow manual edit of end counters despite fresh polls"), YES_NO),
        rx.text(
            t("Saving does not change stored counters: it applies to editing and to future uploads."),
            size="1",
            color=rx.color("gray", 11),
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        on_save=S.save,
        save_id="spec-save",
        max_width="520px",
        enter_saves=True,
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        N_("Delete?"),
        rx.text(S.delete_text, id="spec-delete-text"),
        action=N_("Delete"),
        on_confirm=S.confirm_delete,
        confirm_id="spec-delete-confirm",
        open=S.delete_id > 0,
        on_cancel=S.cancel_delete,
    )


def specs_tab() -> rx.Component:
    headers = [
        sort_header(N_("Model"), "model", S),
        sort_header(N_("Colour"), "color", S),
        sort_header(N_("Paper format"), "format", S),
        sort_header(N_("Enforce"), "enforce", S),
        sort_header(N_("Allow manual edit"), "manual", S),
        sort_header(N_("Rows in open months"), "rows", S, align="right"),
        "",
    ]
    return rx.vstack(
        _toolbar(),
        rx.box(
            data_table(headers, S.rows, _row, variant="surface", size="1", id="spec-table"),
            overflow_x="auto",
            width="100%",
        ),
        pager(S),
        _dialog(),
        _delete_dialog(),
        spacing="3",
        width="100%",
    )
