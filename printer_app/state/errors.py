"""What a user sees when an event handler fails unexpectedly: a short notice, never a stack trace.

Handlers validate their input before assigning it to the state, so a failed event leaves its tab usable; the
traceback goes to the server log under a reference the notice shows, so a report can be matched to it.
"""

import logging
import secrets

import reflex as rx
from reflex.event import EventSpec

from printer_app.i18n import gettext

log = logging.getLogger(__name__)


def backend_exception_handler(exception: Exception) -> EventSpec:
    """Log the failure with its traceback; tell the user in one line (rx.App's `backend_exception_handler`)."""
    ref = secrets.token_hex(4)
    log.error("Event handler failed [ref %s]", ref, exc_info=(type(exception), exception, exception.__traceback__))
    return rx.toast.error(
        gettext(
            "Something went wrong on the server (ref {ref}). The page still works: try again, or reload it.", ref=ref
        ),
        duration=10000,
    )
