"""The month table's cell editors (a mixin of MonthTableState, docs/reports.md "Inline editing in the month
table"): open an editor on a counter whose lock is "" (or A / D / L / W for uploaders), save it through the services
(services/reports/counter_edit.py, row_edit.py) against the value the editor opened on, Tab / Shift+Tab to the next
editable cell, "reset to inventory".

The state using it holds `rows` (RowView), `editable`, `editing`, `edit_loaded`, `edit_error`, `tab_move`,
`hidden_columns` and `_query()`; the pure setters `cancel_edit` / `edit_key` stay on that state.
"""

from __future__ import annotations

import reflex as rx

from printer_app.i18n import format_number, gettext
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.reports.columns import COUNTER_FIELDS, END_FIELDS, START_FIELDS
from printer_app.services.reports.counter_edit import LABELS, edit_counter, reset_to_inventory
from printer_app.services.reports.row_edit import edit_sla_value
from printer_app.state.reports.access import ACCESS, EDIT_END, EDIT_START, RESET_AUTO, UPLOAD
from printer_app.state.reports.table_view import INLINE, RowView, next_cell
from printer_app.state.session import requires, with_session
from printer_app.state.view import refusal_text


def _edit_permission(field: str) -> str:
    """Who may edit a column: start / end counters their editors, A / D / L / W those who upload the month."""
    if field in START_FIELDS:
        return EDIT_START
    return EDIT_END if field in END_FIELDS else UPLOAD


def _opening(_state: CellEditMixin, *args: object, **kwargs: object) -> str:
    """`start_edit(row_id, field)`: Reflex passes the arguments by name, a direct call by position."""
    field = kwargs.get("field", args[1] if len(args) > 1 else "")
    return _edit_permission(str(field))


def _edited(state: CellEditMixin, *_args: object, **_kwargs: object) -> str:
    return _edit_permission(state.editing.partition(":")[2])


class CellEditMixin(rx.State, mixin=True):
    """The guarded handlers of the table's inline editors."""

    @rx.event
    @requires(ACCESS, _opening)
    async def start_edit(self, row_id: int, field: str):
        """Open the inline editor of a cell: a counter when its lock is "", A / D / L / W for uploaders."""
        row = next((r for r in self.rows if r.id == row_id), None)
        if row is None or field not in INLINE:
            return None
        if not self.editable:
            return rx.toast.error(gettext("This month is closed for editing."))
        if field in COUNTER_FIELDS and row.locks.get(field):
            return rx.toast.error(row.locks[field])
        self._open(row, field)
        return None

    def _open(self, row: RowView, field: str) -> None:
        self.editing, self.edit_loaded, self.edit_error, self.tab_move = f"{row.id}:{field}", row.raw[field], "", ""

    @rx.event
    @requires(ACCESS, _edited)
    async def save_edit(self, form: dict):
        """Enter in an edited cell: the value is stored (totals, K1 / K2 recomputed) or refused with the reason."""
        text = str(form.get("value", "")) if isinstance(form, dict) else ""
        _saved, answer = await self._save(text)
        return answer

    @rx.event
    @requires(ACCESS, _edited)
    async def blur_edit(self, value: str):
        """The editor lost focus: after Tab it saves and opens the next (Shift: previous) editable cell."""
        move, self.tab_move = self.tab_move, ""
        if not move or not self.editing:
            return None
        current = self.editing
        saved, answer = await self._save(str(value))
        if not saved:
            return answer if self.editing == "" else [answer, rx.set_focus("cell-editor")]
        hidden = {c for c in self.hidden_columns.split(",") if c}
        sla = self.editable and UPLOAD in self.permissions
        target = next_cell(self.rows, current, backwards=move == "back", hidden=hidden, sla=sla)
        if target is not None:
            self._open(*target)
        return answer

    async def _save(self, text: str) -> tuple[bool, object]:
        """Store the edited cell's typed text: (saved, the toast to show). A bad value stays in the editor with its
        reason; a conflict, a lock or a vanished row closes it and re-reads the page."""
        row_id, _sep, field = self.editing.partition(":")
        row = next((r for r in self.rows if str(r.id) == row_id), None)
        if row is None or field not in INLINE:
            self.editing = ""
            return False, None
        loaded = self.edit_loaded or row.raw.get(field, "0")
        try:
            if field in COUNTER_FIELDS:
                await with_session(
                    edit_counter,
                    row_id=row.id,
                    field=field,
                    text=text[:80],
                    loaded=int(float(loaded)),
                    permissions=tuple(self.permissions),
                    actor=self._actor(),
                )
            else:
                loaded_sla = float(loaded)
                await with_session(
                    edit_sla_value, row_id=row.id, field=field, text=text[:40], loaded=loaded_sla, actor=self._actor()
                )
        except (NotFoundError, ConflictError) as exc:  # the table then shows the value stored now
            self.editing = ""
            await self._query()
            return False, rx.toast.error(refusal_text(exc) if isinstance(exc, ConflictError) else str(exc))
        except DomainValidationError as exc:
            if "form" in exc.errors:  # the cell cannot be edited (any more): closed, and why
                self.editing = ""
                await self._query()
            else:  # a bad value stays in the field to be fixed
                self.edit_error = refusal_text(exc)
            return False, rx.toast.error(refusal_text(exc))
        self.editing, self.edit_error = "", ""
        await self._query()
        return True, None

    @rx.event
    @requires(ACCESS, RESET_AUTO)
    async def reset_counter(self, row_id: int, field: str):
        """Put an end counter back to its inventory value and clear its manual flag."""
        if field not in END_FIELDS or not any(r.id == row_id for r in self.rows):
            return None
        try:
            result = await with_session(
                reset_to_inventory, row_id=row_id, field=field, permissions=tuple(self.permissions), actor=self._actor()
            )
        except (NotFoundError, DomainValidationError) as exc:
            await self._query()
            return rx.toast.error(refusal_text(exc) if isinstance(exc, DomainValidationError) else str(exc))
        await self._query()
        message = gettext(
            "{field}: reset to the inventory value {value}.",
            field=gettext(LABELS[field]),
            value=format_number(result.value),
        )
        return rx.toast.success(message)
