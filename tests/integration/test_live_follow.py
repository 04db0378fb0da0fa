"""The loop of the pages' own live listeners (state/live/follow.py): the batches of the events a page cares for,
while the tab's session grants the page; the tab's queue leaves the hub as soon as the loop ends.

A real signed-in session (cookie) on the test database; the tab's state is a stand-in with what the loop uses of
Reflex's state proxy (the lock and the router's cookie)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.services.access import auth
from printer_app.state.live import follow as follow_module
from printer_app.state.live.follow import follow
from printer_app.state.live.hub import hub

VIEW = ("inventory.access_inventory_app", "inventory.view_printer")


class _Tab:
    """What `follow` uses of a background task's state proxy."""

    def __init__(self, cookie: str) -> None:
        self.router = SimpleNamespace(headers=SimpleNamespace(cookie=cookie))

    async def __aenter__(self) -> _Tab:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def cookies(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch, session: Session) -> Iterator[dict[str, str]]:
    """Cookies of a superuser and of a user without groups, on the test database in embedded mode."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "matrix-" + "k" * 40)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(follow_module, "RECHECK_SECONDS", 0.1)
    get_settings.cache_clear()
    get_engine.cache_clear()
    made = {}
    for name, superuser in (("admin", True), ("nobody", False)):
        user = auth.create_local_user(session, username=name, password="Follow-password-2026", is_superuser=superuser)
        made[name] = (
            f"pi_session={auth.SessionCookie().sign(auth.create_session(session, user=user, auth_method=auth.LOCAL))}"
        )
    session.commit()
    yield made
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def _run(cookie: str, sent: list[tuple[str, dict]], wanted: int, give_up: float = 5.0) -> tuple[list, bool, int]:
    """Listen as a tab with this cookie while `sent` is dispatched; (batches seen, whether the loop ended by
    itself, the hub's queues after it)."""

    async def scenario():
        seen: list[list] = []
        attached = len(hub._queues)

        async def listen() -> bool:
            kept = lambda event: event[0] == "wanted"  # noqa: E731
            async with follow(_Tab(cookie), keep=kept, permissions=VIEW, window=0.05) as batches:
                async for batch in batches:
                    seen.append(batch)
                    if sum(len(b) for b in seen) >= wanted:
                        return False  # the page leaves the loop itself
            return True

        task = asyncio.create_task(listen())
        await asyncio.sleep(0.05)
        for kind, payload in sent:
            hub.dispatch(kind, payload)
        ended = await asyncio.wait_for(task, give_up)
        return seen, ended, len(hub._queues) - attached

    return asyncio.run(scenario())


def test_the_kept_events_come_in_batches_and_the_queue_leaves_the_hub_with_the_loop(cookies) -> None:
    sent = [("wanted", {"n": 1}), ("other", {"n": 2}), ("wanted", {"n": 3})]
    seen, ended_by_itself, left_attached = _run(cookies["admin"], sent, wanted=2)
    assert seen == [[("wanted", {"n": 1}), ("wanted", {"n": 3})]]  # gathered into one batch, the other dropped
    assert not ended_by_itself and left_attached == 0


def test_the_loop_ends_when_the_session_does_not_grant_the_page(cookies) -> None:
    seen, ended_by_itself, left_attached = _run(cookies["nobody"], [], wanted=1)
    assert seen == [] and ended_by_itself and left_attached == 0
    seen, ended_by_itself, left_attached = _run("pi_session=forged", [], wanted=1)
    assert seen == [] and ended_by_itself and left_attached == 0
