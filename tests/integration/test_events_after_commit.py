"""`events.publish_after_commit`: an event queued on a session is announced once its transaction commits (the row
it announces is visible to whoever re-reads it then), and never when the transaction rolls back."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.models import Printer
from printer_app.services import events
from tests.factories import make_printer

KIND = events.INVENTORY_UPDATE


@pytest.fixture
def heard(engine: Engine) -> Iterator[list[tuple[int, bool]]]:
    """Every announced printer id, with whether its row was visible from another connection at that moment."""
    seen: list[tuple[int, bool]] = []

    def check(kind: str, payload: dict) -> None:
        if kind == KIND:
            with Session(engine) as other:
                seen.append((payload["printer_id"], other.get(Printer, payload["printer_id"]) is not None))

    unsubscribe = events.subscribe(check)
    yield seen
    unsubscribe()


def test_an_event_is_announced_after_the_commit_not_before(session: Session, heard: list) -> None:
    printer = make_printer(session)
    session.flush()
    events.publish_after_commit(session, KIND, {"printer_id": printer.id})
    session.flush()
    assert heard == []
    session.commit()
    assert heard == [(printer.id, True)]
    session.commit()  # announced once: a later commit of the same session does not repeat it
    assert heard == [(printer.id, True)]


def test_an_event_of_a_rolled_back_transaction_is_never_announced(session: Session, heard: list) -> None:
    printer = make_printer(session)
    session.flush()
    events.publish_after_commit(session, KIND, {"printer_id": printer.id})
    session.rollback()
    session.commit()  # the next transaction of the session commits: the dropped event stays dropped
    assert heard == []


def test_an_event_of_a_session_closed_without_commit_is_never_announced(engine: Engine, heard: list) -> None:
    with Session(engine) as session:
        printer = make_printer(session)
        session.flush()
        events.publish_after_commit(session, KIND, {"printer_id": printer.id})
    assert heard == []


def test_a_savepoint_rolled_back_drops_only_its_own_events(session: Session, heard: list) -> None:
    kept = make_printer(session)
    session.flush()
    with session.begin_nested():  # released: its event waits for the real commit
        events.publish_after_commit(session, KIND, {"printer_id": kept.id})
    assert heard == []
    savepoint = session.begin_nested()
    gone = make_printer(session)
    session.flush()
    events.publish_after_commit(session, KIND, {"printer_id": gone.id})
    savepoint.rollback()
    session.commit()
    assert heard == [(kept.id, True)]


@pytest.fixture
def redis_channel(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.client.PubSub]:
    """Production mode: REDIS_URL set, a subscriber on the app's channel."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(events.channel())
    pubsub.get_message(timeout=1)  # the subscribe confirmation
    yield pubsub
    pubsub.close()
    get_settings.cache_clear()


def _received(pubsub: redis.client.PubSub, wait_s: float = 1.0) -> list[tuple[str, dict]]:
    out, until = [], time.monotonic() + wait_s
    while time.monotonic() < until:
        message = pubsub.get_message(timeout=0.1)
        if message and message["type"] == "message":
            out.append(events.decode(message["data"]))
    return out


def test_through_redis_only_the_committed_event_goes_out(session: Session, redis_channel: redis.client.PubSub) -> None:
    events.publish_after_commit(session, KIND, {"printer_id": -1, "note": "rolled back"})
    session.rollback()
    events.publish_after_commit(session, KIND, {"printer_id": -2, "note": "committed"})
    assert _received(redis_channel, wait_s=0.3) == []
    session.commit()
    assert _received(redis_channel) == [(KIND, {"printer_id": -2, "note": "committed"})]
