"""Lenient numbers of an uploaded month workbook (docs/reports.md §10.3): every kind of space removed, a comma is
the decimal separator, the first number in the text is taken with its sign, none -> 0."""

from __future__ import annotations

import math
import re
import unicodedata

_NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?")
MAX_COUNTER = 100_000_000


def _clean(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Zs")
    return text.replace(",", ".").replace("−", "-")


def lenient_float(value: object) -> float:
    """The first number in a cell as a float; 0.0 for an empty cell or text without a number."""
    if value is None or isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else 0.0
    match = _NUMBER.search(_clean(value))
    if not match:
        return 0.0
    number = float(match[0])
    return number if math.isfinite(number) else 0.0


def lenient_int(value: object) -> int:
    """The first number in a cell, rounded half up to an integer (a counter written "12 345,0" is 12345)."""
    number = lenient_float(value)
    return math.floor(number + 0.5) if number >= 0 else -math.floor(-number + 0.5)
