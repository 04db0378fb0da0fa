"""User regexes of web rules cannot stall the app: a time limit per match, bounded pattern and input, and the
matching releases the GIL so other users' evaluations go on meanwhile (issue #11 B4)."""

from __future__ import annotations

import threading

import pytest

from printer_app.services.web.regex import MAX_REGEX_INPUT_CHARS, REGEX_TIMEOUT_S
from printer_app.services.web.rule_store import regex_problem
from printer_app.services.web.rules import (
    RuleError,
    apply_regex,
    evaluate_rule,
    process_value,
)

pytestmark = pytest.mark.timeout(60)  # before the fix these ran for hours: fail, do not hang

CATASTROPHIC = r"(a|a)+$"  # exponential in the regex engine too: 2^40 paths on 'a' * 40 + 'b'
HOSTILE_INPUT = "a" * 40 + "b"


def test_nested_quantifier_of_the_issue_finishes() -> None:
    assert apply_regex(HOSTILE_INPUT, r"(a+)+$") == HOSTILE_INPUT.upper()  # no match: the value, as before


def test_a_regex_over_its_time_limit_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match=rf"took longer than {REGEX_TIMEOUT_S:g} s"):
        process_value("counter", HOSTILE_INPUT, CATASTROPHIC)
    with pytest.raises(RuleError, match="took longer"):
        apply_regex(HOSTILE_INPUT, CATASTROPHIC, "x")  # substitution too
    raw, value, error = evaluate_rule(
        f"<p>{HOSTILE_INPUT}</p>", {"field_name": "counter", "regex_pattern": CATASTROPHIC}
    )
    assert (raw, value) == (f"<p>{HOSTILE_INPUT}</p>", None)
    assert error.startswith("the regex took longer than")


def test_a_slow_regex_does_not_hold_up_another_evaluation() -> None:
    finished: list[str] = []
    outcome: dict[str, object] = {}

    def hostile() -> None:
        try:
            process_value("counter", HOSTILE_INPUT, CATASTROPHIC)
        except RuleError as exc:
            outcome["hostile"] = str(exc)
        finished.append("hostile")

    thread = threading.Thread(target=hostile)
    thread.start()
    outcome["regular"] = process_value("counter", "Total: 8,862 pages", r"Total:\s*([\d,]+)")
    finished.append("regular")
    thread.join(timeout=30)

    assert outcome["regular"] == 8862
    assert str(outcome["hostile"]).startswith("the regex took longer than")
    assert finished == ["regular", "hostile"]  # the regular one did not wait for the hostile one's limit


def test_input_and_pattern_length_are_bounded() -> None:
    with pytest.raises(RuleError, match="too long for a regex"):
        apply_regex("1" * (MAX_REGEX_INPUT_CHARS + 1), r"(\d+)")
    assert apply_regex("1" * MAX_REGEX_INPUT_CHARS, r"^(\d{3})") == "111"
    with pytest.raises(RuleError, match="the pattern is longer than 500"):
        apply_regex("abc", "a" * 501)


@pytest.mark.parametrize(
    "pattern",
    [
        r"((a{1000}){1000}){1000}",  # the regex engine unrolls counted repeats when compiling: it would never end
        r"(?:ab|cd){100001}",
        r"a{2000}b{2000}c{2000}",
    ],
)
def test_huge_repetition_counts_are_refused_before_compiling(pattern: str) -> None:
    assert regex_problem(pattern, "") == ("regex_pattern", "Not allowed: repetition counts multiply to more than 10000")
    with pytest.raises(RuleError, match="repetition counts multiply to more than 10000"):
        apply_regex("aaa", pattern)


@pytest.mark.parametrize(
    "pattern", [r"[0-9A-F]{2}(?::[0-9A-F]{2}){5}", r"\d{1,3}(?:[ ,.]\d{3})*", r"(\d{4})-(\d{2})-(\d{2})", r"x{0,100}"]
)
def test_usual_counted_repeats_are_fine(pattern: str) -> None:
    assert regex_problem(pattern, "") == ("", "")
