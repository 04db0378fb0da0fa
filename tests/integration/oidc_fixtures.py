"""A real OpenID Provider on loopback: the certified `oidc-provider` npm package, run by node from the venv.

Install once with `npm ci --prefix tests/oidc_provider`. The provider knows one confidential client (PKCE required)
and the accounts alice, mallory and carol (tests/oidc_provider/server.js); `OidcProvider.sign_in` plays the
browser at the provider (its development login and consent forms) and returns the redirect back to the app.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from printer_app.config import PROJECT_ROOT
from tests.conftest import unavailable

PROVIDER_DIR = PROJECT_ROOT / "tests" / "oidc_provider"
APP_URL = "http://testserver"  # Starlette's TestClient base URL: the app's redirect URIs point there
CALLBACK_URL = f"{APP_URL}/auth/oidc/callback"
POST_LOGOUT_URL = f"{APP_URL}/auth/login"


@dataclass
class OidcProvider:
    """The running provider; `browser` keeps its cookies like a browser would (the provider's own session)."""

    issuer: str
    client_id: str = "printer-inventory"
    client_secret: str = "test-client-secret-0123456789"
    browser: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    prompts: list[str] = field(default_factory=list)  # the forms the last sign_in answered (login, consent)

    def sign_in(self, authorize_url: str, account: str) -> str:
        """Follow the authorization request through login and consent; returns the URL the provider sends back."""
        url = authorize_url
        self.prompts = []
        for _ in range(20):
            if url.startswith(APP_URL):
                return url
            response = self.browser.get(url)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
            assert response.status_code == 200 and prompt, f"unexpected provider page {url}: {response.text[:500]}"
            form = {"prompt": prompt.group(1)}
            self.prompts.append(form["prompt"])
            if form["prompt"] == "login":
                form |= {"login": account, "password": "any"}
            response = self.browser.post(url, data=form)
            assert response.is_redirect, response.text[:500]
            url = urljoin(url, response.headers["location"])
        raise AssertionError("the provider kept redirecting")

    def confirm_logout(self, end_session_url: str) -> str:
        """Answer the provider's "sign out?" page with yes; returns where the provider then redirects."""
        page = self.browser.get(end_session_url)
        assert page.status_code == 200, page.text[:500]
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
        done = self.browser.post(urljoin(end_session_url, action), data={"xsrf": xsrf, "logout": "yes"})
        assert done.is_redirect, done.text[:500]
        return done.headers["location"]

    def forget_browser(self) -> None:
        """A new browser: no provider session cookie."""
        self.browser.cookies.clear()


def _node() -> str | None:
    venv_node = Path(sys.executable).with_name("node")
    return str(venv_node) if venv_node.exists() else shutil.which("node")


@contextmanager
def running_provider(app_url: str = APP_URL) -> Iterator[OidcProvider]:
    """The provider on a free loopback port for an app served at `app_url` (its callback and post-logout URIs)."""
    node = _node()
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        unavailable("oidc-provider is not installed: run `npm ci --prefix tests/oidc_provider`")
    provider = OidcProvider(issuer="")
    config = {
        "clientId": provider.client_id,
        "clientSecret": provider.client_secret,
        "redirectUris": [f"{app_url}/auth/oidc/callback"],
        "postLogoutRedirectUris": [f"{app_url}/auth/login"],
    }
    with tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(
            [node, "server.js", json.dumps(config)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,  # the venv's `node` is a launcher: stop the whole group, not just the launcher
        )
        try:
            provider.issuer = _wait_until_serving(proc, stderr)
            yield provider
        finally:
            provider.browser.close()
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher is gone; its node child must not outlive it
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        return


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture() -> Iterator[OidcProvider]:
    """`oidc_provider`: the provider on a free loopback port, serving its discovery document; stopped at the end."""
    with running_provider() as provider:
        yield provider


def _wait_until_serving(proc: subprocess.Popen, stderr) -> str:
    deadline = time.monotonic() + 30
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=30)
    line = proc.stdout.readline() if ready else ""
    if not line.startswith("listening "):
        stderr.seek(0)
        pytest.fail(f"the OIDC provider did not start: {line!r} {stderr.read()[-2000:]}")
    issuer = line.split()[1]
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                return issuer
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the OIDC provider at {issuer} never served its discovery document")
