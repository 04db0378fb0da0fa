"""Table building blocks: sortable header cells and a pager with page-size choice."""

from __future__ import annotations

import reflex as rx

from printer_app.services.paging import PAGE_SIZES


def sort_header(label: str, column: str, state, *, align: str = "left") -> rx.Component:
    """A header cell that sorts by `column` on click and shows the direction."""
    arrow = rx.cond(
        state.sort == column,
        rx.icon(rx.cond(state.descending, "arrow-down", "arrow-up"), size=14),
        rx.icon("arrow-up-down", size=14, opacity=0.3),
    )
    return rx.table.column_header_cell(
        rx.hstack(rx.text(label), arrow, spacing="1", align="center", justify="end" if align == "right" else "start"),
        on_click=state.sort_by(column),
        cursor="pointer",
        white_space="nowrap",
        id=f"sort-{column}",
    )


def search_box(value, on_change, *, placeholder: str, id: str, width: str = "220px") -> rx.Component:
    """The search field above a table: a magnifier, and the query sent 300 ms after the last keystroke."""
    return rx.debounce_input(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=placeholder,
            value=value,
            on_change=on_change,
            width=width,
            id=id,
        ),
        debounce_timeout=300,
    )


def pager(state) -> rx.Component:
    """First / previous / next / last, the current range, and a rows-per-page choice (the same everywhere)."""
    return rx.hstack(
        rx.text(state.range_text, size="2", color=rx.color("gray", 11), id="pager-range"),
        rx.spacer(),
        rx.text("Rows per page", size="2"),
        rx.select(
            [str(s) for s in PAGE_SIZES],
            value=state.page_size.to_string(),
            on_change=state.set_page_size,
            size="1",
            id="page-size",
        ),
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
        rx.text(f"Page {state.page} of {state.page_count}", size="2", id="page-info"),
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
        width="100%",
        align="center",
        spacing="2",
    )


def field_error(errors, name: str) -> rx.Component:
    """The validation message of one form field, if any."""
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color=rx.color("red", 11), size="1", id=f"error-{name}"),
    )
