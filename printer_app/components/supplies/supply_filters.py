"""The filters above the supplies tables, and the address bar kept in step with them."""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import Var, VarData

from printer_app.components.forms import filter_select
from printer_app.components.table import more_filters, reset_button, search_box
from printer_app.i18n import N_
from printer_app.state.supplies.fleet import ALL, COLOR_OPTIONS, KIND_OPTIONS, SuppliesState

S = SuppliesState


class UrlSync(rx.Fragment):
    """Keeps the address bar in step with the page's filters (history.replaceState: no reload, no new entry).

    The first value is skipped: it is the state as it was before this page's `load` read the URL it was opened with.
    """

    def add_hooks(self) -> list[str | Var]:
        url = str(S.url)
        return [
            Var(
                "const piSuppliesUrlFirst = useRef(true);",
                _var_data=VarData(imports={"react": [ImportVar(tag="useRef"), ImportVar(tag="useEffect")]}),
            ),
            Var(
                f"useEffect(() => {{ const u = {url}; if (piSuppliesUrlFirst.current) {{"
                " piSuppliesUrlFirst.current = false; return; }"
                " if (u && /^\\/supplies\\/?$/.test(window.location.pathname)) {"
                " window.history.replaceState(window.history.state, '', u); } }, [" + url + "]);",
                _var_data=S.url._get_all_var_data(),
            ),
        ]


def filters() -> rx.Component:
    return rx.hstack(
        search_box(S.search, S.set_search, placeholder=N_("Printer, model or part…"), id="filter-search"),
        *more_filters(
            filter_select(S, "organization", [[ALL, N_("All organizations")]], dynamic=S.org_options, width="180px"),
            filter_select(S, "kind", KIND_OPTIONS, width="150px"),
            filter_select(S, "color", COLOR_OPTIONS, width="130px"),
            filter_select(S, "level_below", [[ALL, N_("Any level")]], dynamic=S.level_options, width="150px"),
            filter_select(S, "empty_within", [[ALL, N_("Any forecast")]], dynamic=S.within_options, width="190px"),
            active=S.active_filters,
            id="supplies-filters-toggle",
        ),
        reset_button(S.reset_filters, search_id="filter-search", id="filter-reset"),
        wrap="wrap",
        width="100%",
        spacing="2",
        align="center",
    )
