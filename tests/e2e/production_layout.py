"""The production layout of deploy/ as real processes: the frontend built by `deploy/run build-frontend`, backends
started by `deploy/run backend PORT`, and nginx running deploy/nginx/printer-inventory.conf itself (only its EDIT
lines replaced: ports, the frontend directory), as the current user under a temp prefix."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.workers_harness import wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_RUN = REPO_ROOT / "deploy" / "run"
NGINX_SITE = REPO_ROOT / "deploy" / "nginx" / "printer-inventory.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
BUILD_TIMEOUT = 600  # seconds: a cold npm install and production build on a loaded two-core machine


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def build_frontend(env: dict[str, str], log: Path) -> None:
    """`deploy/run build-frontend` as an operator runs it (APP_URL, FRONTEND_DIR and REFLEX_WEB_WORKDIR in env)."""
    with log.open("wb") as out:
        done = subprocess.run(
            [str(DEPLOY_RUN), "build-frontend"], env=env, stdout=out, stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT
        )
    if done.returncode != 0:
        raise AssertionError(f"deploy/run build-frontend failed ({done.returncode}):\n{tail(log)}")


class Backend:
    """`deploy/run backend PORT` in a process group of its own (reflex, granian and its workers)."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.name, self.port, self.env = name, port, env
        self.log = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Backend:
        with self.log.open("ab") as out:
            out.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [str(DEPLOY_RUN), "backend", str(self.port)],
                cwd="/",  # the script finds its checkout itself
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 180) -> None:
        def ready() -> bool:
            if self.proc is None or self.proc.poll() is not None:
                raise AssertionError(f"backend {self.name} exited:\n{tail(self.log)}")
            return answers(f"http://127.0.0.1:{self.port}/ping")

        wait_for(ready, timeout=timeout, interval=0.2, what=f"backend {self.name} on port {self.port}")

    def kill(self) -> None:
        """kill -9 of the whole backend: no shutdown hook of Reflex or the app runs."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """A graceful stop (SIGTERM, as systemd sends), then whatever is left is killed."""
        self._signal(signal.SIGTERM, grace=20)

    def _signal(self, sig: int, grace: float = 10) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):  # granian workers may outlive their master
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def render_site(backends: list[Backend], port: int, frontend: Path) -> str:
    """deploy/nginx/printer-inventory.conf with its EDIT values replaced; each replacement must match once, so a
    changed deploy file fails here instead of being tested in a form nobody ships."""
    site = NGINX_SITE.read_text()
    upstream = "".join(f"    server 127.0.0.1:{b.port} max_fails=1 fail_timeout=5s;\n" for b in backends)
    for pattern, replacement in (
        (r"(?m)^    server 127\.0\.0\.1:8001 [^\n]*\n    server 127\.0\.0\.1:8002 [^\n]*\n", upstream),
        (r"(?m)^    listen 80;", f"    listen 127.0.0.1:{port};"),
        (r"(?m)^    root /srv/printer-inventory/frontend;", f"    root {frontend};"),
    ):
        site, count = re.subn(pattern, lambda _m, r=replacement: r, site)
        assert count == 1, f"{NGINX_SITE} no longer has one line matching {pattern!r}"
    return site


class Nginx:
    """nginx with a temp prefix, in the foreground of a process group of its own."""

    def __init__(self, prefix: Path, port: int) -> None:
        self.prefix, self.port = prefix, port
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, site: str) -> Nginx:
        assert NGINX is not None
        p = self.prefix
        (p / "tmp").mkdir(parents=True, exist_ok=True)
        (p / "site.conf").write_text(site)
        temp = "".join(
            f"    {kind}_temp_path {p}/tmp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (p / "nginx.conf").write_text(
            f"user {getpass.getuser()};\n"  # ignored (with a notice) unless started as root
            "worker_processes 1;\n"
            "daemon off;\n"
            f"pid {p}/nginx.pid;\n"
            f"error_log {p}/error.log info;\n"
            "events { worker_connections 512; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            f"    access_log {p}/access.log;\n"
            f"{temp}"
            f"    include {p}/site.conf;\n"
            "}\n"
        )
        test = subprocess.run(
            [NGINX, "-t", "-p", str(p), "-c", str(p / "nginx.conf"), "-e", str(p / "error.log")],
            capture_output=True,
            text=True,
        )
        assert test.returncode == 0, f"nginx -t refused the site:\n{test.stderr}"
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(p), "-c", str(p / "nginx.conf"), "-e", str(p / "error.log")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: answers(f"{self.url}/"), timeout=15, what=f"nginx on {self.url}:\n{self.error_log()}")
        return self

    def error_log(self) -> str:
        return tail(self.prefix / "error.log")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
