"""Users' regexes (web rules) under limits, so that no pattern can stall a poll or the rule builder.

Python's `re` backtracks without a time limit and holds the GIL while it does: `(a+)+$` on 27 characters stalled
every user of the app for seconds, doubling per character. The `regex` engine stops a match after a time limit and
releases the GIL while matching. Its compiler unrolls counted repeats, so `((a{1000}){1000}){1000}` would never
finish compiling: repetition counts are bounded before compiling. Pattern and subject lengths are bounded too.
"""

from __future__ import annotations

import re

import regex

from printer_app.i18n import gettext

REGEX_TIMEOUT_S = 1.0
MAX_PATTERN_CHARS = 500  # the rule's column size
MAX_REGEX_INPUT_CHARS = 1_000_000  # printer pages are tens of kilobytes; a regex over a whole page stays cheap
MAX_REPEAT_PRODUCT = 10_000
_COUNTED_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")

error = regex.error
Pattern = regex.Pattern


class RegexLimitError(ValueError):
    """The pattern or the text is over a limit, or the match ran out of time."""


def compile_pattern(pattern: str) -> Pattern:
    """The compiled pattern; RegexLimitError past the limits, `error` for bad syntax."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise RegexLimitError(gettext("the pattern is longer than {n} characters", n=MAX_PATTERN_CHARS))
    product = 1
    for repeat in _COUNTED_REPEAT.finditer(pattern):  # braces that are not a repeat only make the bound stricter
        low, high = repeat.groups()
        product *= max(1, int(high or low))
        if product > MAX_REPEAT_PRODUCT:
            raise RegexLimitError(gettext("repetition counts multiply to more than {n}", n=MAX_REPEAT_PRODUCT))
    return regex.compile(pattern)


def search(pattern: Pattern, text: str) -> regex.Match | None:
    """`pattern.search(text)` within the time limit."""
    _check_subject(text)
    try:
        return pattern.search(text, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        raise RegexLimitError(_timed_out()) from None


def substitute(pattern: Pattern, replacement: str, text: str) -> str:
    """`pattern.sub(replacement, text)` within the time limit."""
    _check_subject(text)
    try:
        return pattern.sub(replacement, text, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        raise RegexLimitError(_timed_out()) from None


def _check_subject(text: str) -> None:
    if len(text) > MAX_REGEX_INPUT_CHARS:
        raise RegexLimitError(
            gettext(
                "the text is too long for a regex ({n} characters, at most {max}): narrow it with an XPath first",
                n=len(text),
                max=MAX_REGEX_INPUT_CHARS,
            )
        )


def _timed_out() -> str:
    seconds = format(REGEX_TIMEOUT_S, "g")
    return gettext("the regex took longer than {seconds} s on this text: simplify the pattern", seconds=seconds)
