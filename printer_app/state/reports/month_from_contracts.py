"""State of the "Create month from contracts" dialog of the month list: the month, organizations and statuses
ticked, a preview of how many rows it would add, then the creation's figures (services/reports/from_contracts.py).
Opening, previewing and creating need ACCESS and UPLOAD (it makes a month as an upload does)."""

from __future__ import annotations

from datetime import date

import reflex as rx

from printer_app.config import get_settings
from printer_app.i18n import format_number, gettext
from printer_app.models.base import utcnow
from printer_app.services.errors import DomainValidationError
from printer_app.services.reports.from_contracts import (
    NO_STATUS,
    Candidates,
    contract_choices,
    create_month_from_contracts,
    preview_from_contracts,
)
from printer_app.services.reports.months import month_key, parse_report_month
from printer_app.state.reports.access import ACCESS, UPLOAD
from printer_app.state.reports.months import MonthsState
from printer_app.state.session import SessionState, requires, with_session
from printer_app.state.view import refusal_text

MAX_CHOICES = 10_000  # more ticked boxes than any dialog shows: a forged event


def _figures(found: Candidates) -> str:
    return gettext(
        "{new} of {devices} devices would be added; left out: {already} already in the month, {no_serial} without "
        "a serial, {duplicates} with a serial listed twice.",
        new=format_number(found.new),
        devices=format_number(found.devices),
        already=format_number(found.already_in_month),
        no_serial=format_number(found.no_serial),
        duplicates=format_number(found.duplicate_serial),
    )


class FromContractsState(SessionState):
    """The dialog; nothing is written before "Create"."""

    open: bool = False
    month: str = ""  # YYYY-MM (the month input's value)
    organizations: list[list[str]] = []  # [id, name]
    statuses: list[list[str]] = []  # [id, name]; id "0" = devices without a status
    chosen_orgs: list[str] = []
    chosen_statuses: list[str] = []
    preview: str = ""
    result: str = ""
    error: str = ""
    busy: bool = False

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def open_dialog(self) -> None:
        """Open on the current month, no organization ticked, every status ticked."""
        choices = await with_session(contract_choices)
        self.organizations = [[str(i), name] for i, name in choices["organizations"]]
        self.statuses = [[str(i), name] for i, name in choices["statuses"]] + [[str(NO_STATUS), gettext("No status")]]
        today = utcnow().astimezone(get_settings().tz).date()
        self.month = month_key(today)
        self.chosen_orgs, self.chosen_statuses = [], [s[0] for s in self.statuses]
        self.preview, self.result, self.error, self.open = "", "", "", True

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = bool(value)

    @rx.event
    def set_month(self, value: str) -> None:
        self.month, self.preview, self.result = str(value)[:10], "", ""

    @rx.event
    def toggle_org(self, org_id: str) -> None:
        key = str(org_id)[:12]
        self.chosen_orgs = (
            [o for o in self.chosen_orgs if o != key] if key in self.chosen_orgs else [*self.chosen_orgs, key]
        )
        self.preview, self.result = "", ""

    @rx.event
    def toggle_status(self, status_id: str) -> None:
        key = str(status_id)[:12]
        chosen = self.chosen_statuses
        self.chosen_statuses = [s for s in chosen if s != key] if key in chosen else [*chosen, key]
        self.preview, self.result = "", ""

    @rx.event
    def choose_all_orgs(self) -> None:
        self.chosen_orgs = [o[0] for o in self.organizations]
        self.preview, self.result = "", ""

    def _inputs(self) -> tuple[date, list[str], list[str]]:
        try:
            month = parse_report_month(self.month)
        except ValueError as exc:
            raise DomainValidationError({"month": str(exc)}) from None
        if len(self.chosen_orgs) > MAX_CHOICES or len(self.chosen_statuses) > MAX_CHOICES:
            raise DomainValidationError({"form": gettext("Not a choice of the list.")})
        return month, list(self.chosen_orgs), list(self.chosen_statuses)

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def run_preview(self) -> None:
        """How many rows the creation would add."""
        self.error = self.result = ""
        try:
            month, orgs, statuses = self._inputs()
            found = await with_session(preview_from_contracts, month=month, organization_ids=orgs, status_ids=statuses)
        except DomainValidationError as exc:
            self.error, self.preview = refusal_text(exc), ""
            return
        self.preview = _figures(found)

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def create(self):
        """Create the rows (one transaction); the month list follows through REPORTS_CHANGED."""
        self.error = self.result = ""
        try:
            month, orgs, statuses = self._inputs()
        except DomainValidationError as exc:
            self.error = refusal_text(exc)
            return
        self.busy = True
        yield
        try:
            done = await with_session(
                create_month_from_contracts,
                month=month,
                organization_ids=orgs,
                status_ids=statuses,
                actor=self._actor(),
            )
        except DomainValidationError as exc:
            self.error = refusal_text(exc)
            return
        finally:
            self.busy = False
        self.preview = ""
        self.result = gettext(
            "{month}: rows created: {created}; start counters from the previous month: {previous}, from the "
            "month's first poll: {first}; end counters from polls: {polled}; without polls: {unpolled}.",
            month=month_key(month),
            created=format_number(done.created),
            previous=format_number(done.start_from_previous),
            first=format_number(done.start_from_poll),
            polled=format_number(done.end_from_poll),
            unpolled=format_number(done.without_polls),
        )
        yield [rx.toast.success(self.result), MonthsState.reload]
