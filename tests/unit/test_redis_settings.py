"""The Redis side of Settings: the deployment's namespace (keys, events channel, broker) and the broker's recovery
settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from printer_app.config import Settings, redis_database


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("redis://cache:6379", 0),
        ("redis://cache:6379/0", 0),
        ("redis://cache:6379/3", 3),
        ("rediss://user:secret@cache:6380/12", 12),
        ("redis://cache:6379/?db=5", 5),
        ("unix:///run/redis.sock?db=2", 2),
        ("unix:///run/redis.sock", 0),
    ],
)
def test_the_database_number_of_a_redis_url(url: str, number: int) -> None:
    assert redis_database(url) == number


def test_the_namespace_defaults_from_the_redis_database() -> None:
    assert settings().namespace == "pi"  # embedded mode
    assert settings(REDIS_URL="redis://cache:6379/0").namespace == "pi"  # the keys of earlier releases
    assert settings(REDIS_URL="redis://cache:6379/4").namespace == "pi-db4"
    assert settings(REDIS_URL="redis://cache:6379/4").dramatiq_namespace == "dramatiq"  # queues live in database 4


def test_an_explicit_namespace_separates_deployments_in_one_database() -> None:
    one = settings(REDIS_URL="redis://cache:6379/0", REDIS_NAMESPACE="printers-east")
    assert (one.namespace, one.dramatiq_namespace) == ("printers-east", "printers-east-dramatiq")
    assert settings(REDIS_URL="redis://cache:6379/4", REDIS_NAMESPACE=" ").namespace == "pi-db4"


@pytest.mark.parametrize("bad", ["a:b", "with space", "x" * 41, "ключ"])
def test_a_namespace_that_cannot_prefix_keys_is_refused_with_the_rule(bad: str) -> None:
    with pytest.raises(ValidationError, match=r"REDIS_NAMESPACE=.*letters, digits"):
        settings(REDIS_NAMESPACE=bad)


def test_broker_recovery_defaults_requeue_a_dead_workers_messages_within_a_minute() -> None:
    defaults = settings()
    assert defaults.dramatiq_heartbeat_timeout_ms == 30_000
    assert defaults.dramatiq_maintenance_chance == 200_000  # 20 % of broker commands maintain their queue
    tuned = settings(DRAMATIQ_HEARTBEAT_TIMEOUT_MS="3000", DRAMATIQ_MAINTENANCE_CHANCE="1000000")
    assert (tuned.dramatiq_heartbeat_timeout_ms, tuned.dramatiq_maintenance_chance) == (3000, 1_000_000)
    with pytest.raises(ValidationError):
        settings(DRAMATIQ_MAINTENANCE_CHANCE="0")
    with pytest.raises(ValidationError):
        settings(DRAMATIQ_HEARTBEAT_TIMEOUT_MS="500")
