"""State of the SLA charts page: filters (organizations, month range, target %, the worst devices' month) kept in
the URL (the target also in the browser), and the figures as chart points plus the same numbers as table rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from printer_app.i18n import N_, format_number, format_period, gettext
from printer_app.services.reports.charts import VOLUME_KINDS, Charts, charts
from printer_app.services.reports.months import month_key, parse_report_month
from printer_app.state.reports.access import ACCESS, VISIBILITY
from printer_app.state.session import SessionState, requires, requires_page, with_session

ROUTE = "/reports/charts"
DEFAULT_TARGET = 95
ORG_SEPARATOR = "|"  # between organization names in the URL (a name with it cannot be chosen through the URL)
MAX_URL_ORGS = 50
PALETTE = ("#0090ff", "#e5484d", "#30a46c", "#f76b15", "#8e4ec6", "#12a594", "#d6409f", "#978365", "#3e63dd", "#ffc53d")
KIND_COLOURS = {"a4_bw": "#0090ff", "a4_color": "#30a46c", "a3_bw": "#8e4ec6", "a3_color": "#f76b15"}
KIND_LABELS = {"a4_bw": N_("A4 b/w"), "a4_color": N_("A4 colour"), "a3_bw": N_("A3 b/w"), "a3_color": N_("A3 colour")}


def _month(value: str) -> date | None:
    try:
        return parse_report_month(value[:20]) if value else None
    except ValueError:
        return None


def _target(value: object) -> int | None:
    """A target percentage as typed or found in the URL / the browser: a whole number 1–100, else None."""
    text = str(value or "").strip().rstrip("%").strip()
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= 100 else None


def percent(value: float | None) -> str:
    """K1 / K2 as the tables show them: two decimals and %, or "no data"."""
    return gettext("no data") if value is None else format_number(round(value, 2)) + " %"


class ChartsState(SessionState):
    """The SLA and volume charts; every filter change re-reads the figures (a few aggregate queries)."""

    months: list[list[str]] = []  # [YYYY-MM, label] of every month the user may see, newest first
    organizations: list[str] = []  # the organizations of the months shown (the filter's choices)
    chosen: list[str] = []  # the organization filter ([] = all)
    month_from: str = ""  # YYYY-MM, "" = open
    month_to: str = ""
    target: int = DEFAULT_TARGET
    saved_target: str = rx.LocalStorage("", name="report_charts_target")
    worst_month: str = ""  # YYYY-MM the worst devices are of
    shown: list[list[str]] = []  # [YYYY-MM, label] of the months the charts cover, oldest first
    series: list[list[str]] = []  # [data key, organization, colour] of the K1 / K2 lines
    sla_points: list[dict[str, Any]] = []  # {"month": label, "k1_o0": 95.0, "k2_o0": 75.0, ...}
    sla_table: list[dict[str, str]] = []
    volume_bars: list[list[str]] = []  # [data key, "organization · kind", colour, stack id]
    volume_points: list[dict[str, Any]] = []
    volume_table: list[dict[str, str]] = []
    worst_points: list[dict[str, Any]] = []  # {"label": serial, "k1": 50.0}
    worst_table: list[dict[str, str]] = []
    loaded: bool = False

    @rx.var
    def url(self) -> str:
        """The page's address with its filters ("" until the URL was read)."""
        if not self.loaded:
            return ""
        values = {
            "org": ORG_SEPARATOR.join(self.chosen),
            "from": self.month_from,
            "to": self.month_to,
            "target": "" if self.target == DEFAULT_TARGET else str(self.target),
            "worst": self.worst_month if self.shown and self.worst_month != self.shown[-1][0] else "",
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return ROUTE + ("?" + query if query else "")

    def _read_url(self, query: Mapping[str, str]) -> None:
        """The filters of the URL; a value the page does not offer (hostile or stale) is left at its default."""
        names = [n for n in query.get("org", "")[:10_000].split(ORG_SEPARATOR) if n.strip()]
        self.chosen = sorted(set(names[:MAX_URL_ORGS]))
        for key, name in (("from", "month_from"), ("to", "month_to"), ("worst", "worst_month")):
            month = _month(query.get(key, ""))
            setattr(self, name, month_key(month) if month else "")
        self.target = _target(query.get("target")) or _target(self.saved_target) or DEFAULT_TARGET

    async def _query(self) -> None:
        manage = VISIBILITY in self.permissions  # set by the guard of this very event
        figures = await with_session(
            charts,
            can_manage=manage,
            organizations=tuple(self.chosen),
            month_from=_month(self.month_from),
            month_to=_month(self.month_to),
            worst_month=_month(self.worst_month),
        )
        self.months = [[month_key(m), format_period(m, "month")] for m in figures.available]
        self._show(figures)

    def _show(self, figures: Charts) -> None:
        label = {m: format_period(m, "month") for m in figures.months}
        self.shown = [[month_key(m), label[m]] for m in figures.months]
        self.organizations = figures.organizations
        self.chosen = [name for name in self.chosen if name in figures.organizations] if figures.months else []
        shown_orgs = sorted({f.organization for f in figures.sla}, key=lambda n: (n.casefold(), n))
        key = {name: f"o{i}" for i, name in enumerate(shown_orgs)}
        self.series = [[key[n], n, PALETTE[i % len(PALETTE)]] for i, n in enumerate(shown_orgs)]
        points: dict[date, dict[str, Any]] = {m: {"month": label[m]} for m in figures.months}
        for f in figures.sla:
            points[f.month][f"k1_{key[f.organization]}"] = round(f.k1, 2) if f.k1 is not None else None
            points[f.month][f"k2_{key[f.organization]}"] = round(f.k2, 2) if f.k2 is not None else None
        self.sla_points = list(points.values())
        self.sla_table = [
            {
                "month": label[f.month],
                "organization": f.organization,
                "k1": percent(f.k1),
                "k1_rows": format_number(f.k1_rows),
                "k2": percent(f.k2),
                "k2_rows": format_number(f.k2_rows),
            }
            for f in figures.sla
        ]
        self.volume_bars = [
            [f"{key[n]}_{kind}", f"{n} · {gettext(KIND_LABELS[kind])}", KIND_COLOURS[kind], key[n]]
            for n in shown_orgs
            for kind in VOLUME_KINDS
        ]
        volumes: dict[date, dict[str, Any]] = {m: {"month": label[m]} for m in figures.months}
        for f in figures.volumes:
            volumes[f.month].update({f"{key[f.organization]}_{kind}": getattr(f, kind) for kind in VOLUME_KINDS})
        self.volume_points = list(volumes.values())
        self.volume_table = [
            {
                "month": label[f.month],
                "organization": f.organization,
                **{kind: format_number(getattr(f, kind)) for kind in VOLUME_KINDS},
                "total": format_number(f.total),
            }
            for f in figures.volumes
        ]
        self.worst_month = month_key(figures.worst_month) if figures.worst_month else ""
        self.worst_points = [{"label": w.serial or "—", "k1": round(w.k1, 2)} for w in figures.worst]
        self.worst_table = [
            {
                "serial": w.serial or "—",
                "model": w.model,
                "organization": w.organization,
                "address": w.address,
                "k1": percent(w.k1),
                "a": format_number(w.availability),
                "d": format_number(w.downtime),
            }
            for w in figures.worst
        ]

    @rx.event
    @requires_page(ACCESS)
    async def load(self) -> None:
        """Page load: the filters from the URL (the target else from the browser), then the figures."""
        self.loaded = False
        self._read_url(self.router.url.query_parameters)
        await self._query()
        self.loaded = True

    @rx.event
    @requires(ACCESS)
    async def toggle_organization(self, name: str) -> None:
        """Add or remove one organization of the filter (only those the page offers)."""
        if name in self.chosen:
            self.chosen = [n for n in self.chosen if n != name]
        elif name in self.organizations:
            self.chosen = sorted({*self.chosen, name})
        await self._query()

    @rx.event
    @requires(ACCESS)
    async def all_organizations(self) -> None:
        self.chosen = []
        await self._query()

    @rx.event
    @requires(ACCESS)
    async def set_month_range(self, name: str, value: str) -> None:
        """The range's start or end ("from" / "to"); anything that is not a month opens that end."""
        month = _month(str(value or ""))
        if name in ("from", "to"):
            setattr(self, f"month_{name}", month_key(month) if month else "")
            await self._query()

    @rx.event
    @requires(ACCESS)
    async def set_worst_month(self, value: str) -> None:
        month = _month(str(value or ""))
        self.worst_month = month_key(month) if month else ""
        await self._query()

    @rx.event
    @requires(ACCESS)
    async def set_target(self, value: str):
        """The target line (1–100 %), remembered in this browser; anything else is refused with a message."""
        target = _target(value)
        if target is None:
            return rx.toast.error(gettext("The target must be a whole number from 1 to 100."))
        self.target = target
        self.saved_target = str(target)
        return None
