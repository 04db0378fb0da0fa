"""Hold the server's answers on a page's event websocket: a slow server or a loaded machine, made to order."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, WebSocketRoute

EVENT_SOCKET = re.compile(r"/_event")
SOCKETIO_EVENT = "42"  # socket.io frames carrying an event; engine.io pings and the handshake are never held


class HeldAnswers:
    """Route a page's Reflex websocket through the test: while `holding`, the state updates the server sends wait
    here (in order) until released; the events the page sends go through at once and are recorded.

    Install before the page opens its websocket (before `goto`).
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.holding = False
        self.held: list[str | bytes] = []
        self.sent: list[str] = []
        self.delivered: list[str] = []
        self._route: WebSocketRoute | None = None
        page.route_web_socket(EVENT_SOCKET, self._connect)

    def _connect(self, ws: WebSocketRoute) -> None:
        self._route = ws
        server = ws.connect_to_server()
        server.on_message(self._from_server)
        ws.on_message(lambda message: self._from_page(server, message))

    def _from_page(self, server: WebSocketRoute, message: str | bytes) -> None:
        if isinstance(message, str):
            self.sent.append(message)
        server.send(message)

    def _from_server(self, message: str | bytes) -> None:
        if self.holding and isinstance(message, str) and message.startswith(SOCKETIO_EVENT):
            self.held.append(message)
        else:
            self._deliver(message)

    def _deliver(self, message: str | bytes) -> None:
        if isinstance(message, str):
            self.delivered.append(message)
        self._route.send(message)

    def release(self, count: int | None = None) -> None:
        """Deliver the first `count` held updates, in order (all by default)."""
        count = len(self.held) if count is None else count
        for message in self.held[:count]:
            self._deliver(message)
        del self.held[:count]

    def wait_until(self, condition, what: str, timeout: float = 30.0) -> None:
        """Let the page and the server work until `condition()` holds (playwright delivers the routed messages
        while the page waits)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; held {len(self.held)}, sent {self.sent[-3:]}")
            self.page.wait_for_timeout(20)

    def wait_sent(self, handler: str, since: int) -> None:
        """Until the page sent an event to `handler` (e.g. "set_search") after the first `since` sent messages."""
        self.wait_until(lambda: any(handler in m for m in self.sent[since:]), f"the page to send {handler}")
