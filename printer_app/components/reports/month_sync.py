"""The month table's sync bar: "Sync month" (disabled with the reason when the month is closed or not auto-synced),
the progress of the month's sync in every open tab, its stats at the end (dismissable), and "Poll the month's
printers" with the poll-all progress card of the printers list."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.inventory.poll_all_card import poll_all_progress
from printer_app.components.spinner import spinner
from printer_app.state.reports.access import POLL_ALL, SYNC
from printer_app.state.reports.month_sync import MonthSyncState

S = MonthSyncState


def _buttons() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.permissions.contains(SYNC),
            rx.button(
                rx.icon("refresh-cw", size=14),
                t("Sync month"),
                on_click=S.start_sync,
                disabled=(S.sync_blocked != "") | S.sync_running,
                title=rx.cond(S.sync_blocked != "", S.sync_blocked, t("Fill the counters from the inventory polls")),
                size="2",
                variant="soft",
                id="sync-month",
            ),
        ),
        rx.cond(
            S.permissions.contains(SYNC) & (S.sync_blocked != ""),
            rx.text(S.sync_blocked, size="2", color=rx.color("gray", 11), id="sync-blocked"),
        ),
        rx.cond(
            S.permissions.contains(POLL_ALL),
            rx.button(
                rx.icon("radar", size=14),
                t("Poll the month's printers"),
                on_click=S.poll_printers,
                size="2",
                variant="soft",
                color_scheme="gray",
                id="poll-month-printers",
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _progress() -> rx.Component:
    return rx.card(
        rx.hstack(
            spinner(16),
            rx.text(t("Syncing the month from the inventory"), weight="medium", size="2"),
            rx.progress(value=S.sync_percent, max=100, width="240px", id="sync-bar"),
            rx.text(S.progress_text, size="2", id="sync-count"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        size="1",
        width="100%",
        id="sync-progress",
    )


def _stats() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    S.sync_status == "failed",
                    rx.icon("circle-x", color="red"),
                    rx.icon("circle-check", color="green"),
                ),
                rx.text(
                    rx.cond(S.sync_status == "failed", t("Sync failed"), t("Sync finished")), weight="medium", size="2"
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    size="1",
                    on_click=S.dismiss_stats,
                    title=t("Close"),
                    id="sync-stats-dismiss",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(S.sync_error != "", rx.text(S.sync_error, size="2", color_scheme="red")),
            rx.hstack(
                rx.text(tf("Rows updated: {n}", n=S.updated_rows), size="2", id="sync-updated"),
                rx.text(tf("Groups recomputed: {n}", n=S.groups_recomputed), size="2", id="sync-groups"),
                rx.text(tf("Duplicate groups: {n}", n=S.duplicate_groups), size="2", id="sync-duplicates"),
                rx.text(tf("Serials skipped: {n}", n=S.skipped_count), size="2", id="sync-skipped-count"),
                rx.text(tf("Errors: {n}", n=S.errors.length()), size="2", id="sync-errors-count"),
                spacing="4",
                wrap="wrap",
            ),
            rx.cond(
                S.skipped.length() > 0,
                rx.box(
                    rx.foreach(
                        S.skipped,
                        lambda s: rx.text(rx.code(s[0]), " — ", s[1], size="1", color=rx.color("gray", 11)),
                    ),
                    max_height="160px",
                    overflow_y="auto",
                    width="100%",
                    id="sync-skipped",
                ),
            ),
            rx.foreach(S.errors, lambda e: rx.text(e, size="1", color_scheme="red")),
            spacing="2",
            width="100%",
        ),
        size="1",
        width="100%",
        id="sync-stats",
    )


def month_sync_bar() -> rx.Component:
    """Shown under the month's status line; reads the month's running sync when the page mounts."""
    return rx.vstack(
        rx.cond(S.permissions.contains(SYNC) | S.permissions.contains(POLL_ALL), _buttons()),
        rx.cond(S.sync_running, _progress()),
        rx.cond(S.stats_open & ~S.sync_running, _stats()),
        poll_all_progress(),
        on_mount=S.load,
        spacing="2",
        width="100%",
        id="month-sync",
    )
