"""Labels in the user's language: `t("Printers")` is a lookup in the catalogue the browser holds (no round trip).

A message that is not in the catalogues fails when the page is compiled (a typo would otherwise show nothing):
run `make messages` after adding one, then translate it (README "Languages").
"""

from __future__ import annotations

import reflex as rx

from printer_app import i18n
from printer_app.state.session import SessionState


def t(message: str) -> rx.Var[str]:
    """`message` in the user's language."""
    if not i18n.catalogued(message):
        raise KeyError(f"{message!r} is not in the message catalogues: run `make messages` and translate it")
    return SessionState.t[message]


def tf(message: str, **values: rx.Var | str | int) -> rx.Var[str]:
    """`message` in the user's language with its `{name}` placeholders filled from `values` (Vars or values)."""
    text = t(message)
    for name, value in values.items():
        filler = value.to(str) if isinstance(value, rx.Var) else str(value)
        text = text.replace("{" + name + "}", filler)
    return text


def text(value):
    """A label given as a message (a str) in the user's language; a Var or a component stays as it is.

    The shared widgets (`page`, `section_card`, `labelled`, `busy_button`, dialog titles, select options, table
    headers...) pass their labels through it, so a page writes `section_card("Poll history", ...)`.
    """
    return t(value) if isinstance(value, str) and value else value
