"""Personal API tokens in a real browser (issue #18): the user menu leads to /profile, a token is created there and
shown once, it works against the running app's JSON API with httpx, the offline docs page renders, and after
"Revoke" in the page the same token gets 401."""

from __future__ import annotations

import secrets

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, hydrated, shot

pytestmark = pytest.mark.e2e


def test_create_use_and_revoke_a_token(page: Page, app_server: AppServer) -> None:
    page.goto("/")
    hydrated(page)
    page.locator("#profile-link").click()
    expect(page).to_have_url(f"{app_server.base_url}/profile")
    hydrated(page)
    name = f"e2e script {secrets.token_hex(3)}"
    page.locator("#token-name").fill(name)
    page.locator("#token-create").click()
    secret_box = page.locator("#new-token-secret")
    expect(secret_box).to_contain_text("pi_")
    secret = secret_box.inner_text().strip()
    row = page.locator(".token-row", has_text=name)
    expect(row).to_contain_text(secret[:10])
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, "api_tokens_created")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "api_tokens_created_390")
    page.set_viewport_size({"width": 1440, "height": 900})

    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=app_server.base_url, timeout=30) as client:
        listed = client.get("/api/v1/printers", headers=headers)
        assert listed.status_code == 200, listed.text
        assert {"items", "total", "next"} <= set(listed.json())
        assert client.get("/api/health").json()["database"] == "ok"
        docs = client.get("/api/docs", headers=headers)
        assert docs.status_code == 200 and "/v1/printers" in docs.text and "cdn" not in docs.text.lower()

    page.goto("/api/docs")  # the browser's session cookie serves the docs page too
    expect(page.locator("h1")).to_contain_text("Printer Inventory API")
    shot(page, "api_docs")
    page.goto("/profile")
    hydrated(page)
    expect(page.locator("#new-token-secret")).to_have_count(0)  # shown once: not after a reload
    row = page.locator(".token-row", has_text=name)
    row.locator(".token-revoke").click()
    expect(row).to_contain_text("Revoked")
    expect(row.locator(".token-revoke")).to_have_count(0)
    shot(page, "api_tokens_revoked")

    with httpx.Client(base_url=app_server.base_url, timeout=30) as client:
        refused = client.get("/api/v1/printers", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert 'error="invalid_token"' in refused.headers["www-authenticate"]
