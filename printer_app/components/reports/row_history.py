"""A month row's history: the "History" button of a table row (shown with `view_change_history`), the side panel
it opens (the row's counter changes, newest first, paged), and the question before a revert (also used by the
month history page). The panel follows the row live (state/reports/row_history.py)."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.table import row_icon_button
from printer_app.i18n import N_
from printer_app.state.reports.access import HISTORY
from printer_app.state.reports.row_history import EntryView, RowHistoryState
from printer_app.state.session import SessionState

S = RowHistoryState
SOURCE_COLORS = {"manual": "blue", "excel_upload": "green", "auto_sync": "violet"}


def source_badge(entry: rx.Var[EntryView]) -> rx.Component:
    return rx.match(
        entry.source,
        *[(value, rx.badge(entry.source_label, color_scheme=c, variant="soft")) for value, c in SOURCE_COLORS.items()],
        rx.badge(entry.source_label, variant="soft"),
    )


def change_text(entry: rx.Var[EntryView]) -> rx.Component:
    """ "A4 b/w end: 500 → 800"."""
    muted = rx.color("gray", 11)
    return rx.hstack(
        rx.text(entry.field_label + ":", weight="medium", size="2", white_space="nowrap"),
        rx.text(entry.old, size="2", color=muted, class_name="history-old"),
        rx.icon("arrow-right", size=12, color=muted, flex_shrink="0"),
        rx.text(entry.new, size="2", weight="medium", class_name="history-new"),
        spacing="1",
        align="center",
        flex_wrap="wrap",
    )


def origin_text(entry: rx.Var[EntryView]) -> rx.Component:
    """IP and the shortened user agent (the whole one on hover)."""
    return rx.text(
        rx.cond(entry.ip != "", entry.ip, ""),
        rx.cond((entry.ip != "") & (entry.agent != ""), " · ", ""),
        rx.el.span(entry.agent_short, title=entry.agent, class_name="history-agent"),
        size="1",
        color=rx.color("gray", 10),
    )


def revert_button(entry: rx.Var[EntryView], can_revert: rx.Var[bool], prefix: str) -> rx.Component:
    return rx.cond(
        can_revert & entry.revertable,
        rx.button(
            rx.icon("undo-2", size=14),
            t("Revert"),
            size="1",
            variant="soft",
            color_scheme="orange",
            on_click=S.ask_revert(entry.id),
            id=f"{prefix}revert-" + entry.id.to_string(),
        ),
    )


def _entry(entry: rx.Var[EntryView]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(entry.when, size="1", weight="medium", white_space="nowrap"),
            rx.text(entry.user, size="1", color=rx.color("gray", 11)),
            rx.spacer(),
            source_badge(entry),
            width="100%",
            align="center",
            spacing="2",
        ),
        change_text(entry),
        origin_text(entry),
        rx.cond(
            entry.comment != "", rx.text(entry.comment, size="1", font_style="italic", class_name="history-comment")
        ),
        rx.hstack(rx.spacer(), revert_button(entry, S.can_revert, "panel-"), width="100%"),
        class_name="history-entry",
        padding="10px 0",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        custom_attrs={"data-entry": entry.id},
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left"),
            on_click=S.go_to(S.page - 1),
            disabled=S.page <= 1,
            variant="soft",
            size="1",
            id="panel-prev",
        ),
        rx.text(tf("Page {page} of {count}", page=S.page, count=S.page_count), size="2"),
        rx.icon_button(
            rx.icon("chevron-right"),
            on_click=S.go_to(S.page + 1),
            disabled=S.page >= S.page_count,
            variant="soft",
            size="1",
            id="panel-next",
        ),
        align="center",
        spacing="2",
        justify="center",
        width="100%",
    )


def history_panel() -> rx.Component:
    """The side panel (a drawer from the right; the whole width on a phone)."""
    return rx.drawer.root(
        rx.drawer.overlay(z_index="50"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.heading(t("Change history"), size="4"),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(
                                rx.icon("x", size=18), variant="ghost", aria_label=t("Close"), id="panel-close"
                            )
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.text(S.title, size="2", color=rx.color("gray", 11), id="panel-row"),
                    _revert_inline(),
                    rx.cond(
                        S.total == 0,
                        rx.text(t("No changes of this row were logged."), size="2", padding_y="12px"),
                        rx.box(rx.foreach(S.entries, _entry), width="100%", id="panel-entries"),
                    ),
                    rx.cond(S.page_count > 1, _pager()),
                    spacing="2",
                    width="100%",
                ),
                width="min(480px, 100vw)",
                box_sizing="border-box",
                height="100%",
                top="0",
                right="0",
                left="auto",
                padding="16px",
                overflow_y="auto",
                overflow_x="hidden",
                background=rx.color("gray", 1),
                z_index="51",
                id="history-panel",
            ),
        ),
        open=S.open,
        on_open_change=S.set_open,
        direction="right",
    )


def history_button(row_id: rx.Var[int]) -> rx.Component:
    """A table row's "History" button; hidden without `view_change_history` (the handler checks again)."""
    return rx.cond(
        SessionState.permissions.contains(HISTORY),
        row_icon_button(
            "history", N_("History"), S.open_row(row_id), id="history-" + row_id.to_string(), class_name="rt-history"
        ),
    )


def with_history_button(cell: rx.Component, row) -> rx.Component:
    """The month table's first cell of a row with the row's "History" button after its content."""
    cell.children.append(history_button(row.id))
    return cell


def _revert_question(title) -> list[rx.Component]:
    """The question before a revert: the field, its value now and the value it restores, or why it cannot be."""
    question = tf(
        "{field} is {current} now; the revert sets it back to {restores} and logs the revert.",
        field=S.confirm_field,
        current=S.confirm_current,
        restores=S.confirm_restores,
    )
    return [
        title(t("Revert this change?")),
        rx.text(question, size="2", id="revert-question"),
        rx.cond(
            S.confirm_problem != "",
            rx.callout.root(
                rx.callout.text(S.confirm_problem),
                color_scheme="amber",
                size="1",
                margin_top="8px",
                id="revert-problem",
            ),
        ),
        rx.hstack(
            rx.button(t("Cancel"), variant="soft", color_scheme="gray", on_click=S.cancel_revert, id="revert-cancel"),
            rx.button(
                t("Revert"),
                color_scheme="orange",
                on_click=S.confirm_revert,
                disabled=S.confirm_problem != "",
                id="revert-confirm",
            ),
            justify="end",
            padding_top="8px",
            width="100%",
        ),
    ]


def revert_dialog() -> rx.Component:
    """The revert question as a dialog (the month history page)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(*_revert_question(rx.alert_dialog.title), max_width="440px"),
        open=S.confirm_id > 0,
        on_open_change=lambda _open: S.cancel_revert(),
    )


def _revert_inline() -> rx.Component:
    """The revert question inside the panel (a dialog over the panel would sit below it on a phone)."""
    return rx.cond(
        S.confirm_id > 0,
        rx.callout.root(
            rx.vstack(*_revert_question(lambda label: rx.heading(label, size="3")), spacing="1", width="100%"),
            color_scheme="orange",
            width="100%",
            id="revert-box",
        ),
    )


def month_history_links(month: rx.Var[str]) -> rx.Component:
    """The month table's "History" and "Log" buttons, shown with `view_change_history`."""

    def link(label: str, icon: str, suffix: str) -> rx.Component:
        return rx.link(
            rx.button(rx.icon(icon, size=16), t(label), variant="soft"),
            href="/reports/" + month + suffix,
            id=f"month-{suffix.strip('/')}",
        )

    return rx.cond(
        SessionState.permissions.contains(HISTORY),
        rx.hstack(link(N_("History"), "history", "/history"), link(N_("Log"), "list", "/log"), spacing="2"),
    )
