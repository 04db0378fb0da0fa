"""What every part of the rule builder page (/printers/<id>/web) shares: its permissions, the field labels, and the
printer id of its route. The page's states import this module and never each other upwards: rules.py (the page)
sits above the form (rule_editor.py, over preview.py), the test runs (rule_runs.py) and the templates
(templates.py); a part that must refresh another's view does it from the component's event chain.
"""

from __future__ import annotations

import reflex as rx

from printer_app import i18n
from printer_app.i18n import N_
from printer_app.models.choices import WebField
from printer_app.state.view import printer_id_from_path

APP = "inventory.access_inventory_app"
VIEW = "inventory.view_web_parsing"
MANAGE = "inventory.manage_web_parsing"
RUN = "inventory.run_inventory"
PUBLIC_TEMPLATES = "inventory.can_create_public_templates"
FIELD_LABELS = {f.value: f.label for f in WebField}
NO_PRINTER = N_("The printer no longer exists")  # translated where shown


def route_printer_id(state: rx.State) -> int:
    """The printer of the page, from `/printers/<id>/web` (0 when the id is not a number)."""
    return printer_id_from_path(state.router.url.path)


def field_label(field_name: str) -> str:
    """A rule's field as the page names it (a variable or unknown field keeps its name)."""
    label = FIELD_LABELS.get(field_name)
    return i18n.gettext(label) if label else field_name
