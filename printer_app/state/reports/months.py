"""State of the month list (`/reports`): one row per month the user may see, sortable; publish, auto-sync, editable
until, export and delete per permission; open tabs follow REPORTS_CHANGED from any tab or process.

Permissions (docs/reports.md §10.8): the page needs ACCESS; unpublished months only with VISIBILITY; the metrics
columns only with METRICS; publish / hide needs VISIBILITY, auto-sync SYNC, editable until UPLOAD (as the upload's
own "allow editing"), delete DELETE_MONTH, export ACCESS (docs/reports.md §10.4). Every handler re-checks that the
month exists for this user (an unpublished month is "not found" to those who may not see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

import reflex as rx
from babel.dates import format_date as babel_format_date

from printer_app import i18n
from printer_app.config import get_settings
from printer_app.i18n import format_number, gettext
from printer_app.services import events
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.reports import month_admin
from printer_app.services.reports.export import XLSX_MIME, export_filename, export_month_bytes
from printer_app.services.reports.month_list import MonthSummary, visible_summaries
from printer_app.services.reports.months import default_edit_until, parse_report_month
from printer_app.services.reports.visibility import month_control, month_visible
from printer_app.state.live.follow import follow
from printer_app.state.paged import SortableMixin
from printer_app.state.reports.access import ACCESS, DELETE_MONTH, METRICS, SYNC, UPLOAD, VISIBILITY
from printer_app.state.session import (
    SessionState,
    requires,
    requires_page,
    with_session,
)
from printer_app.state.view import local_time, refusal_text

SORTABLE = ("month", "rows", "organizations", "total_prints", "avg_k1", "avg_k2", "completion", "autofill_potential")
LIVE_WINDOW = 0.3
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local"> value


@dataclass
class MonthView:
    """A month as the list shows it: texts ready to display, raw figures to sort by."""

    key: str = ""  # YYYY-MM
    label: str = ""  # "October 2026" in the user's language, as a heading
    name: str = ""  # the same inside a sentence ("март 2026" in Russian)
    rows: int = 0
    rows_text: str = ""
    organizations: int = 0
    total_prints: int = 0
    total_text: str = ""
    avg_k1: float = -1.0  # -1: no row to average
    avg_k1_text: str = "—"
    avg_k2: float = -1.0
    avg_k2_text: str = "—"
    completion: float = -1.0
    completion_text: str = "—"
    autofill_potential: float = -1.0
    potential_text: str = "—"
    actual_text: str = "—"
    edit_until_text: str = ""  # "until 31.10.2026 23:59" or "closed"
    editable: bool = False
    published: bool = False
    auto_sync: bool = True


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{format_number(round(value, 1))} %"


def month_view(summary: MonthSummary, lang: str) -> MonthView:
    until = summary.edit_until
    if summary.editable and until is not None:
        edit_text = gettext("until {moment}", moment=local_time(until))
    else:
        edit_text = gettext("closed")
    name = babel_format_date(summary.month, "LLLL yyyy", locale=lang)
    return MonthView(
        key=summary.key,
        label=name[:1].upper() + name[1:],
        name=name,
        rows=summary.rows,
        rows_text=format_number(summary.rows),
        organizations=summary.organizations,
        total_prints=summary.total_prints,
        total_text=format_number(summary.total_prints),
        avg_k1=-1.0 if summary.avg_k1 is None else summary.avg_k1,
        avg_k1_text="—" if summary.avg_k1 is None else format_number(summary.avg_k1),
        avg_k2=-1.0 if summary.avg_k2 is None else summary.avg_k2,
        avg_k2_text="—" if summary.avg_k2 is None else format_number(summary.avg_k2),
        completion=-1.0 if summary.completion is None else summary.completion,
        completion_text=_percent(summary.completion),
        autofill_potential=-1.0 if summary.autofill_potential is None else summary.autofill_potential,
        potential_text=_percent(summary.autofill_potential),
        actual_text=_percent(summary.autofill_actual),
        edit_until_text=edit_text,
        editable=summary.editable,
        published=summary.published,
        auto_sync=summary.auto_sync,
    )


def _month(key: object) -> date:
    """A month key from an event (hostile until parsed)."""
    if not isinstance(key, str) or len(key) > 10:
        raise DomainValidationError({"month": gettext("Not a month.")})
    try:
        return parse_report_month(key)
    except ValueError as exc:
        raise DomainValidationError({"month": str(exc)}) from None


def _summaries(session, *, can_manage: bool, with_metrics: bool) -> list[MonthSummary]:
    return visible_summaries(session, can_manage=can_manage, with_metrics=with_metrics)


class MonthsState(SortableMixin, SessionState):
    """The month list; every change re-reads the months (a few aggregate queries)."""

    LIST_PERMISSIONS: ClassVar[tuple[str, ...]] = (ACCESS,)
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORTABLE
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = SORTABLE
    SORT_REQUERIES: ClassVar[bool] = False

    rows: list[MonthView] = []
    sort: str = "month"
    descending: bool = True
    loaded: bool = False
    exporting: str = ""  # the month being exported
    delete_key: str = ""  # the month the delete question is about
    delete_text: str = ""
    edit_key: str = ""  # the month of the "Editable until" dialog
    edit_label: str = ""
    edit_value: str = ""  # datetime-local text in the configured zone
    edit_error: str = ""

    @rx.var
    def shown(self) -> list[MonthView]:
        """The months in the chosen order (the list is short: a few dozen months)."""
        column = "key" if self.sort == "month" else self.sort
        return sorted(self.rows, key=lambda r: (getattr(r, column), r.key), reverse=self.descending)

    def _can(self, perm: str) -> bool:
        """Whether the user holds `perm`, as the guard of this very event just read it from the database."""
        return perm in self.permissions

    async def _query(self) -> None:
        summaries = await with_session(_summaries, can_manage=self._can(VISIBILITY), with_metrics=self._can(METRICS))
        self.rows = [month_view(s, self.language) for s in summaries]

    async def _visible_month(self, key: object) -> date:
        """The month of an event, if it exists for this user; DomainValidationError / NotFoundError otherwise."""
        month = _month(key)
        if not await with_session(month_visible, month, can_manage=self._can(VISIBILITY)):
            raise NotFoundError(gettext("There is no report for {month}.", month=key))
        return month

    async def _act(self, fn, key: object, **kwargs):
        """Run a month action (audited as this user's); its refusal as a toast; the list re-read either way."""
        try:
            month = await self._visible_month(key)
            await with_session(fn, month=month, actor=self._actor(), **kwargs)
        except (DomainValidationError, NotFoundError) as exc:
            await self._query()
            return rx.toast.error(refusal_text(exc) if isinstance(exc, DomainValidationError) else str(exc))
        await self._query()
        return None

    @rx.event
    @requires_page(ACCESS)
    async def load(self):
        """Page load: the months, then live updates."""
        await self._query()
        self.loaded = True
        return MonthsState.listen

    @rx.event
    @requires(ACCESS)
    async def reload(self) -> None:
        await self._query()

    @rx.event
    @requires(ACCESS, VISIBILITY)
    async def set_published(self, key: str, published: bool):
        return await self._act(month_admin.set_published, key, published=bool(published))

    @rx.event
    @requires(ACCESS, SYNC)
    async def set_auto_sync(self, key: str, enabled: bool):
        return await self._act(month_admin.set_auto_sync, key, enabled=bool(enabled))

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def open_edit_until(self, key: str):
        """The "Editable until" dialog, filled with the month's moment (or the month's last day when closed)."""
        row = next((r for r in self.rows if r.key == key), None) if isinstance(key, str) else None
        if row is None:
            return rx.toast.error(gettext("There is no report for {month}.", month=str(key)[:10]))
        until = await with_session(_edit_until_of, _month(key))
        self.edit_key, self.edit_label, self.edit_error = key, row.label, ""
        self.edit_value = until.astimezone(get_settings().tz).strftime(LOCAL_INPUT)
        return None

    @rx.event
    def set_edit_value(self, value: str) -> None:
        self.edit_value = str(value)[:20]

    @rx.event
    def close_edit_until(self, _open: bool = False) -> None:
        self.edit_key, self.edit_error = "", ""

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def save_edit_until(self):
        """Keep the month editable until the typed local moment."""
        try:
            moment = datetime.strptime(self.edit_value, LOCAL_INPUT).replace(tzinfo=get_settings().tz)
        except (TypeError, ValueError):
            self.edit_error = gettext("Choose a date and a time.")
            return None
        answer = await self._act(month_admin.set_edit_until, self.edit_key, edit_until=moment)
        if answer is None:
            key, self.edit_key = self.edit_key, ""
            return rx.toast.success(
                gettext("{month} is editable until {moment}.", month=key, moment=local_time(moment))
            )
        return answer

    @rx.event
    @requires(ACCESS, UPLOAD)
    async def close_month(self):
        """Close the month: nobody edits it any more, polls no longer fill it."""
        answer = await self._act(month_admin.set_edit_until, self.edit_key, edit_until=None)
        if answer is None:
            key, self.edit_key = self.edit_key, ""
            return rx.toast.success(gettext("{month} is closed.", month=key))
        return answer

    @rx.event
    @requires(ACCESS, DELETE_MONTH)
    async def ask_delete(self, key: str):
        row = next((r for r in self.rows if r.key == key), None) if isinstance(key, str) else None
        if row is None:
            return rx.toast.error(gettext("There is no report for {month}.", month=str(key)[:10]))
        self.delete_key = key
        self.delete_text = i18n.ngettext(
            "Delete the report of {month} with its {n} row and its change history? This cannot be undone.",
            "Delete the report of {month} with its {n} rows and their change history? This cannot be undone.",
            row.rows,
            month=row.name,
        )
        return None

    @rx.event
    def cancel_delete(self) -> None:
        self.delete_key, self.delete_text = "", ""

    @rx.event
    @requires(ACCESS, DELETE_MONTH)
    async def confirm_delete(self):
        key, self.delete_key = self.delete_key, ""
        try:
            month = await self._visible_month(key)
            deleted = await with_session(month_admin.delete_month, month=month, actor=self._actor())
        except (DomainValidationError, NotFoundError) as exc:
            await self._query()
            return rx.toast.error(refusal_text(exc) if isinstance(exc, DomainValidationError) else str(exc))
        await self._query()
        return rx.toast.success(
            i18n.ngettext("{month} deleted: {n} row.", "{month} deleted: {n} rows.", deleted, month=key)
        )

    @rx.event
    @requires(ACCESS)
    async def export(self, key: str):
        """The month's workbook (docs/reports.md §10.4)."""
        try:
            month = await self._visible_month(key)
        except (DomainValidationError, NotFoundError) as exc:
            yield rx.toast.error(refusal_text(exc) if isinstance(exc, DomainValidationError) else str(exc))
            return
        self.exporting = key
        yield
        try:
            data, _count = await with_session(export_month_bytes, month)
        finally:
            self.exporting = ""
        yield rx.download(data=data, filename=export_filename(month), mime_type=XLSX_MIME)

    @rx.event(background=True)
    @requires(ACCESS)
    async def listen(self):
        """Re-read the months when any report changes (an upload, an edit, a sync, another tab's action), until the
        tab leaves or its session no longer grants the page (checked every RECHECK_SECONDS)."""
        kept = lambda event: event[0] == events.REPORTS_CHANGED  # noqa: E731
        async with follow(self, keep=kept, permissions=(ACCESS,), window=LIVE_WINDOW) as batches:
            async for _batch in batches:
                async with self:
                    can_manage, with_metrics, lang = self._can(VISIBILITY), self._can(METRICS), self.language
                summaries = await with_session(_summaries, can_manage=can_manage, with_metrics=with_metrics)
                with i18n.use_language(lang):
                    views = [month_view(s, lang) for s in summaries]
                async with self:
                    self.rows = views


def _edit_until_of(session, month: date) -> datetime:
    """The month's edit_until, or its last day 23:59 local when it is closed or has no control row."""
    control = month_control(session, month)
    if control is not None and control.edit_until is not None:
        return control.edit_until
    return default_edit_until(month, get_settings().tz)
