"""The month table itself: plain table elements (cheap to re-render), the header and the first two columns stick
while the box scrolls both ways, a totals row of what the filters show, inline editing of the counters (a locked
cell says why on hover) and of A / D / L / W; an end counter changed by hand carries a marker and, for those who may,
"reset to inventory"."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from printer_app.components.i18n import t, tf
from printer_app.components.reports.row_history import with_history_button
from printer_app.i18n import N_
from printer_app.services.reports.columns import COUNTER_FIELDS, END_FIELDS
from printer_app.services.reports.row_edit import EDITABLE
from printer_app.state.reports.access import RESET_AUTO
from printer_app.state.reports.month_table import MonthTableState
from printer_app.state.reports.table_view import COLUMNS, HIDEABLE, HINTS, KINDS, STICKY, RowView
from printer_app.state.session import SessionState

S = MonthTableState
NUMERIC = {name for name, kind in KINDS.items() if kind in ("int", "dec", "k")}
COUNTER_HINT = N_("Click, Enter or F2 to edit; Enter saves, Escape cancels, Tab saves and moves on")
MANUAL_HINT = N_("Changed by hand; auto-sync leaves it")
INLINE_BOX = {"display": "inline-flex", "align_items": "center", "gap": "3px", "white_space": "nowrap"}
F2_OPENS = Var(_js_expr='((e) => { if (e.key === "F2") { e.preventDefault(); e.currentTarget.click(); } })')


def visible(column: str) -> rx.Var[bool] | bool:
    return True if column in STICKY else ~S.hidden_columns.split(",").contains(column)


def _classes(name: str) -> str:
    classes = [f"c-{name}", *(["pi-num"] if name in NUMERIC else [])]
    if name in STICKY:
        classes.append(f"rt-sticky rt-sticky-{STICKY.index(name) + 1}")
    return " ".join(classes)


def _input(row: rx.Var[RowView], name: str) -> rx.Component:
    """The open editor: Enter submits, Escape cancels, Tab / Shift+Tab save on the blur and move on; a refused
    value stays with its reason under it."""
    hint = HINTS.get(name, COUNTER_HINT)
    return rx.el.form(
        rx.el.input(
            name="value",
            default_value=row.plain[name],
            auto_focus=True,
            on_key_down=S.edit_key,
            on_blur=S.blur_edit,
            class_name="rt-edit-input",
            id="cell-editor",
            aria_label=t(hint),
            aria_invalid=S.edit_error != "",
        ),
        rx.cond(
            S.edit_error != "",
            rx.el.div(S.edit_error, role="alert", id="cell-error", color=rx.color("red", 11), font_size="11px"),
        ),
        on_submit=S.save_edit,
        reset_on_submit=False,
    )


def _editing(row: rx.Var[RowView], name: str) -> rx.Var[bool]:
    return S.editing == row.id.to_string() + ":" + name


def _button(row: rx.Var[RowView], name: str, hint: str) -> rx.Component:
    value = row.cells[name]
    return rx.el.button(
        rx.cond(value != "", value, "0"),
        on_click=S.start_edit(row.id, name),
        class_name=f"rt-editable edit-{name}",
        title=t(hint),
        custom_attrs={"onKeyDown": F2_OPENS},
    )


def _editor(row: rx.Var[RowView], name: str) -> rx.Component:
    """A / D / L / W: its value, a button when the user may edit, an input while editing."""
    return rx.cond(
        _editing(row, name),
        _input(row, name),
        rx.cond(S.can_edit, _button(row, name, HINTS[name]), rx.el.span(row.cells[name], class_name=f"cell-{name}")),
    )


def _manual(row: rx.Var[RowView], name: str) -> rx.Component:
    """The hand marker of an end counter changed by hand, and "reset to inventory" for those who may."""
    can_reset = SessionState.permissions.contains(RESET_AUTO) & S.editable & (row.reset_hint[name] != "")
    return rx.cond(
        row.manual[name],
        rx.el.span(
            rx.el.span(rx.icon("hand", size=11), title=t(MANUAL_HINT), class_name=f"manual-{name}"),
            rx.cond(
                can_reset,
                rx.el.button(
                    rx.icon("rotate-ccw", size=11),
                    on_click=S.reset_counter(row.id, name),
                    title=row.reset_hint[name],
                    aria_label=row.reset_hint[name],
                    class_name=f"rt-editable reset-{name}",
                ),
            ),
            color=rx.color("amber", 11),
            **INLINE_BOX,
        ),
    )


def _counter(row: rx.Var[RowView], name: str) -> rx.Component:
    """A counter: editable when its lock is "", else its value with the reason on hover (and a lock icon where the
    inventory's auto-lock is the only reason)."""
    lock = row.locks[name]
    locked = rx.el.span(
        rx.cond(row.pinned[name], rx.icon("lock", size=10, class_name="pi-faint")),
        row.cells[name],
        title=lock,
        class_name=f"cell-{name} locked-{name}",
        **INLINE_BOX,
    )
    value = rx.cond(lock == "", _button(row, name, COUNTER_HINT), locked)
    shown = rx.el.span(_manual(row, name), value, **INLINE_BOX) if name in END_FIELDS else value
    return rx.cond(_editing(row, name), _input(row, name), shown)


def _content(row: rx.Var[RowView], name: str) -> rx.Component | rx.Var:
    value = row.cells[name]
    if name in COUNTER_FIELDS:
        return _counter(row, name)
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
