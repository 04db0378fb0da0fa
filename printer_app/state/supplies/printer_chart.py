"""The printer page's supply chart with what the forecasts add: each supply's level history, a dashed line from its
newest level to 0 % at the forecast's day (the band's ends as the tooltip's "at least / at most"), and a mark where a
cartridge was replaced. Pure functions: the state hands them the service's rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from printer_app import i18n
from printer_app.models import SupplyForecast, SupplyLifetime
from printer_app.state.supplies.views import days_text, supply_label
from printer_app.state.view import SUPPLY_CSS_BY_WORD, local_time, number


@dataclass
class SupplyChart:
    points: list[dict[str, Any]] = field(default_factory=list)  # "at" label, then one key per line
    lines: list[list[str]] = field(default_factory=list)  # [key, colour, "history" or "forecast"]
    marks: list[list[str]] = field(default_factory=list)  # [x label, colour, supply name] of replacements


@dataclass
class LifetimeView:
    id: int = 0
    supply: str = ""
    started: str = ""
    ended: str = ""
    replaced: bool = True  # started by a replacement (not the start of the history)
    pages: str = ""
    rated: str = ""
    yield_text: str = ""  # "92 % of 3,000"
    yield_tone: str = "gray"  # amber below 80 % of the rated yield
    levels: str = ""  # "100 % → 3 %"


MIN_HORIZON_DAYS = 14.0


def colour_of(name: str) -> str:
    low = name.lower()
    return next((css for word, css in SUPPLY_CSS_BY_WORD.items() if word in low), "#8b8d98")


def _name(forecast: SupplyForecast | None) -> str:
    if forecast is None:
        return ""
    return forecast.description or supply_label(forecast.kind, forecast.color or "")


def supply_chart(series: list[dict[str, Any]], forecasts: list[SupplyForecast], lifetimes: list[SupplyLifetime]):
    """The chart's points (history, then the forecasts' ends, in time order), its lines and replacement marks."""
    by_time: dict[datetime, dict[str, Any]] = {p["at"]: dict(p) for p in series}
    history = sorted({k for p in series for k in p if k != "at"})
    lines = [[key, colour_of(key), "history"] for key in history]
    suffix = i18n.gettext("forecast")
    since = min(by_time) if by_time else None
    # The forecasts reach at most as far ahead as the history goes back (at least two weeks).
    horizon = max(MIN_HORIZON_DAYS, (max(by_time) - since).total_seconds() / 86400 if by_time else 0.0)
    for f in forecasts:
        if f.days_to_empty is None or f.level_percent is None or f.last_seen_at is None:
            continue
        if since is not None and f.last_seen_at < since:  # read before the chart's range: not drawn from its past
            continue
        key = f"{_name(f) or f.supply_key} · {suffix}"
        days, level_at_end = f.days_to_empty, 0
        if days > horizon:  # a long-lasting drum must not squeeze the history: the line stops at the horizon
            days, level_at_end = horizon, round(f.level_percent * (1 - horizon / f.days_to_empty))
        end = f.last_seen_at + timedelta(days=days)
        by_time.setdefault(f.last_seen_at, {"at": f.last_seen_at})[key] = f.level_percent
        by_time.setdefault(end, {"at": end})[key] = level_at_end
        lines.append([key, colour_of(_name(f)), "forecast"])
    moments = sorted(by_time)
    points = [{**by_time[at], "at": local_time(at)} for at in moments]
    names = {f.supply_key: _name(f) for f in forecasts}
    marks = []
    for life in lifetimes:
        if not life.started_by_replacement or not moments or life.started_at < moments[0]:
            continue
        at = next((m for m in moments if m >= life.started_at), None)
        if at is not None:
            name = names.get(life.supply_key, "")
            marks.append([local_time(at), colour_of(name), name])
    return SupplyChart(points=points, lines=lines, marks=marks)


def lifetime_view(life: SupplyLifetime, names: dict[str, str]) -> LifetimeView:
    yield_text, tone = "—", "gray"  # no rated yield known (or no pages counted): a dash, as the other cells
    if life.rated_yield and life.pages is not None:
        share = round(100 * life.pages / life.rated_yield)
        yield_text = i18n.gettext("{share} % of {rated}", share=share, rated=number(life.rated_yield))
        tone = "amber" if share < 80 and life.ended_at is not None else "gray"
    levels = "—"
    if life.start_percent is not None:
        end = f"{life.end_percent} %" if life.end_percent is not None else "…"
        levels = f"{life.start_percent} % → {end}"
    return LifetimeView(
        id=life.id,
        supply=names.get(life.supply_key, life.supply_key),
        started=local_time(life.started_at),
        ended=local_time(life.ended_at) if life.ended_at else i18n.gettext("in the printer now"),
        replaced=life.started_by_replacement,
        pages=number(life.pages),
        rated=number(life.rated_yield),
        yield_text=yield_text,
        yield_tone=tone,
        levels=levels,
    )


def forecast_texts(forecasts: list[SupplyForecast]) -> list[list[str]]:
    """[supply, days to empty with band, pages to empty] per supply, for the lines under the chart."""
    rows = []
    for f in forecasts:
        pages = "" if f.pages_to_empty is None else i18n.gettext("pages to empty: {n}", n=number(f.pages_to_empty))
        rows.append(
            [_name(f), days_text(f.forecast_status, f.days_to_empty, f.days_low, f.days_high, f.level_percent), pages]
        )
    return rows
