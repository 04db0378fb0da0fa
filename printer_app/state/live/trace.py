"""Timings of the live path inside the backend, for bench/poll_all.py: where a poll result waits between its commit
and the websocket frame that brings it to a tab.

Off unless the environment names a file (`PI_LIVE_TRACE`, set by the bench only): then each event read from Redis
carries its send time and the time this process received it, and each update of a tab appends one JSON line.
"""

from __future__ import annotations

import json
import os
import time

from printer_app.services.events import INVENTORY_UPDATE

FILE = os.environ.get("PI_LIVE_TRACE", "")
SENT, RECEIVED = "_trace_sent", "_trace_received"  # payload keys, present only while tracing


def stamp(payload: dict, sent: float | None) -> None:
    """Note on an event from Redis when it was sent and received."""
    if sent is not None:
        payload[SENT], payload[RECEIVED] = sent, time.time()


class UpdateTimer:
    """The moments of one update of a tab: the batch taken, the rows re-read, the state lock held, the delta sent."""

    def __init__(self, batch: list[tuple[str, dict]]) -> None:
        self.events = [p for kind, p in batch if kind == INVENTORY_UPDATE and SENT in p]
        self.marks: dict[str, float] = {"taken": time.time()} if FILE else {}

    def mark(self, name: str) -> None:
        if FILE:
            self.marks[name] = time.time()

    def write(self, token: str) -> None:
        if not (FILE and self.events):
            return
        line = {
            "token": token[-8:],
            "printers": [[p["printer_id"], p[SENT], p[RECEIVED]] for p in self.events],
            **self.marks,
        }
        with open(FILE, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
