"""Per-caller rate limit of the JSON API: a token bucket, in Redis when REDIS_URL is set, else in this process.

Contract: `take(key)` spends one request of `key`'s bucket (API_RATE_BURST requests, refilled at
API_RATE_PER_MINUTE / 60 per second) and returns 0 when allowed, else the whole seconds to wait (Retry-After).
In Redis the bucket is shared by every backend worker (one Lua script: atomic); a Redis error lets the request
through (the limit protects the server; it must not take the API down with Redis).
"""

from __future__ import annotations

import math
import threading
import time

import redis

from printer_app.config import get_settings
from printer_app.redis_client import key as rkey
from printer_app.redis_client import shared_client

_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""
_local: dict[str, tuple[float, float]] = {}
_guard = threading.Lock()


def _local_take(key: str, rate: float, burst: int, now: float) -> float:
    with _guard:
        tokens, at = _local.get(key, (float(burst), now))
        tokens = min(burst, tokens + (now - at) * rate)
        if tokens >= 1:
            _local[key] = (tokens - 1, now)
            return 0.0
        _local[key] = (tokens, now)
        return (1 - tokens) / rate


def take(key: str) -> int:
    """Spend one request of `key`; 0 when allowed, else the seconds to wait before the next one is."""
    settings = get_settings()
    rate, burst, now = settings.api_rate_per_minute / 60.0, settings.api_rate_burst, time.time()
    client = shared_client()
    wait = None
    if client is not None:
        try:
            wait = float(client.eval(_LUA, 1, rkey("api", "rate", key), rate, burst, now))
        except redis.RedisError:
            wait = 0.0
    if wait is None:
        wait = _local_take(key, rate, burst, now)
    return max(1, math.ceil(wait)) if wait > 0 else 0


def reset() -> None:
    """Forget the in-process buckets (tests)."""
    with _guard:
        _local.clear()
