"""Backpressure of the live listeners: a tab's acknowledgement of a rendered update, and the route that takes it."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from printer_app.api import live_ack
from printer_app.services import events
from printer_app.state.live.hub import Acks, acks, hub


def test_a_tab_never_heard_from_is_not_waited_for():
    async def scenario():
        waiting = Acks()
        waiting.expect("tab", 1)
        started = time.monotonic()
        await waiting.rendered("tab", 5.0)
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 0.5


def test_once_heard_from_the_listener_waits_for_the_ack_of_the_last_update():
    async def scenario():
        waiting = Acks()
        waiting.expect("tab", 1)
        assert waiting.resolve("tab", 1)
        waiting.expect("tab", 2)
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, waiting.resolve, "tab", 1)  # an older update: not enough
        loop.call_later(0.6, waiting.resolve, "tab", 2)
        started = time.monotonic()
        await waiting.rendered("tab", 5.0)
        return time.monotonic() - started

    assert 0.55 < asyncio.run(scenario()) < 2.0


def test_a_tab_that_never_acknowledges_gets_its_next_update_after_the_timeout():
    async def scenario():
        waiting = Acks()
        waiting.expect("tab", 1)
        waiting.resolve("tab", 1)
        waiting.expect("tab", 2)
        started = time.monotonic()
        await waiting.rendered("tab", 0.3)
        return time.monotonic() - started

    assert 0.25 < asyncio.run(scenario()) < 1.0


@pytest.mark.parametrize("bad", [None, "", "x" * 65, 12, ["a"]])
def test_forged_acknowledgements_change_nothing(bad):
    waiting = Acks()
    waiting.expect("tab", 3)
    assert not waiting.resolve(bad, 3)
    assert not waiting.resolve("tab", True)
    assert not waiting.resolve("tab", "3")
    assert not waiting.resolve("other", 3)


def test_the_hub_hands_an_acknowledgement_to_the_listener_not_to_the_tabs_queues():
    async def scenario():
        queue = hub.attach()
        try:
            acks.expect("tab-hub", 1)
            hub.dispatch(events.LIVE_ACK, {"token": "tab-hub", "seq": 1})
            return queue.empty(), acks._waiting["tab-hub"][1].is_set()
        finally:
            hub.detach(queue)
            acks.forget("tab-hub")

    assert asyncio.run(scenario()) == (True, True)


def test_the_route_takes_an_acknowledgement_and_refuses_anything_else():
    app = Starlette()
    live_ack.install(app)
    client = TestClient(app)
    acks.expect("tab-route", 4)
    try:
        assert client.post("/_live/ack", json={"token": "tab-route", "seq": 4}).status_code == 204
        assert acks._waiting["tab-route"][1].is_set()
        for body in (b"not json", b"[1]", b'{"token": "t"}', b'{"token": "t", "seq": -1}', b"x" * 300):
            answer = client.post("/_live/ack", content=body)
            assert answer.status_code == 400, body
        assert client.get("/_live/ack").status_code == 405
    finally:
        acks.forget("tab-route")
