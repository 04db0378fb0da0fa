"""The pages a tab's live listener serves, each registered by its own page state: the listener imports none of them.

A page state module registers its page when it is imported (`register(LivePage(...))`); the page's on_load starts
the tab's listener with the page's name (`LiveState.listen("printers")`), and the listener looks the page up here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Apply = Callable[[Any], Awaitable[None]]  # applies re-read data to a tab (given its LiveState), under its state lock


def _always(_state: Any, _printer_ids: set[int]) -> bool:
    return True


@dataclass(frozen=True)
class LivePage:
    """A page whose open tabs receive live updates: who may receive them, and what a finished poll re-reads.

    What the page shows is re-read off the tab's state lock in one of two ways: `reread` re-reads the finished
    printers' rows without looking at the tab first and applies them to those it still shows; `rerun` names the
    page state's own async query method, run on a copy of the state (`rerun_when` it shows a finished printer)
    and applied only if the tab changed nothing meanwhile.
    """

    name: str  # what the page's on_load passes to `LiveState.listen`
    state: type  # the page's state class
    permission: str  # what a tab needs to receive the page's live updates
    spacing: float  # least seconds between two updates of a tab in a burst: each costs the browser a render
    filtered: bool = False  # shows some printers only: the listener passes over the other printers' events
    shown: Callable[[Any], set[int]] | None = None  # (page state) -> printers whose "Poll now" button the tab shows
    reread: Callable[[set[int]], Awaitable[Apply | None]] | None = None
    rerun: str = ""
    rerun_when: Callable[[Any, set[int]], bool] = _always  # (page state, finished printers) -> whether to rerun


_pages: dict[str, LivePage] = {}


def register(page: LivePage) -> LivePage:
    """Add a page (its state module calls this once, when imported)."""
    _pages[page.name] = page
    return page


def live_page(name: object) -> LivePage | None:
    """The registered page of this name; None for any other value (a forged event may send anything)."""
    return _pages.get(name) if isinstance(name, str) else None
