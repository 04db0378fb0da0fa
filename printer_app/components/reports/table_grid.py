"""The month table itself: plain table elements (cheap to re-render), the header and the first two columns stick
while the box scrolls both ways, a totals row of what the filters show, inline editing of A / D / L / W."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.reports.row_history import with_history_button
from printer_app.services.reports.row_edit import EDITABLE
from printer_app.state.reports.month_table import MonthTableState
from printer_app.state.reports.table_view import COLUMNS, HIDEABLE, HINTS, KINDS, STICKY, RowView

S = MonthTableState
NUMERIC = {name for name, kind in KINDS.items() if kind in ("int", "dec", "k")}


def visible(column: str) -> rx.Var[bool] | bool:
    return True if column in STICKY else ~S.hidden_columns.split(",").contains(column)


def _classes(name: str) -> str:
    classes = [f"c-{name}", *(["pi-num"] if name in NUMERIC else [])]
    if name in STICKY:
        classes.append(f"rt-sticky rt-sticky-{STICKY.index(name) + 1}")
    return " ".join(classes)


def _editor(row: rx.Var[RowView], name: str) -> rx.Component:
    """The cell of an editable column: its value, a button when the user may edit, an input while editing."""
    value = row.cells[name]
    editor = rx.el.form(
        rx.el.input(
            name="value",
            default_value=row.plain[name],
            auto_focus=True,
            on_key_down=S.edit_key,
            class_name="rt-edit-input",
            id="cell-editor",
            aria_label=t(HINTS[name]),
        ),
        on_submit=S.save_edit,
        reset_on_submit=False,
    )
    button = rx.el.button(
        rx.cond(value != "", value, "0"),
        on_click=S.start_edit(row.id, name),
        class_name=f"rt-editable edit-{name}",
        title=t(HINTS[name]),
    )
    return rx.cond(
        S.editing == row.id.to_string() + ":" + name,
        editor,
        rx.cond(S.can_edit, button, rx.el.span(value, class_name=f"cell-{name}")),
    )


def _content(row: rx.Var[RowView], name: str) -> rx.Component | rx.Var:
    value = row.cells[name]
    if name in EDITABLE:
        return _editor(row, name)
    if name == "total_prints":
        return rx.el.span(
            rx.cond(row.anomaly != "", rx.icon("triangle-alert", size=12, class_name="rt-anomaly-icon")),
            value,
            class_name=rx.cond(row.negative, "rt-total rt-negative", "rt-total"),
            title=row.anomaly,
        )
    if name == "serial_number":
        return rx.el.span(
            rx.el.span(value, class_name="pi-mono"),
            rx.cond(row.group != "", rx.el.span(row.group, class_name="rt-group", title=row.group_hint)),
            class_name="rt-serial",
        )
    if name in ("organization", "address", "equipment_model", "branch"):
        return rx.el.span(value, class_name="pi-clip", title=value)
    return value


def _row(row: rx.Var[RowView]) -> rx.Component:
    cells = []
    for name, _label, _kind in COLUMNS:
        cell = rx.el.td(_content(row, name), class_name=_classes(name))
        cells.append(cell if name in STICKY else rx.cond(visible(name), cell))
    cells[0] = with_history_button(cells[0], row)  # the row's "History" panel (issue #17)
    return rx.el.tr(*cells, class_name=row.row_class, key=row.id.to_string(), custom_attrs={"data-id": row.id})


def _header(name: str, label: str) -> rx.Component:
    arrow = rx.cond(
        S.sort == name,
        rx.icon(rx.cond(S.descending, "arrow-down", "arrow-up"), size=13),
        rx.icon("arrow-up-down", size=13, class_name="pi-faint"),
    )
    cell = rx.el.th(
        rx.el.span(t(label), arrow, class_name="pi-sort"),
        on_click=S.sort_by(name),
        class_name=_classes(name) + " pi-sortable",
        id=f"sort-{name}",
    )
    return cell if name in STICKY else rx.cond(visible(name), cell)


def _totals() -> rx.Component:
    cells = []
    for name, _label, _kind in COLUMNS:
        if name == STICKY[0]:
            content = t("Total")
        elif name == STICKY[1]:
            content = tf("Rows: {n}", n=S.total)
        else:
            content = S.totals.get(name, "")
        cell = rx.el.td(content, class_name=_classes(name), id=f"total-{name}")
        cells.append(cell if name in STICKY else rx.cond(visible(name), cell))
    return rx.el.tr(*cells, class_name="rt-totals")


def month_grid() -> rx.Component:
    return rx.el.div(
        rx.el.table(
            rx.el.thead(rx.el.tr(*[_header(name, label) for name, label, _kind in COLUMNS])),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            rx.el.tfoot(_totals()),
            class_name="pi-table rt-table",
        ),
        class_name="pi-table-wrap",
        id="month-table",
    )


def column_chooser() -> rx.Component:
    """Which columns the table shows (remembered in the browser); the first two always show."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("columns-3", size=16), t("Columns"), variant="soft", id="columns")),
        rx.popover.content(
            rx.grid(
                *[
                    rx.checkbox(
                        t(label),
                        checked=visible(name),
                        on_change=lambda _v, k=name: S.toggle_column(k),
                        id=f"col-{name}",
                    )
                    for name, label in HIDEABLE
                ],
                columns="2",
                spacing="2",
            ),
        ),
    )
