"""The apply card of the contract import page: the session's options, why Apply was refused, progress and outcome."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.components.layout import section_card
from printer_app.components.spinner import spinner
from printer_app.i18n import N_
from printer_app.state.contracts.contract_import import NONE
from printer_app.state.contracts.contract_import import ContractImportState as S


def _options() -> rx.Component:
    return rx.hstack(
        labelled(
            N_("Status of the imported devices *"),
            choice_select(
                [],
                S.target_status,
                S.set_target_status,
                dynamic=S.status_options,
                placeholder=N_("Choose a status"),
                width="240px",
                id="import-status",
                disabled=~S.editable,
            ),
            width="auto",
        ),
        labelled(
            N_("Service provider"),
            choice_select(
                [(NONE, N_("Keep the stored one"))],
                S.provider,
                S.set_provider,
                dynamic=S.provider_options,
                width="240px",
                id="import-provider",
                disabled=~S.editable,
            ),
            width="auto",
        ),
        spacing="4",
        wrap="wrap",
        align="end",
    )


def _cities() -> rx.Component:
    return rx.cond(
        S.unknown_cities.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(t("These cities are not in the reference data yet:"), weight="medium"),
                rx.text(S.unknown_cities.join(", "), size="2", id="import-unknown-cities"),
                rx.checkbox(
                    t("Create them when the import is applied"),
                    checked=S.create_cities,
                    on_change=S.set_create_cities,
                    disabled=~S.editable,
                    id="import-create-cities",
                ),
                spacing="2",
            ),
            icon="map-pin",
            color_scheme="amber",
            width="100%",
        ),
    )


def _problems() -> rx.Component:
    return rx.cond(
        S.problems.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(t("The import cannot be applied yet:"), weight="medium"),
                rx.foreach(S.problems, lambda p: rx.text(p, size="2", class_name="import-problem")),
                spacing="1",
            ),
            icon="triangle-alert",
            color_scheme="red",
            width="100%",
            id="import-problems",
        ),
    )


def _progress() -> rx.Component:
    return rx.cond(
        S.applying,
        rx.hstack(
            spinner(16),
            rx.progress(value=S.percent, max=100, width=rx.breakpoints(initial="100%", sm="320px")),
            rx.text(
                rx.cond(
                    S.progress_total > 0,
                    tf("{done} / {total} rows applied", done=S.done, total=S.progress_total),
                    t("Waiting for a worker…"),
                ),
                size="2",
                id="import-progress-text",
            ),
            align="center",
            wrap="wrap",
            width="100%",
            id="import-progress",
        ),
    )


def _outcome() -> rx.Component:
    return rx.cond(
        S.finished,
        rx.callout(
            rx.vstack(
                rx.text(
                    rx.cond(S.status == "failed", t("The import failed"), t("The import was applied")),
                    weight="bold",
                ),
                rx.text(S.stats_text, id="import-stats"),
                rx.cond(S.error != "", rx.text(S.error, size="2")),
                rx.cond(
                    S.status == "applied",
                    rx.hstack(
                        rx.text(S.missing_text, size="2", id="import-missing"),
                        rx.button(
                            rx.icon("download", size=14),
                            t("Missing devices (.xlsx)"),
                            size="1",
                            variant="soft",
                            on_click=S.download_missing,
                            id="import-download-missing",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                ),
                spacing="2",
            ),
            icon=rx.cond(S.status == "failed", "circle-x", "circle-check"),
            color_scheme=rx.cond(S.status == "failed", "red", "green"),
            width="100%",
            id="import-outcome",
        ),
    )


def apply_card() -> rx.Component:
    return rx.cond(
        S.files.length() > 0,
        section_card(
            N_("Apply"),
            _options(),
            _cities(),
            _problems(),
            rx.cond(
                S.can_apply,
                rx.button(
                    rx.icon("check-check", size=16),
                    t("Apply the import"),
                    on_click=S.apply,
                    disabled=~S.has_rows,
                    id="import-apply",
                ),
            ),
            _progress(),
            _outcome(),
            id="import-apply-card",
        ),
    )
