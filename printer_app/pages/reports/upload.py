"""Month upload page: choose the month and options, drop the workbook, check the preview, import."""

from __future__ import annotations

import reflex as rx

from printer_app.components.layout import page
from printer_app.components.reports.upload_form import form_card
from printer_app.components.reports.upload_preview import preview_card
from printer_app.i18n import N_


def report_upload_page() -> rx.Component:
    return page(N_("Upload a month"), form_card(), preview_card())
