"""The compiled pages, as the browser gets them: what makes a live update cheap or dear to render."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PAGE_BODY = re.compile(r"^function Component\(\) \{\n(.*?)^  return \(", re.S | re.M)


def test_no_page_component_reads_a_state(app_server) -> None:
    """A page's own component must not read a state: it would re-render every element of the page (sidebar, filters,
    dialogs: hundreds of styled components) on each change of that state, a live update of the rows included.
    State is read by the small memoised components Reflex compiles for each stateful part (and by our `rx.memo`s)."""
    routes = Path(app_server.env["REFLEX_WEB_WORKDIR"]) / "app" / "routes"
    pages = sorted(routes.glob("*.jsx"))
    assert len(pages) > 20, pages
    readers = {}
    for path in pages:
        body = PAGE_BODY.search(path.read_text(encoding="utf-8"))
        assert body, f"{path.name}: no page component found"
        contexts = re.findall(r'useStateContext\("([^"]+)"\)|useContext\((StateContexts\.[\w.]+)\)', body.group(1))
        if contexts:
            readers[path.name] = [a or b for a, b in contexts]
    assert readers == {}
