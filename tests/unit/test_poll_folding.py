"""Which stored poll answers a "Poll now" request (embedded mode: the in-process record of workers/coordination)."""

from __future__ import annotations

import pytest

from workers import coordination


@pytest.fixture(autouse=True)
def embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coordination, "client", lambda: None)
    monkeypatch.setattr(coordination, "_local_polled", {})


def test_a_poll_started_shortly_before_or_after_the_request_answers_it() -> None:
    assert coordination.answering_poll(7, requested_ms=100_000, window_s=5) is None  # never polled
    coordination.remember_poll(7, started_ms=96_000, task_id=41)
    assert coordination.answering_poll(7, requested_ms=100_000, window_s=5) == 41  # 4 s before the request
    assert coordination.answering_poll(7, requested_ms=95_000, window_s=0) == 41  # after the request
    assert coordination.answering_poll(7, requested_ms=101_001, window_s=5) is None  # too old: poll again
    assert coordination.answering_poll(7, requested_ms=100_000, window_s=0) is None  # scheduled polls: no window
    assert coordination.answering_poll(8, requested_ms=100_000, window_s=5) is None  # another printer
