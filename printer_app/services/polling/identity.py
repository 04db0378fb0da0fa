"""Identity and history rules of a poll (docs/inventory-and-polling.md §4.3 and §4.5): pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from printer_app.models.choices import MatchRule
from printer_app.services.validators import normalize_mac

HISTORY_FIELDS = ("bw_a4", "bw_a3", "color_a4", "color_a3", "total_pages")


def match_identity(
    *, reading_serial: str | None, stored_serial: str | None, reading_mac: str | None, stored_mac: str | None
) -> tuple[str | None, str]:
    """The match rule that accepts this reading for the stored printer, or (None, why not).

    When neither the device nor the stored printer has a serial or a MAC there is nothing to compare: the poll is
    accepted as "not verifiable" (MatchRule.NONE) instead of failing forever.
    """
    new_serial = (reading_serial or "").strip()
    old_serial = (stored_serial or "").strip()
    new_mac, old_mac = normalize_mac(reading_mac), normalize_mac(stored_mac)
    if not (new_serial or old_serial or new_mac or old_mac):
        return MatchRule.NONE, ""
    mac_equal = new_mac is not None and new_mac == old_mac
    serial_equal = bool(new_serial) and new_serial == old_serial
    if old_mac and old_serial and new_serial:
        if serial_equal and mac_equal:
            return MatchRule.SN_MAC, ""
        if mac_equal:
            return MatchRule.MAC_ONLY, ""
    elif old_mac:
        if mac_equal:
            return MatchRule.MAC_ONLY, ""
    elif old_serial and serial_equal:
        return MatchRule.SN_ONLY, ""
    reasons = []
    if old_serial and new_serial and not serial_equal:
        reasons.append(f"serial mismatch (stored '{old_serial}', device reports '{new_serial}')")
    if old_mac and not mac_equal:
        reasons.append(f"MAC mismatch (stored {old_mac}, device reports {new_mac or 'none'})")
    return None, "Identity check failed: " + ("; ".join(reasons) if reasons else "no match by serial or MAC")


@dataclass
class PastCounters:
    at: datetime
    values: dict[str, int | None]


def check_history(
    new: dict[str, int | None],
    past: list[PastCounters],
    *,
    now: datetime,
    window_hours: int = 24,
    skip_days: int = 30,
    jump_threshold: int = 5000,
) -> list[str]:
    """Reasons to reject the new counters against the last successful polls (newest first); empty = accept.

    A counter the device did not report (None) is skipped, never read as 0: in the new reading it is not checked,
    and a past poll that reported no counter at all is no history.
    """
    recent = [p for p in past if any(value is not None for value in p.values.values())][:5]
    if not recent:
        return []
    reasons: list[str] = []

    def share(pred) -> float:
        return sum(1 for p in recent if pred(p.values)) / len(recent)

    def v(values: dict, key: str) -> int:
        return values.get(key) or 0

    def reported(*keys: str) -> bool:
        return any(new.get(key) is not None for key in keys)

    if (
        reported("bw_a3", "color_a3")
        and share(lambda x: v(x, "bw_a3") > 0 or v(x, "color_a3") > 0) >= 0.6
        and not (v(new, "bw_a3") > 0 or v(new, "color_a3") > 0)
    ):
        reasons.append("A3 counters disappeared (stable A3 history)")
    if (
        reported("color_a3", "color_a4")
        and share(lambda x: v(x, "color_a3") > 0 or v(x, "color_a4") > 0) >= 0.6
        and not (v(new, "color_a3") > 0 or v(new, "color_a4") > 0)
    ):
        reasons.append("colour counters disappeared (stable colour history)")
    latest = recent[0]
    age = now - latest.at
    for key in HISTORY_FIELDS:
        if not reported(key):
            continue
        old, cur = v(latest.values, key), v(new, key)
        if old > 100 and cur < 0.9 * old:
            reasons.append(f"{key}: significant decrease {old} -> {cur}")
        elif (
            age < timedelta(hours=window_hours)
            and age <= timedelta(days=skip_days)
            and old > 0
            and (cur - old > jump_threshold)
        ):
            reasons.append(f"{key}: jump of {cur - old} pages since {latest.at:%Y-%m-%d %H:%M} UTC")
    return reasons
