"""The live-update plumbing of a tab: batching, which events a listener applies, when progress shows."""

from __future__ import annotations

import asyncio

import pytest

from printer_app.models.choices import TriggeredBy
from printer_app.services import events
from printer_app.state.live.hub import Watch, next_batch
from printer_app.state.live.state import PROGRESS_EVERY, _Progress, _Relevant


def result(printer_id: int) -> tuple[str, dict]:
    return events.INVENTORY_UPDATE, {"printer_id": printer_id, "status": 1, "ip": "127.0.0.2", "error": ""}


def start(printer_id: int, triggered_by: TriggeredBy) -> tuple[str, dict]:
    return events.INVENTORY_START, {"printer_id": printer_id, "ip": "127.0.0.2", "triggered_by": str(triggered_by)}


def progress(done: int, total: int = 10, batch_id: str = "run-1") -> dict:
    return {"batch_id": batch_id, "done": done, "total": total, "failed": 0}


def test_next_batch_takes_queued_events_at_once_dropping_unwanted_ones() -> None:
    """Events that queued up while the listener was busy make a batch without any wait: an event arriving as soon as
    next_batch would wait (call_soon runs at its first await) is left for the next batch."""

    async def scenario() -> tuple[list, list]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        for printer_id in (1, 2, 3):
            queue.put_nowait(result(printer_id))
        loop.call_soon(queue.put_nowait, result(4))
        batch = await next_batch(queue, window=0.5, timeout=30, keep=lambda e: e[1]["printer_id"] in {2, 4})
        await asyncio.sleep(0)  # now 4 arrives
        return batch, [queue.get_nowait() for _ in range(queue.qsize())]

    batch, left = asyncio.run(scenario())
    assert [p["printer_id"] for _, p in batch] == [2]  # 1 and 3 dropped
    assert [p["printer_id"] for _, p in left] == [4]


def test_next_batch_waits_past_unwanted_events_for_a_wanted_one() -> None:
    """Each event arrives only once the one before it was taken: an unwanted one ending the wait would return []."""

    async def scenario() -> list:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        arriving = iter([result(3), result(5), result(2), result(7)])

        def keep(event: tuple[str, dict]) -> bool:
            if (following := next(arriving, None)) is not None:
                loop.call_soon(queue.put_nowait, following)
            return event[1]["printer_id"] % 2 == 0

        loop.call_soon(queue.put_nowait, result(1))
        return await next_batch(queue, window=0.01, timeout=30, keep=keep)

    assert [p["printer_id"] for _, p in asyncio.run(scenario())] == [2]


def test_next_batch_returns_nothing_when_only_unwanted_events_come_before_the_timeout() -> None:
    async def scenario() -> tuple[list, int]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        loop.call_soon(queue.put_nowait, result(5))
        batch = await next_batch(queue, window=0.01, timeout=0.05, keep=lambda e: e[1]["printer_id"] % 2 == 0)
        return batch, queue.qsize()

    assert asyncio.run(scenario()) == ([], 0)  # 5 was taken and dropped


def test_next_batch_gathers_until_the_spacing_after_the_window() -> None:
    """2 comes long after the first event's window but before `not_before`: one batch. 3 comes long after it.
    (Margins of seconds: only an event loop stalled for more than that could mix them up.)"""

    async def scenario() -> list:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        loop.call_soon(queue.put_nowait, result(1))
        loop.call_later(0.2, queue.put_nowait, result(2))
        loop.call_later(5.0, queue.put_nowait, result(3))
        return await next_batch(queue, window=0.01, timeout=30, not_before=loop.time() + 1.0)

    assert [p["printer_id"] for _, p in asyncio.run(scenario())] == [1, 2]


def test_watch_filters_by_shown_and_awaited_printers() -> None:
    watch = Watch()
    assert watch.shows("tab", 7)  # a tab that noted nothing gets everything
    watch.show("tab", [1, 2])
    assert watch.shows("tab", 1) and not watch.shows("tab", 7)
    assert not watch.awaits("tab")
    watch.expect("tab", 7)  # "Poll now" on a printer the tab no longer shows: its result still counts
    assert watch.shows("tab", 7) and watch.awaits("tab")
    watch.settle("tab", {7})
    assert not watch.shows("tab", 7) and not watch.awaits("tab")
    assert watch.shows("other", 7)


def test_watch_forgets_tabs_not_heard_of(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = Watch()
    clock = [1000.0]
    monkeypatch.setattr("printer_app.state.live.hub.time.monotonic", lambda: clock[0])
    watch.show("old", [1])
    clock[0] += Watch.FORGET_AFTER + 1
    for n in range(1000):
        watch.show(f"tab-{n}", [1])
    assert watch.version("old") == 0 and watch.shows("old", 99)  # forgotten: gets every event again
    assert not watch.shows("tab-5", 99)


def test_relevant_passes_over_other_printers_and_rereads_those_brought_onto_the_tab(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watch = Watch()
    monkeypatch.setattr("printer_app.state.live.state.watch", watch)
    watch.show("tab", [1, 2])
    relevant = _Relevant("tab", filtered=True)
    assert relevant.keep(result(1))
    assert relevant.keep((events.POLL_ALL_PROGRESS, progress(3)))
    assert not relevant.keep((events.DISCOVERY_PROGRESS, {"job": "x"}))  # not the listener's business
    assert not relevant.keep(result(5)) and not relevant.keep(result(6))
    assert not relevant.keep(start(9, TriggeredBy.MANUAL))
    assert relevant.brought_on() == set()  # the tab still shows 1 and 2
    watch.show("tab", [5, 9])  # the tab went to another page, read maybe just before 5's commit
    assert relevant.brought_on() == {5}  # 9 only started: nothing to re-read
    assert relevant.brought_on() == set()  # once


def test_relevant_unfiltered_keeps_every_printer() -> None:
    relevant = _Relevant("dashboard-tab", filtered=False)
    assert relevant.keep(result(123)) and relevant.keep(start(5, TriggeredBy.MANUAL))
    assert not relevant.keep((events.DISCOVERY_PROGRESS, {"job": "x"}))


def test_relevant_keeps_the_starts_of_requested_polls_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A spinner for "Poll now" (any tab's) on a shown printer; none for Poll all and scheduled polls, unless this
    tab awaits that printer's result."""
    watch = Watch()
    monkeypatch.setattr("printer_app.state.live.state.watch", watch)
    watch.show("tab", [1, 2])
    relevant = _Relevant("tab", filtered=True)
    assert relevant.keep(start(1, TriggeredBy.MANUAL))
    assert not relevant.keep(start(1, TriggeredBy.AUTO_POLL))
    assert not relevant.keep(start(9, TriggeredBy.MANUAL))  # not shown
    watch.expect("tab", 2)
    assert relevant.keep(start(2, TriggeredBy.AUTO_POLL))  # folded into a Poll all poll: this tab awaits it


def test_progress_shows_start_and_end_at_once_and_holds_between() -> None:
    shown = _Progress("")
    assert shown.take([progress(0)], now=10.0) == progress(0)  # a new run: at once
    assert shown.take([progress(1), progress(3), progress(2)], now=10.2) is None  # held
    assert shown.due_at == 10.0 + PROGRESS_EVERY
    assert shown.take([], now=11.0) == progress(3)  # the latest held, when due
    assert shown.due_at == float("inf")  # nothing held
    assert shown.take([progress(4)], now=11.1) is None
    assert shown.take([progress(10)], now=11.2) == progress(10)  # the end of the run: at once
    assert shown.take([progress(0, batch_id="run-2")], now=11.3) == progress(0, batch_id="run-2")
