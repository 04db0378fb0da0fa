"""The month list's dialogs: "Editable until", the delete question (naming the month and its row count) and
"Create month from contracts"."""

from __future__ import annotations

import reflex as rx

from printer_app.components.dialogs import FIT, confirm_dialog
from printer_app.components.forms import busy_button, labelled
from printer_app.components.i18n import t
from printer_app.i18n import N_
from printer_app.state.reports.month_from_contracts import FromContractsState
from printer_app.state.reports.months import MonthsState

S = MonthsState
F = FromContractsState


def edit_until_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Editable until")),
            rx.dialog.description(S.edit_label, size="2", color=rx.color("gray", 11)),
            rx.vstack(
                labelled(
                    N_("Date and time"),
                    rx.input(
                        type="datetime-local",
                        value=S.edit_value,
                        on_change=S.set_edit_value,
                        id="edit-until-value",
                        width="100%",
                    ),
                    hint=N_("In the time zone the app shows times in."),
                ),
                rx.cond(S.edit_error != "", rx.text(S.edit_error, color=rx.color("red", 11), size="1")),
                rx.hstack(
                    rx.button(
                        rx.icon("lock", size=14),
                        t("Close month"),
                        variant="soft",
                        color_scheme="orange",
                        on_click=S.close_month,
                        id="close-month",
                    ),
                    rx.spacer(),
                    rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                    rx.button(t("Save"), on_click=S.save_edit_until, id="save-edit-until"),
                    width="100%",
                    flex_wrap="wrap",
                    row_gap="8px",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
            **FIT,
        ),
        open=S.edit_key != "",
        on_open_change=S.close_edit_until,
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        N_("Delete month"),
        S.delete_text,
        action=N_("Delete"),
        on_confirm=S.confirm_delete,
        confirm_id="confirm-delete-month",
        open=S.delete_key != "",
        on_cancel=S.cancel_delete,
    )


def _ticks(options, chosen, on_toggle, prefix: str) -> rx.Component:
    return rx.box(
        rx.foreach(
            options,
            lambda option: rx.el.label(
                rx.checkbox(
                    checked=chosen.contains(option[0]),
                    on_change=lambda _v: on_toggle(option[0]),
                    id=f"{prefix}-" + option[0],
                ),
                rx.text(option[1], size="2"),
                class_name="pi-switch-label",
                display="flex",
                gap="6px",
                align_items="center",
            ),
        ),
        max_height="180px",
        overflow_y="auto",
        width="100%",
        padding="6px",
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="6px",
    )


def from_contracts_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Create month from contracts")),
            rx.dialog.description(
                t(
                    "One row per contract device of the chosen organizations and statuses; counters from the previous "
                    "month and from polls. A, D, L and W stay for an upload or a hand entry."
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                labelled(N_("Month"), rx.input(type="month", value=F.month, on_change=F.set_month, id="fc-month")),
                labelled(
                    rx.hstack(
                        rx.text(t("Organizations"), size="2", weight="medium"),
                        rx.spacer(),
                        rx.button(t("All"), size="1", variant="ghost", on_click=F.choose_all_orgs, id="fc-all-orgs"),
                        width="100%",
                    ),
                    _ticks(F.organizations, F.chosen_orgs, F.toggle_org, "fc-org"),
                ),
                labelled(N_("Statuses"), _ticks(F.statuses, F.chosen_statuses, F.toggle_status, "fc-status")),
                rx.cond(F.error != "", rx.callout(F.error, color_scheme="red", size="1", id="fc-error", width="100%")),
                rx.cond(
                    F.preview != "", rx.callout(F.preview, color_scheme="blue", size="1", id="fc-preview", width="100%")
                ),
                rx.cond(
                    F.result != "", rx.callout(F.result, color_scheme="green", size="1", id="fc-result", width="100%")
                ),
                rx.hstack(
                    rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                    rx.button(t("Preview"), variant="soft", on_click=F.run_preview, id="fc-preview-button"),
                    busy_button(N_("Create"), "plus", busy=F.busy, on_click=F.create, id="fc-create"),
                    justify="end",
                    width="100%",
                    flex_wrap="wrap",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="560px",
            **FIT,
        ),
        open=F.open,
        on_open_change=F.set_open,
    )
