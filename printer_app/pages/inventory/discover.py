"""Discovery page: scan addresses for printers, watch progress, add the ones you choose."""

from __future__ import annotations

import reflex as rx

from printer_app.components.forms import choice_select, labelled
from printer_app.components.i18n import t, tf
from printer_app.components.layout import page
from printer_app.components.spinner import spinner
from printer_app.components.table import data_table
from printer_app.i18n import N_
from printer_app.state.inventory.discovery import NONE, DiscoveryState, FoundView

S = DiscoveryState


def _field(label: str, name: str, width, placeholder: str = "", box_width="auto") -> rx.Component:
    return labelled(
        label,
        rx.input(
            value=getattr(S, name),
            on_change=lambda v: S.set_field(name, v),
            width=width,
            max_width="100%",
            placeholder=t(placeholder) if placeholder else "",
            id=f"discover-{name}",
        ),
        width=box_width,
    )


def form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _field(
                    N_("Addresses"),
                    "targets",
                    rx.breakpoints(initial="100%", sm="360px"),
                    box_width=rx.breakpoints(initial="100%", sm="auto"),
                    placeholder=N_("192.168.1.0/24, 10.0.0.5-40 or 10.0.0.7"),
                ),
                _field(
                    N_("Communities"),
                    "community",
                    "220px",
                    N_("public, private"),
                ),
                _field(N_("Port"), "port", "90px"),
                labelled(
                    N_("SNMP version"),
                    rx.select(["1", "2c"], value=S.version, on_change=lambda v: S.set_field("version", v)),
                    width="auto",
                ),
                rx.button(
                    rx.icon("radar", size=16), t("Scan"), on_click=S.start, disabled=S.running, id="discover-start"
                ),
                align="end",
                spacing="3",
                wrap="wrap",
            ),
            rx.text(
                t(
                    "At most 4096 addresses per scan. Addresses that do not answer cost one timeout in total, per "
                    "community: several communities (separated by commas) are tried in order, the first that answers "
                    "is kept."
                ),
                size="1",
                color=rx.color("gray", 10),
            ),
            rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", id="discover-error")),
            rx.cond(
                S.total > 0,
                rx.hstack(
                    rx.progress(value=S.percent, max=100, width=rx.breakpoints(initial="100%", sm="320px")),
                    rx.text(
                        tf(
                            "{scanned} / {total} scanned, found: {found}",
                            scanned=S.scanned,
                            total=S.total,
                            found=S.found.length(),
                        ),
                        size="2",
                        id="discover-progress",
                    ),
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
            ),
        ),
        width="100%",
    )


def _row(f: FoundView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.checkbox(checked=f.selected, disabled=f.known, on_change=lambda _v: S.toggle(f.ip))),
        rx.table.cell(f.ip),
        rx.table.cell(f.manufacturer + " " + f.model),
        rx.table.cell(rx.code(f.serial, variant="ghost")),
        rx.table.cell(rx.code(f.mac, variant="ghost")),
        rx.table.cell(rx.code(f.community, variant="ghost"), class_name="found-community"),
        rx.table.cell(f.total_pages, text_align="right"),
        rx.table.cell(
            rx.cond(
                f.poll == "polling",
                rx.badge(spinner(12), t("Added, polling…"), color_scheme="blue", class_name="found-poll"),
                rx.cond(
                    f.poll != "",
                    rx.badge(f.poll, color_scheme=rx.cond(f.poll_ok, "green", "red"), class_name="found-poll"),
                    rx.cond(f.known, rx.badge(t("Already added"), color_scheme="gray"), rx.badge(t("New"))),
                ),
            ),
            white_space="nowrap",
        ),
        class_name="found-row",
        custom_attrs={"data-ip": f.ip},
    )


def results() -> rx.Component:
    return rx.cond(
        S.found.length() > 0,
        rx.vstack(
            data_table(
                ["", N_("IP"), N_("Model"), N_("Serial"), N_("MAC"), N_("Community"), N_("Total pages"), ""],
                S.found,
                _row,
                variant="surface",
                size="1",
                id="discover-results",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("list-checks", size=14),
                    t("Select all"),
                    size="1",
                    variant="soft",
                    on_click=S.select_all,
                    id="discover-select-all",
                ),
                rx.button(
                    rx.icon("list-x", size=14),
                    t("Select none"),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.select_none,
                    id="discover-select-none",
                ),
                spacing="2",
            ),
            rx.hstack(
                choice_select(
                    [(NONE, N_("No organization"))],
                    S.organization_id,
                    lambda v: S.set_field("organization_id", v),
                    dynamic=S.org_options,
                    width="240px",
                ),
                rx.button(
                    tf("Add selected: {n}", n=S.selected_count),
                    on_click=S.add_selected,
                    disabled=S.selected_count == 0,
                    id="discover-add",
                ),
                wrap="wrap",
                spacing="3",
            ),
            width="100%",
        ),
    )


def discover_page() -> rx.Component:
    return page(N_("Discover printers"), form(), results())
