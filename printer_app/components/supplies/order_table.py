"""The "What to order" tab: the horizon in days, then one line per part number and organization."""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, tf
from printer_app.i18n import N_
from printer_app.state.supplies.fleet import SuppliesState
from printer_app.state.supplies.views import OrderLineView

S = SuppliesState


def _line(line: rx.Var[OrderLineView]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.el.span(line.organization, class_name="pi-clip", title=line.organization)),
        rx.el.td(rx.el.span(line.part, class_name="pi-mono order-part")),
        rx.el.td(rx.cond(line.cartridge != "", line.cartridge, line.model)),
        rx.el.td(line.supply),
        rx.el.td(rx.el.strong(line.count.to_string(), class_name="order-count"), class_name="pi-num"),
        rx.el.td(line.printers, class_name="pi-num"),
        rx.el.td(rx.el.span(line.soonest, class_name="pi-tone-text-" + line.tone)),
        class_name="order-row",
        key=line.key,
    )


def horizon() -> rx.Component:
    return rx.hstack(
        rx.text(t("Runs out within"), size="2"),
        rx.input(
            type="number",
            min=1,
            max=3650,
            default_value=S.order_days,
            key=rx.State.is_hydrated.to_string(),  # the user's own field: the server never writes into it
            on_change=S.set_order_days.debounce(400),
            width="80px",
            id="order-days",
        ),
        rx.text(t("days"), size="2"),
        rx.spacer(),
        rx.text(tf("Cartridges to order: {n}", n=S.order_total), size="2", weight="bold", id="order-total"),
        align="center",
        spacing="2",
        width="100%",
        flex_wrap="wrap",
    )


def order_table() -> rx.Component:
    headers = [
        N_("Organization"),
        N_("Part number"),
        N_("Cartridge"),
        N_("Supply"),
        N_("To order"),
        N_("Printers"),
        N_("Soonest"),
    ]
    return rx.vstack(
        horizon(),
        rx.el.div(
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        *[
                            rx.el.th(t(h), class_name="pi-num" if h in ("To order", "Printers") else None)
                            for h in headers
                        ]
                    )
                ),
                rx.el.tbody(rx.foreach(S.order_lines, _line)),
                class_name="pi-table",
            ),
            class_name="pi-table-wrap pi-table-short",
            id="order-table",
        ),
        rx.cond(
            S.order_lines.length() == 0,
            rx.center(rx.text(t("Nothing runs out within these days.")), padding="24px", width="100%"),
        ),
        width="100%",
        spacing="3",
    )
