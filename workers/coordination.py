"""What workers must agree on: one poll per printer at a time, and poll-all progress every tab can read.

Redis in production (shared by every process); in-process structures in embedded mode.
"""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager

import redis

from printer_app.config import get_settings

LOCK_TTL_S = 660  # longer than the longest actor time limit
_local_locks: dict[int, str] = {}
_local_guard = threading.Lock()
_local_batches: dict[str, dict[str, int]] = {}
_client: redis.Redis | None = None


def client() -> redis.Redis | None:
    global _client
    url = get_settings().redis_url
    if not url:
        return None
    if _client is None:
        _client = redis.Redis.from_url(url, socket_connect_timeout=3, health_check_interval=30)
    return _client


_TAKE_LOCK = """
local v = redis.call('get', KEYS[1])
if (not v) or v == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
return 0
"""
_RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@contextmanager
def printer_lock(printer_id: int, owner: str | None = None):
    """Yield True when this caller holds the printer's poll lock, False when a poll of it is already running.

    `owner` is the broker message id: a message redelivered after its worker died takes back the lock the dead
    worker left, instead of being folded into a poll that no longer runs.
    """
    token = owner or uuid.uuid4().hex
    r = client()
    if r is not None:
        key = f"pi:lock:printer:{printer_id}"
        acquired = bool(r.eval(_TAKE_LOCK, 1, key, token, LOCK_TTL_S))
        try:
            yield acquired
        finally:
            if acquired:  # release only our own lock
                r.eval(_RELEASE_LOCK, 1, key, token)
        return
    with _local_guard:
        acquired = _local_locks.get(printer_id, token) == token
        if acquired:
            _local_locks[printer_id] = token
    try:
        yield acquired
    finally:
        if acquired:
            with _local_guard:
                _local_locks.pop(printer_id, None)


def start_batch(total: int) -> str:
    """Register a poll-all run; returns its id."""
    batch_id = f"{int(time.time())}-{uuid.uuid4().hex[:8]}"
    data = {"total": total, "done": 0, "failed": 0}
    r = client()
    if r is not None:
        r.hset(f"pi:batch:{batch_id}", mapping=data)
        r.expire(f"pi:batch:{batch_id}", 86400)
        r.set("pi:batch:current", batch_id, ex=86400)
    else:
        with _local_guard:
            _local_batches[batch_id] = data
            _local_batches["current"] = {"id": batch_id}  # type: ignore[dict-item]
    return batch_id


def batch_step(batch_id: str, *, failed: bool) -> dict[str, int]:
    """Count one finished printer of a batch; returns the new totals."""
    r = client()
    if r is not None:
        key = f"pi:batch:{batch_id}"
        pipe = r.pipeline()
        pipe.hincrby(key, "done", 1)
        pipe.hincrby(key, "failed", 1 if failed else 0)
        pipe.hgetall(key)
        raw = pipe.execute()[-1]
        return {k.decode(): int(v) for k, v in raw.items()}
    with _local_guard:
        data = _local_batches[batch_id]
        data["done"] += 1
        data["failed"] += 1 if failed else 0
        return dict(data)


def current_batch() -> tuple[str, dict[str, int]] | None:
    """The latest poll-all run and its totals, if any."""
    r = client()
    if r is not None:
        batch_id = r.get("pi:batch:current")
        if not batch_id:
            return None
        raw = r.hgetall(f"pi:batch:{batch_id.decode()}")
        return batch_id.decode(), {k.decode(): int(v) for k, v in raw.items()}
    with _local_guard:
        current = _local_batches.get("current")
        if not current:
            return None
        return current["id"], dict(_local_batches[current["id"]])  # type: ignore[index]
