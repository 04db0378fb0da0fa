"""One month sync at a time (docs/reports.md "Sync from inventory"): a lock per month and the latest progress of
its run, shared by every process through Redis when REDIS_URL is set, in this process's memory otherwise.

Contract:
- `claim(month, token)` takes the month's lock for LOCK_TTL_S seconds (SET NX with expiry); the holder of `token`
  may claim again (a redelivered worker message carries the token of the run it repeats, so it takes back the lock a
  killed worker left instead of waiting for it to lapse). `refresh` extends it while the run goes on; `release`
  frees it only for its own token.
- `holder(month)` says whether a run holds the lock now; `save_progress` / `progress` keep the latest progress
  payload of the month's run (running or finished) for a tab opened mid-run.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from printer_app.redis_client import key as rkey
from printer_app.redis_client import shared_client

LOCK_TTL_S = 660  # DOMAIN 10.6: a 10-minute lock, a little longer than the actor's time limit
PROGRESS_TTL_S = 3600
_TAKE = """
local v = redis.call('get', KEYS[1])
if (not v) or v == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
return 0
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_local: dict[str, tuple[str, float]] = {}  # "lock:<month>" / "progress:<month>" -> (value, expires at)
_guard = threading.Lock()


def _key(kind: str, month: str) -> str:
    return rkey("reports", "sync", kind, month)


def _local_get(key: str) -> str | None:
    found = _local.get(key)
    if found is None or found[1] <= time.monotonic():
        _local.pop(key, None)
        return None
    return found[0]


def claim(month: str, token: str) -> bool:
    """Take the month's lock for `token` (or keep it, when `token` holds it already); False when another run holds
    it."""
    r = shared_client()
    if r is not None:
        return bool(r.eval(_TAKE, 1, _key("lock", month), token, LOCK_TTL_S))
    with _guard:
        held = _local_get(_key("lock", month))
        if held is not None and held != token:
            return False
        _local[_key("lock", month)] = (token, time.monotonic() + LOCK_TTL_S)
        return True


def refresh(month: str, token: str) -> None:
    """Extend the lock of a run that is still going (its own lock only)."""
    claim(month, token)


def release(month: str, token: str) -> None:
    """Free the month's lock if `token` holds it."""
    r = shared_client()
    if r is not None:
        r.eval(_RELEASE, 1, _key("lock", month), token)
        return
    with _guard:
        if _local_get(_key("lock", month)) == token:
            _local.pop(_key("lock", month), None)


def holder(month: str) -> str | None:
    """The token of the run holding the month's lock now, if any."""
    r = shared_client()
    if r is not None:
        value = r.get(_key("lock", month))
        return value.decode() if isinstance(value, bytes) else value
    with _guard:
        return _local_get(_key("lock", month))


def save_progress(month: str, payload: dict[str, Any]) -> None:
    """Remember the latest progress payload of the month's run (for a tab opened while it runs)."""
    text = json.dumps(payload, default=str)
    r = shared_client()
    if r is not None:
        r.set(_key("progress", month), text, ex=PROGRESS_TTL_S)
        return
    with _guard:
        _local[_key("progress", month)] = (text, time.monotonic() + PROGRESS_TTL_S)


def progress(month: str) -> dict[str, Any] | None:
    """The latest progress payload of the month's run, if one was saved within PROGRESS_TTL_S."""
    r = shared_client()
    if r is not None:
        value = r.get(_key("progress", month))
    else:
        with _guard:
            value = _local_get(_key("progress", month))
    return json.loads(value) if value else None
