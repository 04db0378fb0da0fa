"""The address bar kept in step with a page's filters, sort and page (history.replaceState: no reload, no new entry).

A memo of the page's `url` var: only this empty component re-renders when the state changes. Hooks that read a state
var at the page level (as this one did on six pages) subscribe the whole page component to that state, so every
change of it, a live update of the rows included, re-rendered every element of the page.
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import Var, VarData


@rx.memo
def url_sync(url: rx.Var[str]) -> rx.Component:
    """Replace the address with `url` whenever it changes, while the browser still shows the page it belongs to (its
    path). The first value is skipped: it is the state as it was before the page's `load` read the URL it was
    opened with (the page states' `url` is "" until then)."""
    value = str(url)
    effect = (
        f"useEffect(() => {{ if (piUrlFirst.current) {{ piUrlFirst.current = false; return; }}"
        f" const u = {value};"
        " if (u && u.split('?')[0] === window.location.pathname.replace(/\\/$/, '')) {"
        " window.history.replaceState(window.history.state, '', u); } }, [" + value + "]);"
    )
    hooks = VarData(
        imports={"react": [ImportVar(tag="useRef"), ImportVar(tag="useEffect")]},
        hooks={"const piUrlFirst = useRef(true);": None, effect: None},
    )
    return rx.fragment(Var("null", _var_data=hooks))
