"""What workers must agree on: one poll per printer at a time, one poll-all run at a time, and its progress.

Redis in production (shared by every process); in-process structures in embedded mode.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from contextlib import contextmanager

import redis

from printer_app.redis_client import key as rkey
from printer_app.redis_client import shared_client

LOCK_TTL_S = 660  # longer than the longest actor time limit
FOLD_WINDOW_S = 5.0  # a "Poll now" is answered by a poll of the printer that started at most this long before it
POLLED_TTL_S = 3600  # how long the latest poll is remembered for folding (longer than any wait in the queue)
BATCH_IDLE_TTL_S = 900  # a run that made no progress for this long (its workers are gone) no longer blocks the next
_local_locks: dict[int, str] = {}
_local_polled: dict[int, tuple[int, int]] = {}
_local_guard = threading.Lock()
_local_batches: dict[str, dict] = {}
_local_failed: dict[str, set[int]] = {}
_local_counted: dict[str, set[int]] = {}  # the printers a batch counted already
_local_current, _local_running = "current", "running"  # keys of _local_batches beside the batch ids


def _running_key() -> str:
    """The id of the poll-all run going on: one at a time."""
    return rkey("batch", "running")


def client() -> redis.Redis | None:
    """The shared Redis client; None in embedded mode (in-process structures stand in for Redis)."""
    return shared_client()


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
        key = rkey("lock", "printer", printer_id)
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


def remember_poll(printer_id: int, *, started_ms: int, task_id: int) -> None:
    """The latest stored poll of a printer and when it started reading the device (ms since the epoch)."""
    r = client()
    if r is not None:
        r.set(rkey("polled", "printer", printer_id), f"{started_ms}:{task_id}", ex=POLLED_TTL_S)
        return
    with _local_guard:
        _local_polled[printer_id] = (started_ms, task_id)


def answering_poll(printer_id: int, *, requested_ms: int, window_s: float) -> int | None:
    """The stored poll that answers a request made at `requested_ms`: one that started at most `window_s` before
    it (or after it), so its result is as fresh as a new poll's would be; None when a new poll is needed."""
    r = client()
    if r is not None:
        raw = r.get(rkey("polled", "printer", printer_id))
        started_ms, task_id = (int(part) for part in raw.decode().split(":")) if raw else (None, None)
    else:
        with _local_guard:
            started_ms, task_id = _local_polled.get(printer_id, (None, None))
    if started_ms is None or started_ms < requested_ms - window_s * 1000:
        return None
    return task_id


def start_batch(total: int, *, owner: str | None = None, printer_ids: list[int] | None = None) -> str | None:
    """Register a poll-all run and return its id; None while another run is going (it covers this request).

    `owner` (the poll-all message) and `printer_ids` (the run's printers) let that message, redelivered after its
    worker died mid fan-out, find its run again (`resume_batch`) instead of being folded into it."""
    batch_id = f"{int(time.time())}-{uuid.uuid4().hex[:8]}"
    data = {"total": total, "done": 0, "failed": 0}
    r = client()
    if r is not None:
        if not r.set(_running_key(), batch_id, nx=True, ex=BATCH_IDLE_TTL_S):
            return None
        pipe = r.pipeline()
        pipe.hset(rkey("batch", batch_id), mapping=data)
        pipe.expire(rkey("batch", batch_id), 86400)
        pipe.set(rkey("batch", "current"), batch_id, ex=86400)
        if owner and printer_ids is not None:
            pipe.set(rkey("batch", "owner", owner), batch_id, ex=BATCH_IDLE_TTL_S)
            pipe.set(rkey("batch", batch_id, "ids"), json.dumps(printer_ids), ex=86400)
        if not total:
            pipe.delete(_running_key())
        pipe.execute()
        return batch_id
    with _local_guard:
        running = _local_batches.get(_local_running)
        if running is not None and time.monotonic() < running["until"]:
            return None
        _local_batches[batch_id] = data
        _local_batches[_local_current] = {"id": batch_id}
        if total:
            _local_batches[_local_running] = {"id": batch_id, "until": time.monotonic() + BATCH_IDLE_TTL_S}
    return batch_id


def resume_batch(owner: str) -> tuple[str, list[int]] | None:
    """The run a redelivered poll-all message started, still going, and its printers not sent yet; None when there is
    none (a first delivery, a finished run, or embedded mode, whose broker never redelivers)."""
    r = client()
    if r is None or not (batch_id := r.get(rkey("batch", "owner", owner))):
        return None
    batch_id = batch_id.decode()
    running, ids = r.get(_running_key()), r.get(rkey("batch", batch_id, "ids"))
    if running is None or running.decode() != batch_id or ids is None:
        return None
    sent = {int(i) for i in r.smembers(rkey("batch", batch_id, "sent"))}
    return batch_id, [i for i in json.loads(ids) if i not in sent]


def batch_sent(batch_id: str, printer_ids: list[int]) -> None:
    """These printers' poll messages of the run are in the queue (a resumed fan-out does not send them again)."""
    r = client()
    if r is not None and printer_ids:
        key = rkey("batch", batch_id, "sent")
        pipe = r.pipeline()
        pipe.sadd(key, *printer_ids)
        pipe.expire(key, 86400)
        pipe.execute()


def batch_counted(batch_id: str, printer_id: int) -> bool:
    """The run counted this printer already (its poll was stored): a second message for it has nothing to do."""
    r = client()
    if r is not None:
        return bool(r.sismember(rkey("batch", batch_id, "done"), printer_id))
    with _local_guard:
        return printer_id in _local_counted.get(batch_id, ())


_BATCH_STEP = """
if ARGV[1] ~= '' then
  if redis.call('sadd', KEYS[2], ARGV[1]) == 0 then return redis.call('hgetall', KEYS[1]) end
  redis.call('expire', KEYS[2], 86400)
end
redis.call('hincrby', KEYS[1], 'done', 1)
if ARGV[2] == '1' then
  redis.call('hincrby', KEYS[1], 'failed', 1)
  if ARGV[1] ~= '' then
    redis.call('sadd', KEYS[3], ARGV[1])
    redis.call('expire', KEYS[3], 86400)
  end
end
redis.call('expire', KEYS[4], ARGV[3])
return redis.call('hgetall', KEYS[1])
"""


def batch_step(batch_id: str, *, failed: bool, printer_id: int | None = None) -> dict[str, int]:
    """Count one finished printer of a batch (a failed one is remembered: the list shows a run's failures); returns
    the new totals. The last one ends the run and notes when (`finished_at`, seconds since the epoch).

    A printer is counted once: a message redelivered after its worker died between counting and acknowledging
    finds its printer counted already (its stored poll is not repeated either) and changes nothing."""
    r = client()
    if r is not None:
        key = rkey("batch", batch_id)
        member = "" if printer_id is None else str(printer_id)
        keys = (key, f"{key}:done", f"{key}:failed", _running_key())
        raw = r.eval(_BATCH_STEP, len(keys), *keys, member, "1" if failed else "0", BATCH_IDLE_TTL_S)
        totals = {raw[i].decode(): int(raw[i + 1]) for i in range(0, len(raw), 2)}
        if totals["done"] >= totals["total"]:
            totals["finished_at"] = totals.get("finished_at") or int(time.time())
            r.hsetnx(key, "finished_at", totals["finished_at"])
            r.eval(_RELEASE_LOCK, 1, _running_key(), batch_id)
        return totals
    with _local_guard:
        data = _local_batches[batch_id]
        counted = _local_counted.setdefault(batch_id, set())
        if printer_id is not None and printer_id in counted:
            return dict(data)
        if printer_id is not None:
            counted.add(printer_id)
        data["done"] += 1
        data["failed"] += 1 if failed else 0
        if failed and printer_id is not None:
            _local_failed.setdefault(batch_id, set()).add(printer_id)
        if data["done"] >= data["total"]:
            data.setdefault("finished_at", int(time.time()))
        running = _local_batches.get(_local_running)
        if running is not None and running["id"] == batch_id:
            if data["done"] >= data["total"]:
                _local_batches.pop(_local_running)
            else:
                running["until"] = time.monotonic() + BATCH_IDLE_TTL_S
        return dict(data)


def batch_failures(batch_id: str) -> list[int]:
    """The printers whose poll failed in a poll-all run (kept for a day), by id."""
    r = client()
    if r is not None:
        return sorted(int(i) for i in r.smembers(rkey("batch", batch_id, "failed")))
    with _local_guard:
        return sorted(_local_failed.get(batch_id, ()))


def current_batch() -> tuple[str, dict[str, int]] | None:
    """The latest poll-all run and its totals, if any."""
    r = client()
    if r is not None:
        batch_id = r.get(rkey("batch", "current"))
        if not batch_id:
            return None
        raw = r.hgetall(rkey("batch", batch_id.decode()))
        return batch_id.decode(), {k.decode(): int(v) for k, v in raw.items()}
    with _local_guard:
        current = _local_batches.get(_local_current)
        if not current:
            return None
        return current["id"], dict(_local_batches[current["id"]])


def running_batch() -> tuple[str, dict[str, int]] | None:
    """The poll-all run still going, if any (a run that made no progress for BATCH_IDLE_TTL_S no longer counts)."""
    current = current_batch()
    if current is None or current[1].get("done", 0) >= current[1].get("total", 0):
        return None
    r = client()
    if r is not None:
        running = r.get(_running_key())
        return current if running and running.decode() == current[0] else None
    with _local_guard:
        running = _local_batches.get(_local_running)
        alive = running is not None and running["id"] == current[0] and time.monotonic() < running["until"]
    return current if alive else None


# ---- discovery scans: their settings and latest progress, so a page reloaded while a scan lives attaches again ----

SCAN_TTL_S = 3600  # a scan (running or finished) is kept this long after its last progress
_local_scans: dict[str, tuple[float, dict]] = {}  # key -> (expires at, value)


def _scan_set(key: str, value: dict) -> None:
    r = client()
    if r is not None:
        r.set(key, json.dumps(value), ex=SCAN_TTL_S)
        return
    now = time.monotonic()
    with _local_guard:
        for stale in [k for k, (until, _v) in _local_scans.items() if until < now]:
            del _local_scans[stale]
        _local_scans[key] = (now + SCAN_TTL_S, value)


def _scan_get(key: str) -> dict | None:
    r = client()
    if r is not None:
        raw = r.get(key)
        return json.loads(raw) if raw else None
    with _local_guard:
        until, value = _local_scans.get(key, (0.0, None))
    return value if until >= time.monotonic() else None


def start_scan(job_id: str, *, owner: str, settings: dict) -> None:
    """A new scan of `owner` (a user): its settings, and that it is now the owner's scan."""
    _scan_set(rkey("scan", job_id, "settings"), settings)
    _scan_set(rkey("scan", job_id), {"job_id": job_id, "scanned": 0, "total": settings.get("total", 0), "found": []})
    _scan_set(rkey("scan", "owner", owner), {"job_id": job_id})


def scan_progress(job_id: str, progress: dict) -> None:
    """The latest progress of a scan (what the worker publishes, remembered for a page that attaches later)."""
    _scan_set(rkey("scan", job_id), progress)


def scan_of(owner: str) -> tuple[dict, dict] | None:
    """The owner's latest scan that still lives: (its settings, its latest progress)."""
    latest = _scan_get(rkey("scan", "owner", owner))
    if not latest:
        return None
    job_id = latest["job_id"]
    settings, progress = _scan_get(rkey("scan", job_id, "settings")), _scan_get(rkey("scan", job_id))
    if settings is None or progress is None:
        return None
    return settings, progress


# ---- contract import applies: one apply of an import session at a time ----

IMPORT_CLAIM_TTL_S = LOCK_TTL_S  # an apply whose worker died no longer blocks the next after this long
_local_imports: dict[int, float] = {}  # import session id -> when its claim expires (monotonic)


def claim_import(import_id: int) -> bool:
    """Take the apply of an import session; False while an apply of it is queued or running."""
    r = client()
    if r is not None:
        return bool(r.set(rkey("import", import_id), "1", nx=True, ex=IMPORT_CLAIM_TTL_S))
    now = time.monotonic()
    with _local_guard:
        if _local_imports.get(import_id, 0.0) > now:
            return False
        _local_imports[import_id] = now + IMPORT_CLAIM_TTL_S
        return True


def release_import(import_id: int) -> None:
    """The apply of an import session ended (done, refused or failed): the next may start."""
    r = client()
    if r is not None:
        r.delete(rkey("import", import_id))
        return
    with _local_guard:
        _local_imports.pop(import_id, None)
