"""The one place Redis clients are built (events, worker coordination, the `check` command, the live hub).

The broker builds its own connection in workers/broker.py; everything else asks here, so timeouts and health checks
are set once. Every key and channel of the app is named by `key(...)`: prefixed with the deployment's namespace.
Nothing here runs without REDIS_URL: embedded mode has no Redis.
"""

from __future__ import annotations

import os
import threading

import redis
import redis.asyncio as aioredis

from printer_app.config import get_settings

CONNECT_TIMEOUT_S = 3
HEALTH_CHECK_S = 30  # a connection idle this long is pinged before use (Redis may have restarted meanwhile)
_clients: dict[tuple[int, str], redis.Redis] = {}
_guard = threading.Lock()


def shared_client(url: str | None = None) -> redis.Redis | None:
    """The process's client for `url` (default REDIS_URL), built once; None in embedded mode (no REDIS_URL).

    Cached per process and URL: a client (its connection pool) is thread-safe, and a forked child builds its own.
    """
    url = url or get_settings().redis_url
    if not url:
        return None
    key = (os.getpid(), url)
    with _guard:
        client = _clients.get(key)
        if client is None:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=CONNECT_TIMEOUT_S, health_check_interval=HEALTH_CHECK_S
            )
            _clients[key] = client
    return client


def key(*parts: object) -> str:
    """A Redis key (or channel) of this deployment: its parts after the namespace (REDIS_NAMESPACE), colon-joined."""
    return ":".join((get_settings().namespace, *(str(part) for part in parts)))


def async_client(url: str | None = None) -> aioredis.Redis:
    """A new asyncio client for the running event loop (the live hub's subscription); the caller closes it."""
    url = url or get_settings().redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not set (embedded mode has no Redis)")
    return aioredis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, health_check_interval=10)
