"""A tab's "Poll now" requests whose result did not come in time, answered from the database.

Its live update may have been lost (Redis restarted between the commit and the publish, the backend that listened
was replaced), or no worker recorded a result (the message was lost, the worker died first). The tab's listener
asks after RESULT_GRACE beyond the poll actor's time limit and shows what the database knows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from printer_app.i18n import gettext
from printer_app.services import events
from printer_app.services.polling.results import results_since
from printer_app.state.live.hub import Event
from printer_app.state.session import with_session

RESULT_GRACE = 30.0  # seconds a "Poll now" may wait in the queue beyond the actor's time limit
NO_RESULT = "no_result"  # the listener's own event (never published): a request of the tab no worker answered


def result_timeout() -> float:
    """Seconds after which a "Poll now" without a result is looked up: the poll actor's time limit and RESULT_GRACE."""
    from workers import jobs

    return jobs.poll_result_time_limit_s() + RESULT_GRACE


async def _found(requested: dict[int, float]) -> dict[int, dict]:
    """The result stored for each request (printer id -> when asked) since it was made, read in a worker thread."""
    return await with_session(results_since, {i: datetime.fromtimestamp(at, UTC) for i, at in requested.items()})


async def stored_answers(requested: dict[int, float]) -> list[Event]:
    """Results already stored for these requests (printer id -> when asked), as the live updates that carried them."""
    return [(events.INVENTORY_UPDATE, a) for a in (await _found(requested)).values() if a["status"] is not None]


async def late_events(overdue: dict[int, float]) -> list[Event]:
    """The answers to overdue requests from the database: the result stored since the request (its live update was
    lost), else NO_RESULT (no worker recorded one: the message was lost, or the worker died first)."""
    found = await _found(overdue)
    late: list[Event] = []
    for printer_id, at in overdue.items():
        answer = found.get(printer_id) or {
            "printer_id": printer_id,
            "ip": gettext("Printer #{id}", id=printer_id),
            "status": None,
        }
        if answer["status"] is None:
            late.append((NO_RESULT, {**answer, "requested_at": at}))
        else:
            late.append((events.INVENTORY_UPDATE, answer))
    return late
