"""Cross-site requests in a real browser: a page served from another port of the same host (another origin, but
the same site, so the browser attaches the admin's cookies) tries to act as the signed-in admin through the event
WebSocket, a sign-out form and an image; the app's own pages keep working."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import Organization
from tests.e2e.conftest import AppServer, shot

pytestmark = pytest.mark.e2e

# Opens a socket.io connection to the app's event WebSocket (namespace and path "/_event") as the app's own frontend
# does, sends `events` and answers "accepted" once the server confirms the save, or "refused: <why>" when the
# handshake is refused.
ATTACK = """([appUrl, events]) => new Promise((resolve) => {
  const socket = io(appUrl + "/_event", {path: "/_event", transports: ["websocket"], reconnection: false,
                                        query: {token: crypto.randomUUID()}});
  socket.on("connect_error", (err) => resolve("refused: " + err.message));
  socket.on("connect", () => events.forEach((event) => socket.emit("event", event)));
  socket.on("event", (update) => { if (JSON.stringify(update).includes("saved")) resolve("accepted"); });
  setTimeout(() => resolve("no answer"), 20000);  // only reached when something is broken
})"""


def _pages(app_url: str) -> dict[str, str]:
    logout_form = (
        f'<form id="f" method="post" action="{app_url}/auth/logout"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )
    image = f'<img id="logout-img" src="{app_url}/auth/logout" alt="">'
    frame = '<!doctype html><html><head><meta charset="utf-8"><title>Another site</title>{head}</head><body>{body}'
    return {
        "/": frame.format(head='<script src="/socket.io.min.js"></script>', body="<h1>Nothing to see here</h1>"),
        "/logout-form": frame.format(head="", body=logout_form),
        "/logout-image": frame.format(head="", body=image),
    }


class OtherSite:
    """Pages of another origin on a free port of this host, plus the socket.io client the app's frontend uses."""

    def __init__(self, app_url: str, socket_io_js: Path):
        files = {path: (body.encode(), "text/html") for path, body in _pages(app_url).items()}
        files["/socket.io.min.js"] = (socket_io_js.read_bytes(), "text/javascript")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, kind = files.get(self.path, (b"not found", "text/plain"))
                self.send_response(200 if self.path in files else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_port}"  # same host as the app, another port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def other_site(app_server: AppServer) -> Iterator[OtherSite]:
    socket_io = Path(app_server.env["REFLEX_WEB_WORKDIR"]) / "node_modules/socket.io-client/dist/socket.io.min.js"
    site = OtherSite(app_server.base_url, socket_io)
    yield site
    site.close()


def _create_organization(name: str) -> list[dict]:
    """The events the organizations page sends to create one: type the name, press Save."""
    from printer_app.state.inventory.organizations import OrganizationsState

    state = OrganizationsState.get_full_name()
    router = {"pathname": "/organizations", "asPath": "/organizations"}
    return [
        {"name": f"{state}.set_name", "payload": {"value": name}, "router_data": router},
        {"name": f"{state}.save", "payload": {}, "router_data": router},
    ]


def _stored(db_session, name: str) -> bool:
    with db_session() as s:
        return s.exec(select(Organization).where(Organization.name == name)).first() is not None


def _signed_in(page: Page) -> bool:
    return page.request.get("/auth/me").status == 200


def test_a_page_on_another_port_cannot_drive_the_admins_event_socket(
    page: Page, app_server: AppServer, other_site: OtherSite, db_session
) -> None:
    tag = secrets.token_hex(3)
    page.goto("/organizations")
    expect(page.locator("#page-title")).to_have_text("Organizations")
    # The same script from the app's own origin is accepted: it is a working attack, not a broken one.
    page.add_script_tag(url=f"{other_site.url}/socket.io.min.js")
    assert page.evaluate(ATTACK, [app_server.base_url, _create_organization(f"Own origin {tag}")]) == "accepted"
    assert _stored(db_session, f"Own origin {tag}")

    attacker = page.context.new_page()  # the admin's browser, cookies included, on the other site
    attacker.goto(other_site.url)
    expect(attacker.locator("h1")).to_have_text("Nothing to see here")
    result = attacker.evaluate(ATTACK, [app_server.base_url, _create_organization(f"Hijacked {tag}")])

    assert result.startswith("refused"), result
    assert not _stored(db_session, f"Hijacked {tag}")
    # The app itself still works over its own socket: add an organization through the page.
    page.goto("/organizations")
    page.click("#add-org")
    page.fill("#org-name", f"After the attack {tag}")
    page.click("#org-save")
    expect(page.locator("tr.org-row", has_text=f"After the attack {tag}")).to_be_visible()
    expect(page.locator("tr.org-row", has_text=f"Hijacked {tag}")).to_have_count(0)
    assert _stored(db_session, f"After the attack {tag}")


def test_another_sites_form_or_image_does_not_sign_the_admin_out(page: Page, other_site: OtherSite) -> None:
    page.goto("/organizations")
    expect(page.locator("#signed-in-user")).to_be_visible()

    attacker = page.context.new_page()
    attacker.goto(f"{other_site.url}/logout-form")  # posts a form to /auth/logout at once
    expect(attacker.locator("body")).to_contain_text("Refused: the request came from another site")
    shot(attacker, "cross_site_refused")
    assert _signed_in(page)
    attacker.goto(f"{other_site.url}/logout-image")  # a GET of /auth/logout
    attacker.wait_for_function("document.getElementById('logout-img').complete")
    assert _signed_in(page)

    # The app's own sign-out button (a POST from the app's page) does sign out.
    page.click("#sign-out")
    page.wait_for_url("**/auth/login")
    assert not _signed_in(page)
