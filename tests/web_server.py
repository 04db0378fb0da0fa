"""A printer embedded web server on 127.0.0.1:<free port> for the web parsing tests.

Serves the real pages of tests/data/web at the paths their README names, plus pages written here:
one whose values a script inserts after load, one whose counters appear only after a tab is clicked (and a serial
only after a PIN is typed), one behind basic auth, one showing supply status words, redirects, and an oversized body.

    with PrinterWebServer() as server:
        server.port, server.url("/status.asp")
"""

from __future__ import annotations

import base64
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB_TESTDATA = Path(__file__).resolve().parent / "data" / "web"
AUTH_USER, AUTH_PASSWORD = "admin", "s3cret"
BIG_BODY_BYTES = 5 * 1024 * 1024 + 1

# Printer URL → (file, content type), as listed in the testdata README.
FILES = {
    "/sws/app/information/home/home.json": ("samsung_m2070_home.json", "application/json"),
    "/Information/supplies_status.htm": ("samsung_m2070_supplies_status.htm", "text/html"),
    "/status.asp": ("dell_c1765nfw_status.html", "text/html"),
    "/infomation.asp": ("dell_c1765nfw_information.html", "text/html"),
    "/prtmaint/prtvolume.asp": ("dell_c1765nfw_prtvolume.html", "text/html; charset=UTF-8"),
    "/PRESENTATION/HTML/TOP/PRTINFO.HTML": ("epson_wf3540_prtinfo.html", "text/html"),
    "/PRESENTATION/ADVANCED/INFO_MENTINFO/TOP": ("epson_et4950_usage_status.html", "text/html"),
}

JS_RENDERED = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Status</title></head>
<body>
<table id="counters"><tr><th>Total</th><td id="total"></td></tr><tr><th>Serial</th><td id="serial"></td></tr></table>
<script>
window.addEventListener("load", function () {
  document.getElementById("total").textContent = "12" + ",345";
  document.getElementById("serial").textContent = ["JS", "SN", "0042"].join("-");
});
</script>
</body></html>
"""

TABBED = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Device</title></head>
<body>
<nav><a href="#" id="tab-general">General</a> <a href="#" id="tab-counters">Counters</a></nav>
<div id="panel">General information</div>
<p><input id="pin" type="password"> <button id="unlock" type="button">Unlock</button></p>
<div id="secret"></div>
<script>
document.getElementById("tab-counters").addEventListener("click", function (ev) {
  ev.preventDefault();
  setTimeout(function () {
    document.getElementById("panel").innerHTML =
      "<dl><dt>Black &amp; White</dt><dd id='bw'>4 321</dd><dt>Colour</dt><dd id='color'>1 234</dd></dl>";
  }, 150);
});
document.getElementById("unlock").addEventListener("click", function () {
  if (document.getElementById("pin").value === "1234") {
    document.getElementById("secret").innerHTML = "<span id='serial'>TAB-SN-7</span>";
  }
});
</script>
</body></html>
"""

PROTECTED = b"""<html><body><table>
<tr><td>Serial Number</td><td id="serial">AUTH-SN-1</td></tr>
<tr><td>Total Impressions</td><td id="total">7,001</td></tr>
</table></body></html>
"""


# A supplies page that shows status words, not levels (many embedded servers do): they are states, never 0 %.
STATUS_WORDS = b"""<html><body><table id="supplies">
<tr><th>Black Toner</th><td id="toner">Low</td></tr>
<tr><th>Drum Unit</th><td id="drum">OK</td></tr>
<tr><th>Cyan Toner</th><td id="cyan">Replace Cartridge</td></tr>
</table></body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in self.server.pages:
            self._send(200, *self.server.pages[path])
        elif path in self.server.redirects:
            self._redirect(self.server.redirects[path])
        elif path in FILES:
            name, content_type = FILES[path]
            self._send(200, (WEB_TESTDATA / name).read_bytes(), content_type)
        elif path == "/js/status.html":
            self._send(200, JS_RENDERED, "text/html; charset=utf-8")
        elif path == "/js/tabs.html":
            self._send(200, TABBED, "text/html; charset=utf-8")
        elif path == "/supplies/words.html":
            self._send(200, STATUS_WORDS, "text/html")
        elif path == "/auth/status.html":
            self._protected()
        elif path == "/redirect/same":
            self._redirect("/status.asp")
        elif path == "/redirect/other-host":  # another host, still on loopback: a guard bug cannot leak traffic
            self._redirect(f"http://127.0.0.2:{self.server.server_port}/status.asp")
        elif path == "/redirect/localhost":
            self._redirect(f"http://localhost:{self.server.server_port}/status.asp")
        elif path == "/big":
            self._big()
        else:
            self._send(404, b"<html><body>Not found</body></html>", "text/html")

    def _protected(self) -> None:
        token = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") == f"Basic {token}":
            self._send(200, PROTECTED, "text/html")
            return
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="printer"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(BIG_BODY_BYTES))
        self.end_headers()
        chunk = b"1" * 65536
        sent = 0
        try:
            while sent < BIG_BODY_BYTES:
                part = chunk[: BIG_BODY_BYTES - sent]
                self.wfile.write(part)
                sent += len(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its size cap, as it should

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        self.server.requests.append(self.path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]
    pages: dict[str, tuple[bytes, str]]
    redirects: dict[str, str]


class PrinterWebServer:
    """The test web server; `requests` lists the paths it served (for "was it fetched at all" checks).

    A test may add pages of its own: `server.pages["/x.html"] = (body, content_type)`, and redirects:
    `server.redirects["/from"] = "http://..."`.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._server = _Server((host, 0), _Handler)
        self._server.requests = []
        self._server.pages = {}
        self._server.redirects = {}
        self._thread = threading.Thread(target=self._server.serve_forever, name="printer-web", daemon=True)

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def requests(self) -> list[str]:
        return self._server.requests

    @property
    def pages(self) -> dict[str, tuple[bytes, str]]:
        return self._server.pages

    @property
    def redirects(self) -> dict[str, str]:
        return self._server.redirects

    def path(self, path: str) -> str:
        """A rule url_path reaching `path` on this server (the `:PORT/` same-host convention)."""
        return f":{self.port}{path}"

    def __enter__(self) -> PrinterWebServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


FOREIGN_CONTENT = "FOREIGN-CONTENT-7731"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: _RecordingServer

    def _answer(self) -> None:
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        body = f'<html><body><p id="foreign">{self.server.content}</p></body></html>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Access-Control-Allow-Origin", "*")  # a script of any page may read it
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[tuple[str, str, dict[str, str]]]
    content: str


class RecordingServer:
    """Another host: answers every request with `content` (readable cross-origin) and records it in `seen` as
    (method, path, headers); a WebSocket handshake is recorded too."""

    def __init__(self, host: str, content: str = FOREIGN_CONTENT) -> None:
        self._server = _RecordingServer((host, 0), _RecordingHandler)
        self._server.seen = []
        self._server.content = content
        self._thread = threading.Thread(target=self._server.serve_forever, name="recording-web", daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def seen(self) -> list[tuple[str, str, dict[str, str]]]:
        return self._server.seen

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class SilentServer:
    """A printer that accepts connections and never answers (until `release` closes them); `accepted` is set once
    a client connected."""

    def __init__(self, host: str) -> None:
        self._socket = socket.create_server((host, 0))
        self._socket.settimeout(0.2)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self.accepted = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-web", daemon=True)

    @property
    def port(self) -> int:
        return self._socket.getsockname()[1]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self._held.append(connection)
            self.accepted.set()

    def release(self) -> None:
        """Close the held connections: the waiting client gets its answer (an error) at once."""
        for connection in self._held:
            connection.close()

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.release()
        self._socket.close()
