"""Table building blocks: the table itself, sortable header cells, row buttons, search and reset, the pager."""

from __future__ import annotations

import json

import reflex as rx
from reflex.event import EventSpec

from printer_app.components.i18n import t, text, tf
from printer_app.i18n import N_
from printer_app.services.paging import PAGE_SIZES


def sort_header(label: str, column: str, state, *, align: str = "left") -> rx.Component:
    """A header cell that sorts by `column` on click and shows the direction."""
    arrow = rx.cond(
        state.sort == column,
        rx.icon(rx.cond(state.descending, "arrow-down", "arrow-up"), size=14),
        rx.icon("arrow-up-down", size=14, opacity=0.3),
    )
    return rx.table.column_header_cell(
        rx.hstack(
            rx.text(text(label)), arrow, spacing="1", align="center", justify="end" if align == "right" else "start"
        ),
        on_click=state.sort_by(column),
        cursor="pointer",
        white_space="nowrap",
        id=f"sort-{column}",
    )


def search_box(value, on_change, *, placeholder: str, id: str, width: str = "220px") -> rx.Component:
    """The search field above a table: the query is sent 300 ms after the last keystroke.

    The field belongs to the user: the server never writes into it, so a late answer to an earlier event (Reset on a
    slow server) cannot overwrite what was typed since. It starts from the state's value when the page's state has
    loaded (the key remounts it then); Reset empties it in the browser at the click (`reset_button`).
    """
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        placeholder=text(placeholder),
        default_value=value,
        key=rx.State.is_hydrated.to_string(),
        on_change=on_change.debounce(300),
        width=width,
        id=id,
    )


def clear_input(input_id: str) -> EventSpec:
    """Empty an input in the browser as typing would: its on_change (and a pending debounce) sees the empty value."""
    return rx.call_script(
        f"(() => {{ const el = document.getElementById({json.dumps(input_id)}); if (!el) return; "
        "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, ''); "
        "el.dispatchEvent(new Event('input', {bubbles: true})); })()"
    )


def more_filters(*filters: rx.Component, active: rx.Var[int], id: str) -> list[rx.Component]:
    """Filters that fold away on a phone behind a "Filters (n)" button, so the table is not pushed below the fold.

    Pure CSS (a hidden checkbox, its label as the button, the filters as its next sibling; assets/app.css
    `.pi-filters-*`): on a wide screen the button is hidden and the filters take their places in the row as if
    unwrapped. Put the returned components directly into the filter row."""
    return [
        rx.el.input(type="checkbox", id=id, class_name="pi-filters-toggle", aria_label=text(N_("Show filters"))),
        rx.el.label(
            rx.icon("sliders-horizontal", size=14),
            t("Filters"),
            rx.cond(active > 0, rx.el.span(active.to_string(), class_name="pi-filters-count")),
            html_for=id,
            class_name="pi-filters-button",
        ),
        rx.el.div(*filters, class_name="pi-filters-more"),
    ]


def reset_button(on_reset, *, search_id: str, id: str) -> rx.Component:
    """Reset of a table's filters: the search field is emptied at the click, then the server resets the filters."""
    return rx.button(
        rx.icon("x", size=14), t("Reset"), variant="ghost", on_click=[clear_input(search_id), on_reset], id=id
    )


def pager(state) -> rx.Component:
    """First / previous / next / last, the current range, and a rows-per-page choice (the same everywhere).

    On a narrow screen its three groups wrap onto lines of their own instead of widening the page."""
    return rx.hstack(
        rx.text(state.range_text, size="2", color=rx.color("gray", 11), id="pager-range", white_space="nowrap"),
        rx.spacer(),
        rx.hstack(
            rx.text(t("Rows per page"), size="2", white_space="nowrap"),
            rx.select(
                [str(s) for s in PAGE_SIZES],
                value=state.page_size.to_string(),
                on_change=state.set_page_size,
                size="1",
                id="page-size",
            ),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevrons-left"),
                on_click=state.go_to(1),
                disabled=state.page <= 1,
                variant="soft",
                size="1",
                id="page-first",
            ),
            rx.icon_button(
                rx.icon("chevron-left"),
                on_click=state.go_to(state.page - 1),
                disabled=state.page <= 1,
                variant="soft",
                size="1",
                id="page-prev",
            ),
            rx.text(
                tf("Page {page} of {count}", page=state.page, count=state.page_count),
                size="2",
                id="page-info",
                white_space="nowrap",
            ),
            rx.icon_button(
                rx.icon("chevron-right"),
                on_click=state.go_to(state.page + 1),
                disabled=state.page >= state.page_count,
                variant="soft",
                size="1",
                id="page-next",
            ),
            rx.icon_button(
                rx.icon("chevrons-right"),
                on_click=state.go_to(state.page_count),
                disabled=state.page >= state.page_count,
                variant="soft",
                size="1",
                id="page-last",
            ),
            align="center",
            spacing="2",
        ),
        width="100%",
        align="center",
        spacing="2",
        flex_wrap="wrap",
        row_gap="8px",
    )


def data_table(headers, rows, render_row, *, id: str, **props) -> rx.Component:
    """A full-width table: a header row (a string is a plain header cell), then `render_row(row)` per row of `rows`."""
    return rx.table.root(
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(text(h)) if isinstance(h, str) else h for h in headers])
        ),
        rx.table.body(rx.foreach(rows, render_row)),
        width="100%",
        id=id,
        **props,
    )


def row_icon_button(icon: str, title: str, on_click, **props) -> rx.Component:
    """A small icon button of a table row (edit, delete, …); `title` names it for the tooltip and screen readers."""
    return rx.icon_button(
        rx.icon(icon, size=14), **{"variant": "ghost", **props}, size="1", on_click=on_click, title=text(title)
    )
