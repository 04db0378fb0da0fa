"""The card of the latest poll-all run on the printers list: progress, failures (a link to them), finish time."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.components.spinner import spinner
from printer_app.state.live.state import LiveState


def poll_all_progress() -> rx.Component:
    """The latest poll-all run, live in every open tab; a tab may close the card of a finished run."""
    return rx.cond(
        (LiveState.batch_total > 0) & (LiveState.dismissed_batch != LiveState.batch_id),
        rx.card(
            rx.hstack(
                rx.cond(LiveState.batch_running, spinner(16), rx.icon("circle-check", color="green")),
                rx.text(
                    rx.cond(LiveState.batch_running, t("Polling printers"), t("Last poll run")),
                    weight="medium",
                    size="2",
                ),
                rx.progress(value=LiveState.batch_percent, max=100, width="240px", id="poll-all-bar"),
                rx.text(
                    LiveState.batch_done.to_string() + " / " + LiveState.batch_total.to_string(),
                    size="2",
                    id="poll-all-count",
                ),
                rx.cond(
                    LiveState.batch_failed > 0,
                    rx.link(
                        tf("{n} failed", n=LiveState.batch_failed),
                        href="/printers?run=" + LiveState.batch_id,
                        size="2",
                        color_scheme="red",
                        id="poll-all-failed",
                    ),
                    rx.text(tf("{n} failed", n=LiveState.batch_failed), size="2", id="poll-all-failed"),
                ),
                rx.cond(
                    LiveState.batch_finished != "",
                    rx.text(tf("finished {time}", time=LiveState.batch_finished), size="2", id="poll-all-finished"),
                ),
                rx.spacer(),
                rx.cond(
                    ~LiveState.batch_running,
                    rx.icon_button(
                        rx.icon("x", size=14),
                        variant="ghost",
                        size="1",
                        on_click=LiveState.dismiss_batch,
                        title=t("Close"),
                        id="poll-all-dismiss",
                    ),
                ),
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            width="100%",
            size="1",
            id="poll-all-card",
        ),
    )
