"""Form widgets used across pages: selects, labelled fields with their error text, debounced inputs, busy buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx

from printer_app.components.i18n import t, text
from printer_app.components.spinner import spinner


def _pair_item(option) -> rx.Component:
    """The select item of a `[value, label]` pair held in a list var."""
    return rx.select.item(option[1], value=option[0])


def choice_select(
    options: Sequence[Sequence[str]],
    value,
    on_change,
    *,
    dynamic=None,
    item: Callable[..., rx.Component] = _pair_item,
    width: str | None = None,
    id: str | None = None,
    placeholder=None,
    **props,
) -> rx.Component:
    """A select of fixed `(value, label)` options, then one `item(o)` per element of the list var `dynamic`.

    `id` and `width` go to the trigger: the trigger is what a user (and a browser test) clicks and reads.
    """
    items = [rx.select.item(text(label), value=v) for v, label in options]
    if dynamic is not None:
        items.append(rx.foreach(dynamic, item))
    return rx.select.root(
        rx.select.trigger(width=width, id=id, placeholder=text(placeholder)),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        **props,
    )


def filter_select(
    state,
    name: str,
    options: Sequence[Sequence[str]],
    *,
    dynamic=None,
    item: Callable[..., rx.Component] = _pair_item,
    width: str = "170px",
    value=None,
) -> rx.Component:
    """A list filter of a `PagedListMixin` state: the choice goes to `state.set_filter(name, choice)`.

    The trigger's id is `filter-<name>`. `value` stands in for `state.<name>` inside an `rx.memo` (which gets it as
    a prop).
    """
    return choice_select(
        options,
        getattr(state, name) if value is None else value,
        lambda choice: state.set_filter(name, choice),
        dynamic=dynamic,
        item=item,
        width=width,
        id=f"filter-{name}",
    )


def field_error(errors, name: str) -> rx.Component:
    """The validation message of one form field, if any (`error-<name>`)."""
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color=rx.color("red", 11), size="1", id=f"error-{name}"),
    )


def labelled(label, control: rx.Component, *, errors=None, name: str = "", hint=None, **props) -> rx.Component:
    """A form field: its label (text, or a component such as a label with a hint), the control, an optional hint
    beneath, and the field's error from `errors[name]`. Full width unless `props` says otherwise."""
    children = [label if isinstance(label, rx.Component) else rx.text(text(label), size="2", weight="medium"), control]
    if hint is not None:
        children.append(rx.text(text(hint), size="1", color=rx.color("gray", 10)))
    if errors is not None:
        children.append(field_error(errors, name))
    return rx.vstack(*children, spacing="1", **{"width": "100%", **props})


def form_input(state, name: str, label: str, *, id_prefix: str, control=rx.input, **props) -> rx.Component:
    """A labelled input of a form state that keeps its values in `form` and its errors in `errors`, and takes a
    change through `set_value(name, value)`; the input's id is `<id_prefix>-<name>`."""
    return labelled(
        label,
        control(
            value=state.form[name],
            on_change=lambda v: state.set_value(name, v),
            id=f"{id_prefix}-{name}",
            width="100%",
            **props,
        ),
        errors=state.errors,
        name=name,
    )


def debounced_input(value, on_change, *, id: str, **props) -> rx.Component:
    """An input that sends its value 300 ms after the last keystroke (searches, and rule fields that each re-run
    the rule on the server)."""
    return rx.debounce_input(rx.input(value=value, on_change=on_change, id=id, **props), debounce_timeout=300)


def busy_button(label: str, icon: str, *, busy, on_click, id: str, **props) -> rx.Component:
    """A button for slow work: a spinner replaces its icon and it stays disabled while `busy`."""
    return rx.button(
        rx.cond(busy, spinner(16), rx.icon(icon, size=16)),
        text(label),
        on_click=on_click,
        disabled=busy,
        id=id,
        **props,
    )


def active_toggle(active, on_click, **props) -> rx.Component:
    """The Deactivate / Activate button of a table row."""
    return rx.button(
        rx.cond(active, t("Deactivate"), t("Activate")),
        size="1",
        variant="soft",
        color_scheme=rx.cond(active, "orange", "green"),
        on_click=on_click,
        **props,
    )
