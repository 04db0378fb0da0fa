"""One supply's history → its cartridge lifetimes and, for the cartridge in the printer now, when it runs out.

Pure Python + numpy, no database (services/supplies/refresh.py feeds it and stores the result).

Consumption is estimated two ways, each robust (Theil–Sen: the median of pairwise slopes, taken only over pairs far
enough apart that a burst, a weekend or the 1 % steps of a level do not decide it):
- vs time: level against days within the current lifetime;
- vs pages: level against the printed pages within the lifetime (or, for a cartridge just put in, the pages a
  cartridge gave before or its rated yield), times the printer's pages per day over the last weeks.
Stale repeated readings count once (the first time a level was seen), counter resets are carried over
(`cumulative_pages`). When neither way has enough data the answer says so ("not_enough_data").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import pairwise

import numpy as np

from printer_app.services.supplies.lifetimes import (
    Reading,
    Series,
    cumulative_pages,
    median_of,
    noise_of,
    quantiles,
    series_of,
    split_lifetimes,
)

DAY_S = 86_400.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_SPAN_DAYS = 2.0  # a lifetime seen for less than this has no time-based rate
MIN_DROP = 3.0  # percentage points consumed before a rate is trusted
MAX_POINTS = 48  # Theil–Sen over at most this many points (the pairs grow with the square)
PAGE_WINDOW_DAYS = 91.0  # pages per day: over the last 13 weeks (whole weeks: weekends in proportion)
FULL_LIFETIME_DROP = 30.0  # a finished lifetime that used less than this says little about a cartridge's pages
OWN_DROP = 10.0  # a cartridge's own pages-per-point is trusted over its predecessors' once it used this much
TRUNCATION = 0.5  # printers truncate the level (level * 100 // max): the true level is half a point above on average
OK, NOT_ENOUGH, EMPTY, NO_LEVEL = "ok", "not_enough_data", "empty", "no_level"


@dataclass
class LifetimeResult:
    """One cartridge's life: its first and last reading, levels and pages (None when the counter was unknown)."""

    started_at: datetime
    ended_at: datetime | None  # None: the cartridge in the printer now
    start_percent: int | None
    end_percent: int | None
    start_pages: int | None
    end_pages: int | None
    pages: int | None
    started_by_replacement: bool

    @property
    def complete(self) -> bool:
        """From a replacement to the next one: its pages are a whole cartridge's."""
        return self.started_by_replacement and self.ended_at is not None

    def yield_of(self, rated: int | None) -> float | None:
        """Pages printed as a share of the rated yield (1.0 = as rated), for a complete lifetime."""
        if not rated or not self.complete or self.pages is None:
            return None
        return self.pages / rated


@dataclass
class Forecast:
    """When the current cartridge runs out: days and pages with a low/high band, or why not (`status`)."""

    status: str = NOT_ENOUGH
    days_to_empty: float | None = None
    days_low: float | None = None
    days_high: float | None = None  # None with a central figure: no upper bound (consumption may stop)
    pages_to_empty: int | None = None
    pages_low: int | None = None
    pages_high: int | None = None
    method: str = ""  # "time", "pages" or "time+pages": which estimates decided


@dataclass
class Analysis:
    """Everything derived from one supply's history."""

    lifetimes: list[LifetimeResult] = field(default_factory=list)
    forecast: Forecast = field(default_factory=Forecast)
    level_percent: int | None = None
    state: str = "ok"
    last_seen_at: datetime | None = None
    pages_since_replacement: int | None = None

    @property
    def replacements(self) -> int:
        return sum(1 for lt in self.lifetimes if lt.started_by_replacement)

    def pages_per_cartridge(self) -> tuple[int | None, int | None]:
        """The last complete cartridge's pages and the average over the complete ones."""
        pages = [lt.pages for lt in self.lifetimes if lt.complete and lt.pages is not None]
        if not pages:
            return None, None
        return pages[-1], round(sum(pages) / len(pages))


def analyse(readings: list[Reading], *, now: datetime | None = None, rated_yield: int | None = None) -> Analysis:
    """Lifetimes and forecast of one supply from its readings (any order); `rated_yield`: the cartridge's pages."""
    return analyse_series(series_of(readings), now=now, rated_yield=rated_yield)


def analyse_series(series: Series, *, now: datetime | None = None, rated_yield: int | None = None) -> Analysis:
    """`analyse` on the arrays of a supply's history (the refresh builds them straight from the database rows)."""
    if len(series) == 0:
        return Analysis()
    now_s = now.timestamp() if now is not None else float(series.t[-1])
    cum = cumulative_pages(series.pages)
    valid = series.percent[~np.isnan(series.percent)]
    noise = noise_of(valid)
    parts = split_lifetimes(series, noise)
    lifetimes = [_lifetime(series, cum, p.first, p.last, p.started_by_replacement) for p in parts]
    for before, after in pairwise(lifetimes):
        before.ended_at = after.started_at
    current = parts[-1]
    last = series.percent[-1]
    result = Analysis(
        lifetimes=lifetimes,
        level_percent=None if np.isnan(last) else int(last),
        state=series.last_state,
        last_seen_at=_at(series, len(series) - 1),
        pages_since_replacement=_pages_between(cum, current.first, current.last),
    )
    result.forecast = _forecast(series, cum, current.first, lifetimes, now_s, rated_yield, noise)
    return result


def _at(series: Series, i: int) -> datetime:
    """The time of reading `i`: as given when the series has its datetimes (exact, for stable row keys)."""
    if series.at is not None:
        return series.at[i]
    if series.micros is not None:
        return EPOCH + timedelta(microseconds=int(series.micros[i]))
    return datetime.fromtimestamp(float(series.t[i]), UTC)


def _lifetime(series: Series, cum: np.ndarray, first: int, last: int, replaced: bool) -> LifetimeResult:
    levels = series.percent[first : last + 1]
    levels = levels[~np.isnan(levels)]
    counted = series.pages[first : last + 1]
    counted = counted[~np.isnan(counted)]
    return LifetimeResult(
        started_at=_at(series, first),
        ended_at=None,
        start_percent=int(levels[0]) if levels.size else None,
        end_percent=int(levels[-1]) if levels.size else None,
        start_pages=int(counted[0]) if counted.size else None,
        end_pages=int(counted[-1]) if counted.size else None,
        pages=_pages_between(cum, first, last),
        started_by_replacement=replaced,
    )


def _pages_between(cum: np.ndarray, first: int, last: int) -> int | None:
    seen = cum[first : last + 1]
    seen = seen[~np.isnan(seen)]
    return int(seen[-1] - seen[0]) if seen.size else None


def _forecast(
    series: Series,
    cum: np.ndarray,
    first: int,
    lifetimes: list[LifetimeResult],
    now_s: float,
    rated_yield: int | None,
    noise: float,
) -> Forecast:
    newest = series.percent[-1]
    if series.last_state == "empty" or newest == 0:
        return Forecast(status=EMPTY)
    idx = first + np.flatnonzero(~np.isnan(series.percent[first:]))
    if idx.size == 0:
        return Forecast(status=NO_LEVEL)
    days = (series.t[idx] - series.t[idx[0]]) / DAY_S
    levels = series.percent[idx]
    pages = cum[idx]
    keep = _first_of_runs(levels)
    time_fit = _theil_sen(days[keep], levels[keep], min_span=MIN_SPAN_DAYS)
    level_now = _level_now(levels, days, time_fit, noise)
    if level_now <= 0:
        return Forecast(status=EMPTY)
    since_last = (now_s - series.t[idx[-1]]) / DAY_S

    estimates: list[tuple[float, float, float | None, float]] = []  # (days, low, high, weight) counted from now
    method = []
    if time_fit is not None and time_fit[0] < 0:
        slope, lo, hi = time_fit
        estimates.append((*_days_band(level_now, -slope, -hi, -lo, since_last), float(days[-1])))
        method.append("time")

    per_page = _percent_per_page(pages, levels, keep, lifetimes, rated_yield)
    page_rate = _pages_per_day(series.t, cum)
    fc = Forecast(status=OK)
    if per_page is not None:
        mid, lo, hi = per_page
        fc.pages_to_empty = round(level_now / mid)
        fc.pages_low = round(level_now / hi)
        fc.pages_high = round(level_now / lo) if lo > 0 else None
        if page_rate is not None:
            rate, rate_lo, rate_hi, window = page_rate
            estimates.append((*_days_band(level_now, mid * rate, lo * rate_lo, hi * rate_hi, since_last), window))
            method.append("pages")
    if not estimates:
        return Forecast(status=NOT_ENOUGH, pages_to_empty=fc.pages_to_empty, pages_low=fc.pages_low)
    weights = np.array([e[3] for e in estimates]) + 1e-9
    fc.days_to_empty = float(np.average([e[0] for e in estimates], weights=weights))
    fc.days_low = min(min(e[1] for e in estimates), fc.days_to_empty)
    highs = [e[2] for e in estimates]
    fc.days_high = None if any(h is None for h in highs) else max(max(highs), fc.days_to_empty)
    fc.method = "+".join(method)
    return fc


def _days_band(
    level: float, rate: float, rate_low: float, rate_high: float, elapsed: float
) -> tuple[float, float, float | None]:
    """Days to empty from now at a consumption `rate` (points a day) with its band; never below zero."""
    central = max(level / rate - elapsed, 0.0)
    low = max(level / max(rate_high, rate) - elapsed, 0.0)
    high = max(level / rate_low - elapsed, 0.0) if rate_low > 0 else None
    return central, min(low, central), None if high is None else max(high, central)


def _first_of_runs(levels: np.ndarray) -> np.ndarray:
    """Positions of the first reading of each run of equal levels, and the newest reading (a stale printer repeats
    its last value: the moment a level was first seen is when it was reached)."""
    if levels.size == 0:
        return np.array([], dtype=int)
    changed = np.flatnonzero(levels[1:] != levels[:-1]) + 1
    changed = np.concatenate(([0], changed))
    if changed[-1] != levels.size - 1:
        changed = np.append(changed, levels.size - 1)
    return changed


@cache
def _thin(n: int) -> np.ndarray:
    """At most MAX_POINTS positions spread evenly over n (with the first and the last)."""
    return np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).round().astype(int))


@cache
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def _theil_sen(x: np.ndarray, y: np.ndarray, *, min_span: float) -> tuple[float, float, float] | None:
    """Median slope of y on x over pairs at least a quarter of the span apart, and its 20th/80th percentiles; None
    when the span or the change of y is too small to tell."""
    if x.size < 3:
        return None
    span = float(x[-1] - x[0])
    if span < min_span or float(np.max(y) - np.min(y)) < MIN_DROP:
        return None
    if x.size > MAX_POINTS:
        pick = _thin(x.size)
        x, y = x[pick], y[pick]
    i, j = _pairs(x.size)
    dx = x[j] - x[i]
    ok = dx >= span / 4
    if not ok.any():
        return None
    slopes = (y[j] - y[i])[ok] / dx[ok]
    low, mid, high = quantiles(slopes, (0.2, 0.5, 0.8))
    return float(mid), float(low), float(high)


def _level_now(levels: np.ndarray, days: np.ndarray, fit: tuple[float, float, float] | None, noise: float) -> float:
    """The level at the newest reading: that reading itself when the series is clean (a burst just used what it
    shows), else the fitted line there (robust to a noisy last reading), else the median of the last three."""
    if noise < 1.0:
        return float(levels[-1]) + TRUNCATION
    if fit is None:
        return median_of(levels[-3:])
    slope = fit[0]
    intercept = median_of(levels - slope * days)
    return float(np.clip(intercept + slope * days[-1], 0.0, 100.0))


def _percent_per_page(
    pages: np.ndarray,
    levels: np.ndarray,
    keep: np.ndarray,
    lifetimes: list[LifetimeResult],
    rated_yield: int | None,
) -> tuple[float, float, float] | None:
    """Points of level used per printed page (central, low, high): from this cartridge's own readings, else from
    the pages earlier cartridges gave, else from the rated yield."""
    own = None
    known = keep[~np.isnan(pages[keep])]
    if known.size >= 3:
        fit = _theil_sen(pages[known], levels[known], min_span=1.0)
        if fit is not None and fit[0] < 0:
            own = -fit[0], max(-fit[2], 0.0), max(-fit[1], -fit[0])
    if own is not None and float(levels.max() - levels.min()) >= OWN_DROP:
        return own
    past = [
        lt.pages / (lt.start_percent - lt.end_percent)
        for lt in lifetimes[:-1]
        if lt.complete
        and lt.pages
        and lt.start_percent is not None
        and lt.end_percent is not None
        and lt.start_percent - lt.end_percent >= FULL_LIFETIME_DROP
    ]
    if past:
        pages_per_point = np.array(past)
        mid = 1 / median_of(pages_per_point)
        return mid, 1 / float(np.max(pages_per_point)), 1 / float(np.min(pages_per_point))
    if own is not None:
        return own
    if rated_yield and rated_yield > 0:
        mid = 100 / rated_yield
        return mid, mid * 0.7, mid * 1.3  # real cartridges give 70-130 % of their rating
    return None


def _pages_per_day(t: np.ndarray, cum: np.ndarray) -> tuple[float, float, float, float] | None:
    """The printer's pages per day over the last PAGE_WINDOW_DAYS (central), the lowest and highest weekly rate in
    that window (the band) and the window's days; None without two counters at least MIN_SPAN_DAYS apart."""
    known = np.flatnonzero(~np.isnan(cum))
    if known.size < 2:
        return None
    days = t[known] / DAY_S
    values = cum[known]
    end = days[-1]
    start = max(days[0], end - PAGE_WINDOW_DAYS)
    if end - start < MIN_SPAN_DAYS:
        return None
    central = (values[-1] - np.interp(start, days, values)) / (end - start)
    if central <= 0:
        return None
    weeks = np.arange(end, start - 1e-9, -7.0)  # week boundaries back from the newest counter
    if weeks.size >= 3:
        rates = (np.interp(weeks[:-1], days, values) - np.interp(weeks[1:], days, values)) / 7.0
        return float(central), float(min(rates.min(), central)), float(max(rates.max(), central)), end - start
    return float(central), float(central) * 0.7, float(central) * 1.3, end - start
