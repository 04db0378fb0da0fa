"""Rule builder: run every stored rule as a test (nothing stored), and "Poll now" (a real poll, stored)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx

from printer_app import i18n
from printer_app.models.choices import DataSource, TaskStatus
from printer_app.services import events
from printer_app.services.errors import NotFoundError
from printer_app.services.web.parser import test_rules
from printer_app.services.web.rule_page import LastPoll, last_poll, rules_for_test_run
from printer_app.state.live.hub import hub
from printer_app.state.session import SessionState, in_thread, requires, with_session
from printer_app.state.view import local_time, number
from printer_app.state.web.common import MANAGE, NO_PRINTER, RUN, VIEW, field_label, route_printer_id

POLL_WAIT_S = 180.0


@dataclass
class TestRow:
    """One rule's outcome in a test run."""

    field_name: str = ""
    field_label: str = ""
    raw: str = ""
    value: str = ""
    error: str = ""
    url: str = ""
    is_output: bool = True


class WebRuleRunsState(SessionState):
    """The latest test run of all rules, and the printer's latest stored poll."""

    results: list[TestRow] = []
    tested_at: str = ""
    test_summary: str = ""
    testing: bool = False
    polling: bool = False
    last_poll: dict[str, str] = {}

    @rx.event
    @requires(VIEW)
    async def load(self):
        self.results, self.tested_at, self.test_summary = [], "", ""
        self.testing = self.polling = False
        self.last_poll = _last_poll_view(await with_session(last_poll, printer_id=route_printer_id(self)))
        return None

    @rx.event(background=True)
    @requires(MANAGE)
    async def test_all(self):
        """Every stored rule against the device, as a poll would run them; shows each field's value or error."""
        async with self:
            if self.testing:
                return None
            printer_id, self.testing = route_printer_id(self), True
        try:
            printer, rules = await with_session(rules_for_test_run, printer_id=printer_id)
            if not rules:
                return rx.toast.info(i18n.gettext("There are no saved rules to test yet"))
            result = await in_thread(test_rules, printer, rules)
        except NotFoundError:
            return rx.toast.error(i18n.gettext(NO_PRINTER))
        finally:
            async with self:
                self.testing = False
        async with self:
            self.results = [
                TestRow(
                    field_name=r.field_name,
                    field_label=field_label(r.field_name),
                    raw=r.raw or "",
                    value="" if r.value is None or r.error else str(r.value),
                    error=r.error,
                    url=r.url,
                    is_output=not r.field_name.startswith("variable_"),
                )
                for r in result.results
            ]
            produced = len(result.fields)
            self.test_summary = (
                i18n.ngettext(
                    "{n} field produced, {errors} with errors",
                    "{n} fields produced, {errors} with errors",
                    produced,
                    errors=i18n.format_number(len(result.errors)),
                )
                if result.success
                else i18n.gettext("The poll would fail: {error}", error=result.error_text())
            )
            self.tested_at = local_time(datetime.now(UTC))
        return None

    @rx.event(background=True)
    @requires(RUN)
    async def poll_now(self):
        """A real poll through the workers (high priority); waits for its result to show it here."""
        async with self:
            if self.polling:
                return None
            printer_id = route_printer_id(self)
            self.polling = True
        queue = hub.attach()
        try:
            from workers import jobs

            await asyncio.to_thread(jobs.request_poll, printer_id)
            result = await _wait_for_result(queue, printer_id)
        finally:
            hub.detach(queue)
            async with self:
                self.polling = False
        shown = _last_poll_view(await with_session(last_poll, printer_id=printer_id))
        async with self:
            self.last_poll = shown
        if result is None:
            return rx.toast.info(i18n.gettext("The poll is queued; its result will appear on the printer's page"))
        if result["status"] == TaskStatus.SUCCESS:
            return rx.toast.success(i18n.gettext("{ip}: polled successfully", ip=result["ip"]))
        return rx.toast.error(f"{result['ip']}: {TaskStatus(result['status']).text}. {result['error']}"[:300])


def _last_poll_view(poll: LastPoll | None) -> dict[str, str]:
    """The latest poll as the card shows it (empty before the first one)."""
    if poll is None:
        return {}
    task, counter = poll.task, poll.counter
    return {
        "status": task.status,
        "status_label": TaskStatus(task.status).text,
        "at": local_time(task.task_timestamp),
        "source": DataSource(task.data_source).text if task.data_source else "—",
        "total": number(counter.total_pages) if counter else "—",
        "error": task.error_message or "",
    }


async def _wait_for_result(queue: asyncio.Queue, printer_id: int) -> dict | None:
    """The INVENTORY_UPDATE of this printer, or None when none arrives in time."""
    deadline = asyncio.get_running_loop().time() + POLL_WAIT_S
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            kind, payload = await asyncio.wait_for(queue.get(), timeout=left)
        except TimeoutError:
            return None
        if kind == events.INVENTORY_UPDATE and payload.get("printer_id") == printer_id:
            return payload
    return None
