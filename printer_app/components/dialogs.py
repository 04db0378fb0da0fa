"""The two kinds of dialog the pages use: an edit form (Cancel / Save) and a question before a delete or deactivation.

Escape, the Cancel button and (for a form) a click outside all close a dialog the same way: Radix reports them
through the root's `on_open_change`, which sets the state var that `open` reads. On a phone a dialog takes the
screen's width (less a margin) and a long one scrolls inside itself (FIT).
"""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, text

FIT = {"max_height": "85vh", "overflow_y": "auto"}  # Radix already narrows a dialog to the screen less 16 px a side


def dialog_footer(on_save, *, save_id: str, cancel_id: str | None = None, submits: bool = False) -> rx.Component:
    """Cancel (closes the dialog without an event of its own) and Save, at the right.

    `submits`: Save is the submit button of the form around it (the form's on_submit saves; no click handler too).
    """
    save = (
        rx.button(t("Save"), type="submit", id=save_id)
        if submits
        else rx.button(t("Save"), on_click=on_save, id=save_id)
    )
    return rx.hstack(
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", id=cancel_id, type="button")),
        save,
        justify="end",
        width="100%",
    )


def form_dialog(
    title,
    *body: rx.Component,
    open,
    on_open_change,
    on_save,
    save_id: str,
    cancel_id: str | None = None,
    description: str | None = None,
    max_width: str = "520px",
    on_submit=None,
) -> rx.Component:
    """An edit form in a dialog: title, optional description, the fields, then Cancel / Save.

    `on_submit` (an event taking the form data): the fields are a real form, Enter in a field submits it and Save is
    its submit button; other buttons in the body must be `type="button"`.

    `open` is the state var that shows it and `on_open_change` the state's setter for it (Escape and Cancel send
    False). A save that succeeds closes it by setting that var; one that fails leaves it open with the errors.
    """
    header = [rx.dialog.title(text(title))]
    if description is not None:
        header.append(rx.dialog.description(text(description), size="2", color=rx.color("gray", 11)))
    return rx.dialog.root(
        rx.dialog.content(
            *header,
            _form_body(body, on_save, on_submit, save_id=save_id, cancel_id=cancel_id),
            max_width=max_width,
            **FIT,
        ),
        open=open,
        on_open_change=on_open_change,
    )


def confirm_dialog(
    title,
    description,
    *,
    action: str,
    on_confirm,
    confirm_id: str,
    open=None,
    on_cancel=None,
    trigger: rx.Component | None = None,
    color_scheme: str = "red",
    max_width: str = "440px",
) -> rx.Component:
    """A yes/no question before an action that cannot be taken back.

    Driven by the state: `open` (e.g. `confirm_id > 0`) shows it, `on_cancel` resets that var (sent by Escape and
    by Cancel), and `on_confirm` resets it too as it acts. Or opened by a `trigger` button: then Radix opens and
    closes it itself, and the action button closes it as well.
    """
    confirm = rx.button(text(action), color_scheme=color_scheme, on_click=on_confirm, id=confirm_id)
    content = rx.alert_dialog.content(
        rx.alert_dialog.title(text(title)),
        rx.alert_dialog.description(text(description), size="2"),
        rx.hstack(
            rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
            confirm if trigger is None else rx.alert_dialog.action(confirm),
            justify="end",
            padding_top="12px",
            flex_wrap="wrap",
        ),
        max_width=max_width,
        **FIT,
    )
    if trigger is not None:
        return rx.alert_dialog.root(rx.alert_dialog.trigger(trigger), content)
    return rx.alert_dialog.root(content, open=open, on_open_change=lambda _open: on_cancel())


def _form_body(body: tuple, on_save, on_submit, *, save_id: str, cancel_id: str | None) -> rx.Component:
    fields = rx.vstack(
        *body,
        dialog_footer(on_save, save_id=save_id, cancel_id=cancel_id, submits=on_submit is not None),
        spacing="3",
        padding_top="12px",
    )
    if on_submit is None:
        return fields
    return rx.form(fields, on_submit=on_submit, reset_on_submit=False, width="100%")
