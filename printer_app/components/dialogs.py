"""The two kinds of dialog the pages use: an edit form (Cancel / Save) and a question before a delete or deactivation.

Escape, the Cancel button and (for a form) a click outside all close a dialog the same way: Radix reports them
through the root's `on_open_change`, which sets the state var that `open` reads. On a phone a dialog takes the
screen's width (less a margin) and a long one scrolls inside itself (FIT).
"""

from __future__ import annotations

import reflex as rx

from printer_app.components.i18n import t, text

FIT = {"max_height": "85vh", "overflow_y": "auto"}  # Radix already narrows a dialog to the screen less 16 px a side

# Enter in a text field of a dialog marked `data-enter-clicks="<save button id>"` clicks that button: one listener per
# window, installed by the first such dialog that mounts. A button, a select or a switch keeps its own Enter.
ENTER_SAVES = """
if (!window.__piEnterSaves) {
  window.__piEnterSaves = true;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.isComposing || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
    var field = e.target;
    if (!field || field.tagName !== "INPUT" || ["checkbox", "radio", "button", "submit"].includes(field.type)) return;
    var box = field.closest("[data-enter-clicks]");
    var save = box && document.getElementById(box.getAttribute("data-enter-clicks"));
    if (!save || save.disabled) return;
    e.preventDefault();
    save.click();
  }, true);
}
"""


def dialog_footer(on_save, *, save_id: str, cancel_id: str | None = None) -> rx.Component:
    """Cancel (closes the dialog without an event of its own) and Save, at the right; in a long form that scrolls
    (a phone) they stay at the bottom of the dialog instead of below the last field."""
    return rx.hstack(
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", id=cancel_id)),
        rx.button(t("Save"), on_click=on_save, id=save_id),
        justify="end",
        width="100%",
        position="sticky",
        bottom="0",
        z_index="1",
        padding_y="10px",
        background="var(--color-panel-solid)",
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
    enter_saves: bool = False,
) -> rx.Component:
    """An edit form in a dialog: title, optional description, the fields, then Cancel / Save.

    `enter_saves`: Enter in a text field of the dialog clicks Save (the same event as a click; Escape still closes).

    `open` is the state var that shows it and `on_open_change` the state's setter for it (Escape and Cancel send
    False). A save that succeeds closes it by setting that var; one that fails leaves it open with the errors.
    """
    header = [rx.dialog.title(text(title))]
    if description is not None:
        header.append(rx.dialog.description(text(description), size="2", color=rx.color("gray", 11)))
    return rx.dialog.root(
        rx.dialog.content(
            *header,
            rx.vstack(
                *body,
                dialog_footer(on_save, save_id=save_id, cancel_id=cancel_id),
                spacing="3",
                padding_top="12px",
            ),
            max_width=max_width,
            **FIT,
            **(
                {"custom_attrs": {"data-enter-clicks": save_id}, "on_mount": rx.call_script(ENTER_SAVES)}
                if enter_saves
                else {}
            ),
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
