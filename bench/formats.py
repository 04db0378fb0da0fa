"""What formatting a table page in the user's language costs: locale numbers and dates against plain str formatting.

usage: .venv/bin/python bench/formats.py [--rows 200]
Prints per-call microseconds and the ratio to the plain Python formatting measured in the same run, and the cost of
a page of `--rows` rows with 8 counters and 2 times each, per language.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printer_app import i18n


def per_call(fn, number: int = 5000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=3)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    rows = parser.parse_args().rows
    tz, now, value = ZoneInfo("Asia/Irkutsk"), datetime.now(UTC), 1234567
    plain_number = per_call(lambda: f"{value:,}")
    plain_time = per_call(lambda: now.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
    print(f"baseline: f-string number {plain_number * 1e6:.2f} us, strftime {plain_time * 1e6:.2f} us")
    for lang in i18n.LANGUAGES:
        number = per_call(lambda lang=lang: i18n.format_number(value, lang))
        babel = per_call(lambda lang=lang: format_decimal(value, locale=lang))
        when = per_call(lambda lang=lang: i18n.format_datetime(now, tz, lang))
        page_ms = (8 * number + 2 * when) * rows * 1e3
        print(
            f"{lang}: number {number * 1e6:.2f} us ({number / plain_number:.1f}x f-string; Babel's format_decimal "
            f"{babel / plain_number:.0f}x), date+time {when * 1e6:.1f} us ({when / plain_time:.1f}x strftime); "
            f"{rows} rows x (8 numbers + 2 times): {page_ms:.1f} ms"
        )


if __name__ == "__main__":
    main()
