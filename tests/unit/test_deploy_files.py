"""deploy/ stays in step with the app: nginx proxies every route the backends serve, the env templates list every
setting, the process definitions call commands deploy/run has. (tests/e2e/test_production_layout.py runs them.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from printer_app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = (DEPLOY / "nginx" / "printer-inventory.conf").read_text()


def _proxied(path: str) -> bool:
    """Whether a request for `path` reaches a location of the site that proxies to the backends."""
    blocks = re.findall(r"location\s+(~\s+)?(\S+)\s*\{([^}]*)\}", SITE)
    for regex, pattern, body in blocks:
        if "proxy_pass http://printer_inventory_backends" not in body:
            continue
        if (regex and re.search(pattern, path)) or (not regex and path.startswith(pattern)):
            return True
    return False


def _backend_paths() -> list[str]:
    """The routes the app mounts, read in a process of its own: importing the app module here would fix its
    settings (sign-in keys) for every later test of the run."""
    listing = (
        "from printer_app.printer_app import api, app\n"
        "print('\\n'.join([route.path for route in api.routes] + [route.path for route in app._api.routes]))\n"
    )
    result = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    paths = [line for line in result.stdout.splitlines() if line.startswith("/")]
    assert "/_live/ack" in paths and "/auth/login" in paths, paths
    return sorted({*paths, "/_upload", "/api/v1/printers", "/auth/oidc/callback"})


def test_nginx_sends_every_backend_route_to_the_backends() -> None:
    missing = [path for path in _backend_paths() if not _proxied(path)]
    assert not missing, f"deploy/nginx/printer-inventory.conf serves these backend routes as static files: {missing}"


@pytest.mark.parametrize("path", ["/", "/printers", "/printers/12", "/reports/2026-05", "/assets/app-1.js", "/apis"])
def test_pages_and_assets_come_from_the_static_frontend(path: str) -> None:
    assert not _proxied(path)


def test_the_event_socket_is_upgraded_and_kept_open() -> None:
    event = re.search(r"location /_event \{([^}]*)\}", SITE)
    assert event and "proxy_read_timeout 1h" in event.group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in SITE
    assert "proxy_set_header Connection $connection_upgrade;" in SITE
    assert "proxy_next_upstream error timeout" in SITE
    # a location setting headers of its own would drop the server's (nginx inherits them only when it sets none)
    assert SITE.count("proxy_set_header") == SITE.split("\n    location ", 1)[0].count("proxy_set_header")


@pytest.mark.parametrize("template", [".env.example", "deploy/production.env"])
def test_env_templates_document_every_setting(template: str) -> None:
    text = (ROOT / template).read_text()
    aliases = [field.alias for field in Settings.model_fields.values() if field.alias]
    missing = [alias for alias in aliases if not re.search(rf"^#? ?{alias}=", text, re.MULTILINE)]
    assert not missing, f"{template} does not document {missing}"


def _run_commands() -> set[str]:
    script = (DEPLOY / "run").read_text()
    return set(re.findall(r"^  ([a-z-]+)\)$", script, re.MULTILINE))


def test_process_definitions_use_commands_of_deploy_run() -> None:
    commands = _run_commands()
    assert {"build-frontend", "migrate", "backend", "worker", "scheduler", "check"} <= commands
    used = re.findall(r"deploy/run (\S+)", (DEPLOY / "Procfile").read_text())
    for unit in (DEPLOY / "systemd").glob("*.service"):
        used += re.findall(r"^ExecStart=\S*deploy/run (\S+)", unit.read_text(), re.MULTILINE)
    assert used and set(used) <= commands, set(used) - commands


def test_deploy_run_parses_and_explains_itself() -> None:
    assert subprocess.run(["bash", "-n", str(DEPLOY / "run")]).returncode == 0
    usage = subprocess.run([str(DEPLOY / "run")], capture_output=True, text=True)
    assert usage.returncode == 2
    assert "deploy/run backend PORT" in usage.stderr
