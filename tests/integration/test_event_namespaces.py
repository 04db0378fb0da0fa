"""Two deployments on one Redis server: each app backend's live feed (`live_updates`, in a process of its own)
receives the events of its own deployment only, whether the deployments use two databases of the server (pub/sub
ignores the database number: the channel is named after it) or share one with REDIS_NAMESPACE."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.workers_harness import AppEventFeed, RedisServer, run_python, wait_for, worker_env

pytestmark = pytest.mark.timeout(120)

_PUBLISH = """
import json, os
from printer_app.config import get_settings
from printer_app.services import events
for url, namespace, text in json.loads(os.environ["NOTES"]):
    os.environ["REDIS_URL"] = url
    os.environ.pop("REDIS_NAMESPACE", None)
    if namespace:
        os.environ["REDIS_NAMESPACE"] = namespace
    get_settings.cache_clear()
    events.publish("note", {"text": text})
"""


@pytest.fixture(scope="module")
def deployments(redis_server: RedisServer, tmp_path_factory) -> Iterator[dict[str, tuple[str, str, AppEventFeed]]]:
    """name -> (REDIS_URL, REDIS_NAMESPACE, the live feed of a backend of that deployment)."""
    base = redis_server.url.rsplit("/", 1)[0]
    database = f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}"
    shapes = {"db1": (f"{base}/1", ""), "db2": (f"{base}/2", ""), "db1-tenant": (f"{base}/1", "tenant-b")}
    feeds = {}
    try:
        for name, (url, namespace) in shapes.items():
            feeds[name] = (url, namespace, AppEventFeed(_env(database, url, namespace)).start())
        yield feeds
    finally:
        for _url, _namespace, feed in feeds.values():
            feed.stop()


def _env(database: str, url: str, namespace: str = "") -> dict[str, str]:
    env = worker_env(database, url)
    env.pop("REDIS_NAMESPACE", None)
    if namespace:
        env["REDIS_NAMESPACE"] = namespace
    return env


def _publish(env: dict[str, str], *notes: tuple[str, str, str]) -> None:
    """Publish each note (REDIS_URL, REDIS_NAMESPACE, text) with those settings, in this order, from one process."""
    run_python(_PUBLISH, {**env, "NOTES": json.dumps(notes)})


def test_each_deployment_receives_its_own_events_only(deployments, redis_server: RedisServer) -> None:
    env = _env("sqlite://", redis_server.url)
    sent = [(url, namespace, f"for {name}") for name, (url, namespace, _feed) in deployments.items()]
    markers = [(url, namespace, f"end of {name}") for name, (url, namespace, _feed) in deployments.items()]
    _publish(env, *sent, *markers)  # one after the other: a stray event would reach a feed before its marker

    for name, (_url, _namespace, feed) in deployments.items():

        def texts(feed=feed) -> list[str]:
            return [payload["text"] for payload in feed.of_kind("note")]

        wait_for(lambda texts=texts, name=name: f"end of {name}" in texts(), timeout=20, what=f"{name}'s marker")
        assert texts() == [f"for {name}", f"end of {name}"], f"{name} received another deployment's events"


def test_backends_of_one_deployment_share_its_events(redis_server: RedisServer, tmp_path) -> None:
    url = redis_server.url.rsplit("/", 1)[0] + "/3"
    env = _env(f"sqlite:///{tmp_path / 'app.db'}", url)
    first, second = AppEventFeed(env).start(), AppEventFeed(env).start()
    try:
        _publish(env, (url, "", "hello"))
        for feed in (first, second):
            wait_for(lambda feed=feed: feed.of_kind("note"), timeout=20, what="the event on both backends")
            assert [p["text"] for p in feed.of_kind("note")] == ["hello"]
    finally:
        first.stop()
        second.stop()


def test_the_broker_of_a_named_deployment_keeps_its_queues_apart(redis_server: RedisServer, tmp_path) -> None:
    """Two deployments in one database: each one's workers fetch from queues of its own (and the health check counts
    its own workers); the default keeps Dramatiq's own key prefix, so queued messages survive the upgrade."""
    code = "from workers.broker import broker; print(broker.namespace)"
    database = f"sqlite:///{tmp_path / 'app.db'}"
    assert run_python(code, _env(database, redis_server.url)).stdout.split() == ["dramatiq"]
    named = run_python(code, _env(database, redis_server.url, "tenant-b")).stdout.split()
    assert named == ["tenant-b-dramatiq"]
