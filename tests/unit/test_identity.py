"""docs/inventory-and-polling.md §4.3 match rules and 4.5 history rules as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from printer_app.models.choices import MatchRule
from printer_app.services.polling.identity import PastCounters, check_history, match_identity

M1, M2 = "00:11:22:33:44:55", "66:77:88:99:AA:BB"
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored_mac", "stored_serial", "serial", "mac", "rule"),
    [
        (M1, "S1", "S1", M1, MatchRule.SN_MAC),
        (M1, "S1", "S2", M1, MatchRule.MAC_ONLY),
        (M1, "S1", "S1", M2, None),  # serial equal but MAC differs: invalid (docs/inventory-and-polling.md §4.3 row 1)
        (M1, "", "S1", "00-11-22-33-44-55", MatchRule.MAC_ONLY),  # stored serial missing, MAC normalised
        (M1, "S1", "", M1, MatchRule.MAC_ONLY),  # reading without serial
        (None, "S1", "S1", None, MatchRule.SN_ONLY),
        (None, "S1", "s1", None, None),  # serial comparison is case-sensitive
        (None, "", "S1", None, None),
        (None, "S1", " S1 ", M1, MatchRule.SN_ONLY),  # trimmed
        (None, "", "", None, MatchRule.NONE),  # neither side has a serial or a MAC: not verifiable, not failing
        (None, " ", "", "not a mac", MatchRule.NONE),
        (None, "S1", "", None, None),  # the stored printer has an identity the device no longer shows
        (M1, "", "", None, None),
    ],
)
def test_match_rules(stored_mac, stored_serial, serial, mac, rule):
    got, why = match_identity(
        reading_serial=serial, stored_serial=stored_serial, reading_mac=mac, stored_mac=stored_mac
    )
    assert got == rule
    assert bool(why) == (rule is None)


def test_failure_message_names_the_mismatches():
    _, why = match_identity(reading_serial="S2", stored_serial="S1", reading_mac=M2, stored_mac=M1)
    assert "serial mismatch" in why and "MAC mismatch" in why
    _, why = match_identity(reading_serial="", stored_serial="S1", reading_mac=None, stored_mac=None)
    assert "no match by serial or MAC" in why


def past(hours_ago: float, **values) -> PastCounters:
    return PastCounters(at=NOW - timedelta(hours=hours_ago), values=values)


def test_no_history_accepts():
    assert check_history({"total_pages": 5}, [], now=NOW) == []


def test_decrease_rule_needs_old_over_100_and_ten_percent_drop():
    assert check_history({"total_pages": 80}, [past(1, total_pages=100)], now=NOW) == []
    assert check_history({"total_pages": 900}, [past(1, total_pages=1000)], now=NOW) == []
    assert check_history({"total_pages": 899}, [past(1, total_pages=1000)], now=NOW)
    assert check_history({"total_pages": 10}, [past(24 * 365, total_pages=1000)], now=NOW)  # any age


def test_jump_rule_only_within_window():
    assert check_history({"total_pages": 6001}, [past(23, total_pages=1000)], now=NOW)
    assert check_history({"total_pages": 6000}, [past(23, total_pages=1000)], now=NOW) == []
    assert check_history({"total_pages": 9000}, [past(25, total_pages=1000)], now=NOW) == []
    assert check_history({"total_pages": 9000}, [past(1, total_pages=0)], now=NOW) == []  # old must be > 0


def test_stable_a3_and_colour_rules_use_sixty_percent_of_last_five():
    a3 = [past(h, bw_a3=10, total_pages=100) for h in (1, 2, 3)] + [past(h, total_pages=100) for h in (4, 5)]
    mono_a4 = {"total_pages": 100, "bw_a4": 100, "bw_a3": 0, "color_a4": 0, "color_a3": 0}
    assert any("A3" in r for r in check_history(mono_a4, a3, now=NOW))
    two_of_five = [past(h, bw_a3=10, total_pages=100) for h in (1, 2)] + [past(h, total_pages=100) for h in (3, 4, 5)]
    assert check_history(mono_a4, two_of_five, now=NOW) == []
    colour = [past(h, color_a4=50, total_pages=100) for h in (1, 2, 3)]
    assert any("colour" in r for r in check_history(mono_a4, colour, now=NOW))


def test_custom_thresholds():
    assert check_history({"total_pages": 1200}, [past(1, total_pages=1000)], now=NOW, jump_threshold=100)
    assert check_history({"total_pages": 9000}, [past(30, total_pages=1000)], now=NOW, window_hours=48)


def test_missing_counters_are_skipped_not_zero():
    colour = [past(h, color_a4=5000, total_pages=5000) for h in (1, 2, 3)]
    nothing = dict.fromkeys(("bw_a4", "bw_a3", "color_a4", "color_a3", "total_pages"))
    assert check_history(nothing, colour, now=NOW) == []
    blank = past(1, **nothing)  # a poll that reported no counter is no history to compare with
    older = past(2, total_pages=1000, color_a4=1000)
    assert check_history({"total_pages": 100, "color_a4": 100}, [blank, older], now=NOW)
    assert check_history({"total_pages": 100}, [blank], now=NOW) == []
