"""Real processes for the worker tests: a private redis-server, Dramatiq worker process groups, a pi:events listener.

Everything listens on 127.0.0.1 only. Each process runs in a session (process group) of its own, so a test can
kill -9 a whole worker group (the dramatiq master and its forked workers) without touching anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(Path(sys.executable))


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.1, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; returns that value or raises AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _stop_group(proc: subprocess.Popen, *, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):  # forked children may outlive the leader
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


class RedisServer:
    """A throw-away redis-server (no persistence) on a fixed free port, so it can be restarted in place."""

    def __init__(self, port: int | None = None) -> None:
        self.executable = shutil.which("redis-server")
        self.port = port or free_tcp_port()
        self.proc: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="pi-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=2, socket_timeout=5)

    def start(self, timeout: float = 10.0) -> RedisServer:
        if self.executable is None:
            raise RuntimeError("redis-server not found")
        log = open(Path(self._dir.name) / "redis.log", "ab")  # noqa: SIM115 - owned by the process
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [self.executable, *options, "--dir", self._dir.name],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                return bool(self.client().ping())
            except redis.RedisError:
                return False

        wait_for(ready, timeout=timeout, interval=0.05, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop_group(proc, grace=5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, chars: int = 2000) -> str:
        path = Path(self._dir.name) / "redis.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()


class WorkerGroup:
    """`python -m workers ...` (production entry point) in a process group of its own; output goes to a log file."""

    def __init__(self, name: str, args: Iterable[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.args = list(args)
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> WorkerGroup:
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [PYTHON, "-m", "workers", *self.args],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """kill -9 the whole group: no shutdown hooks, no requeue of prefetched messages, no ack."""
        proc, self.proc = self.proc, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop_group(proc)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def worker_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process: this test's database and Redis, short SNMP and heartbeat timeouts."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MAX_QUEUE_SIZE")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SNMP_TIMEOUT="1",
        SNMP_RETRIES="1",
        DRAMATIQ_HEARTBEAT_TIMEOUT_MS="3000",
        DRAMATIQ_MAINTENANCE_CHANCE="1000000",  # every fetch looks for dead workers' messages
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    env.update(extra)
    return env


def make_broker(url: str) -> RedisBroker:
    """A broker for enqueueing from the test process (workers.broker is never imported here: it builds its global
    broker from the environment at import time)."""
    return RedisBroker(url=url)


def message(queue: str, actor: str, *args: Any, **kwargs: Any) -> dramatiq.Message:
    return dramatiq.Message(queue_name=queue, actor_name=actor, args=args, kwargs=kwargs, options={})


def run_python(code: str, env: dict[str, str], *, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run a snippet in a fresh interpreter with `env` (a process of the app's own, like a scheduler)."""
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise AssertionError(f"subprocess failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


_APP_FEED = """
import asyncio, json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
from printer_app.state.live import hub as live

async def main():
    queue = live.hub.attach()
    feed = asyncio.create_task(live.live_updates())
    while True:
        kind, payload = await queue.get()
        print(json.dumps({"kind": kind, "payload": payload}, default=str), flush=True)

asyncio.run(main())
"""


class AppEventFeed:
    """The app backend's own live-update feed (`printer_app.state.live.hub.live_updates`, reconnecting after a Redis
    restart) in a process with REDIS_URL set; every event its hub dispatches is collected here."""

    SUBSCRIBED = "live updates: subscribed to"

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.events: list[tuple[float, str, dict]] = []
        self.subscriptions = 0  # "subscribed" log lines: more than one means it subscribed again after a loss
        self.stderr: list[str] = []
        self._lock = threading.Lock()
        self.proc: subprocess.Popen | None = None

    def start(self) -> AppEventFeed:
        self.proc = subprocess.Popen(
            [PYTHON, "-c", _APP_FEED],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read_events, daemon=True).start()
        threading.Thread(target=self._read_log, daemon=True).start()
        wait_for(lambda: self.subscriptions, timeout=20, what=f"the app's pi:events subscription:\n{self.log()}")
        return self

    def _read_events(self) -> None:
        for line in self.proc.stdout:
            data = json.loads(line)
            with self._lock:
                self.events.append((time.monotonic(), data["kind"], data["payload"]))

    def _read_log(self) -> None:
        for line in self.proc.stderr:
            with self._lock:
                self.stderr.append(line)
                if self.SUBSCRIBED in line:
                    self.subscriptions += 1

    def of_kind(self, kind: str, *, since: float = 0.0) -> list[dict]:
        with self._lock:
            return [payload for at, k, payload in self.events if k == kind and at >= since]

    def log(self) -> str:
        with self._lock:
            return "".join(self.stderr[-50:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop_group(proc, grace=3)
