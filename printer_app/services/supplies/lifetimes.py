"""One supply's readings split into cartridge lifetimes: where the cartridge was replaced.

Pure Python + numpy, no database. A replacement is a level that jumps up by a clear margin (above the noise of the
series and confirmed by the reading after it, so one glitch is never a cartridge) or a change of the cartridge's
reported max capacity. Special states (-1/-2/-3, "low", "empty" words) carry no level and never split a lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

import numpy as np

# Printer-MIB special values and the web pages' words, as SupplyState values.
SPECIAL_VALUES = {-1: "other", -2: "unknown", -3: "some_remaining"}
STATE_WORDS = {"low": "low", "empty": "empty", "error": "error", "replace": "empty"}
MIN_JUMP = 10.0  # percentage points: a rise below this is never a replacement
SURE_JUMP = 30.0  # a rise this large needs no confirming reading (the newest reading may be a new cartridge)
NOISE_FACTOR = 4.0  # a rise must also exceed this many times the series' own reading noise


@dataclass(frozen=True)
class Reading:
    """One poll's view of one supply: a level (0-100) or, with `percent` None, a special state; the printer's
    total page counter at that time when known; the cartridge's max capacity when the printer reports one."""

    at: datetime
    percent: int | None
    state: str = "ok"
    pages: int | None = None
    max_capacity: int | None = None


def reading_of(
    at: datetime,
    value: int | str | None,
    *,
    state: str = "ok",
    pages: int | None = None,
    max_capacity: int | None = None,
) -> Reading:
    """A Reading from a raw value: a percentage, a Printer-MIB special value (-1/-2/-3) or a state word."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word.lstrip("-").isdigit():
            value = int(word)
        else:
            return Reading(at, None, STATE_WORDS.get(word, "other"), pages, max_capacity)
    if value is None:
        return Reading(at, None, state if state != "ok" else "unknown", pages, max_capacity)
    if value < 0:
        return Reading(at, None, SPECIAL_VALUES.get(value, "other"), pages, max_capacity)
    return Reading(at, min(int(value), 100), state, pages, max_capacity)


@dataclass
class Series:
    """A supply's readings in time order as arrays (the form the analysis works on; `series_of` builds it):
    seconds since the epoch, level (NaN for a special state), total pages and max capacity (NaN when unknown), and
    the newest reading's state."""

    t: np.ndarray
    percent: np.ndarray
    pages: np.ndarray
    capacity: np.ndarray
    last_state: str = "ok"
    at: list[datetime] | None = None  # the readings' times as datetimes, when the caller has them
    micros: np.ndarray | None = None  # or as exact microseconds since the epoch (int64)

    def __len__(self) -> int:
        return int(self.t.size)


def series_of(readings: list[Reading]) -> Series:
    """The arrays of `readings`, sorted by time."""
    readings = sorted(readings, key=lambda r: r.at)
    nan = float("nan")
    return Series(
        t=np.array([r.at.timestamp() for r in readings], dtype=float),
        percent=np.array([nan if r.percent is None else r.percent for r in readings], dtype=float),
        pages=np.array([nan if r.pages is None else r.pages for r in readings], dtype=float),
        capacity=np.array([nan if not r.max_capacity or r.max_capacity < 0 else r.max_capacity for r in readings]),
        last_state=readings[-1].state if readings else "ok",
        at=[r.at for r in readings],
    )


@dataclass
class Lifetime:
    """One cartridge: the positions [first, last] of its readings in the supply's history."""

    first: int
    last: int
    started_by_replacement: bool


def cumulative_pages(pages: np.ndarray) -> np.ndarray:
    """Pages printed since the first known counter, carried across counter resets (a counter that goes down
    restarts from there: the pages of that gap are not known and count as none); NaN before the first counter."""
    out = np.full(pages.size, np.nan)
    known = np.flatnonzero(~np.isnan(pages) & (pages >= 0))
    if known.size == 0:
        return out
    steps = np.diff(pages[known])
    totals = np.zeros(known.size)
    np.cumsum(np.where(steps > 0, steps, 0.0), out=totals[1:])
    out[known] = totals
    if known.size == pages.size:  # every reading has a counter (the usual case)
        return out
    # A reading without a counter keeps the total of the counter before it.
    position = np.searchsorted(known, np.arange(pages.size), side="right") - 1
    fill = position >= 0
    out[fill] = totals[position[fill]]
    return out


def quantiles(values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Linear-interpolated quantiles of a small array (np.quantile's result, without its per-call overhead)."""
    ordered = np.sort(values)
    top = ordered.size - 1
    out = []
    for q in qs:
        pos = q * top
        low = int(pos)
        high = min(low + 1, top)
        out.append(float(ordered[low] + (ordered[high] - ordered[low]) * (pos - low)))
    return out


def median_of(values: np.ndarray) -> float:
    return quantiles(values, (0.5,))[0]


def noise_of(levels: np.ndarray) -> float:
    """The reading noise of a level series (percentage points, one sigma): the spread of its steps."""
    if levels.size < 4:
        return 0.0
    steps = np.diff(levels)
    steps = steps[np.abs(steps) < MIN_JUMP]  # the replacements themselves are not noise
    if steps.size < 3:
        return 0.0
    mad = median_of(np.abs(steps - median_of(steps)))
    return 1.4826 * mad / np.sqrt(2)


def split_lifetimes(series: Series, noise: float | None = None) -> list[Lifetime]:
    """The cartridge lifetimes of a supply's history (in time order); one lifetime when nothing was replaced.
    `noise`: the level series' reading noise when the caller has it (`noise_of`)."""
    n = len(series)
    if n == 0:
        return []
    valid = np.flatnonzero(~np.isnan(series.percent))
    levels = series.percent[valid]
    capacity = series.capacity[valid]
    margin = max(MIN_JUMP, NOISE_FACTOR * (noise_of(levels) if noise is None else noise))
    # Candidates (vectorised): a rise over the lowest of the three readings before, or a new max capacity. The
    # exact rule below (over the median, since the last replacement) only ever accepts fewer.
    lowest = np.full(levels.size, np.inf)
    for back in (1, 2, 3):
        lowest[back:] = np.minimum(lowest[back:], levels[:-back])
    new_capacity = np.zeros(levels.size, dtype=bool)
    new_capacity[1:] = (capacity[1:] != capacity[:-1]) & ~np.isnan(capacity[1:]) & ~np.isnan(capacity[:-1])
    candidates = np.flatnonzero((levels - lowest >= margin) | new_capacity)
    starts: list[int] = []
    since = 0
    for k in candidates.tolist():
        if k <= since:
            continue
        reference = median(levels[max(since, k - 3) : k].tolist())
        rise = levels[k] - reference
        capacity_changed = bool(new_capacity[k]) and rise > 0
        if not capacity_changed and rise < margin:
            continue
        if k + 1 < levels.size:
            confirmed = levels[k + 1] - reference >= margin or capacity_changed
        else:
            confirmed = rise >= SURE_JUMP or capacity_changed
        if confirmed:
            starts.append(k)
            since = k
    bounds = [0] + [int(valid[k]) for k in starts] + [n]
    return [Lifetime(bounds[i], bounds[i + 1] - 1, i > 0) for i in range(len(bounds) - 1)]
