"""Which addresses a discovery scan covers: counted before anything is built, refused above the limit."""

from __future__ import annotations

import tracemalloc

import pytest

from printer_app.services.errors import DomainValidationError
from printer_app.services.polling.discovery import MAX_ADDRESSES, count_targets, expand_targets

TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0.0.0.0/0", "0.0.0.0/0 has 4,294,967,296 addresses; at most 4,096 can be scanned at once"),
        ("10.0.0.0/8", "10.0.0.0/8 has 16,777,216 addresses; at most 4,096 can be scanned at once"),
        ("10.0.0.0/14", "10.0.0.0/14 has 262,144 addresses; at most 4,096 can be scanned at once"),
        ("10.1.2.3/8", "10.0.0.0/8 has 16,777,216 addresses; at most 4,096 can be scanned at once"),
        (
            "0.0.0.0-255.255.255.255",
            "0.0.0.0-255.255.255.255 has 4,294,967,296 addresses; at most 4,096 can be scanned at once",
        ),
    ],
)
def test_huge_ranges_are_refused_without_building_a_list(spec: str, message: str) -> None:
    tracemalloc.start()
    try:
        for check in (expand_targets, count_targets):
            with pytest.raises(DomainValidationError) as refused:
                check([spec])
            assert refused.value.errors == {"targets": message}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < TEN_MB, f"refusing {spec} allocated {peak:,} bytes"


def test_the_limit_counts_distinct_addresses_of_all_specs_together() -> None:
    assert count_targets(["10.0.0.0/20", "10.0.0.0/20", "10.0.0.1"]) == 4094  # overlaps count once
    assert len(expand_targets(["10.0.0.0/20", "10.0.0.0/20"])) == 4094
    with pytest.raises(DomainValidationError) as refused:
        count_targets(["10.0.0.0/21", "10.0.8.0/21", "10.0.16.1-5"])  # 2,046 + 2,046 + 5
    assert refused.value.errors == {
        "targets": "These ranges have 4,097 addresses together; at most 4,096 can be scanned at once"
    }


def test_the_number_of_specs_is_limited_too() -> None:
    assert count_targets([" ".join(["192.0.2.1"] * MAX_ADDRESSES)]) == 1
    with pytest.raises(DomainValidationError) as refused:
        count_targets([" ".join(["192.0.2.1"] * 100_000)])
    assert refused.value.errors == {"targets": "At most 4,096 addresses or ranges can be entered at once"}


def test_exactly_the_limit_is_accepted() -> None:
    assert count_targets(["10.0.0.0-10.0.15.255"]) == MAX_ADDRESSES
    ips = expand_targets(["10.0.0.0-10.0.15.255"])
    assert len(ips) == MAX_ADDRESSES and ips[0] == "10.0.0.0" and ips[-1] == "10.0.15.255"
    with pytest.raises(DomainValidationError):
        count_targets(["10.0.0.0-10.0.16.0"])


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (["192.0.2.7"], ["192.0.2.7"]),
        (["192.0.2.7-9"], ["192.0.2.7", "192.0.2.8", "192.0.2.9"]),
        (["192.0.2.254-192.0.3.1"], ["192.0.2.254", "192.0.2.255", "192.0.3.0", "192.0.3.1"]),
        (["192.0.2.0/30"], ["192.0.2.1", "192.0.2.2"]),  # network and broadcast left out
        (["192.0.2.8/31"], ["192.0.2.8", "192.0.2.9"]),  # point-to-point: both
        (["192.0.2.5/32"], ["192.0.2.5"]),
        (["192.0.2.3, 192.0.2.1\n192.0.2.3 192.0.2.2-3"], ["192.0.2.3", "192.0.2.1", "192.0.2.2"]),  # input order
        (["  ", ""], []),
    ],
)
def test_addresses_in_input_order_once_each(specs: list[str], expected: list[str]) -> None:
    assert expand_targets(specs) == expected
    assert count_targets(specs) == len(expected)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("192.0.2.9-3", "Range 192.0.2.9-3 ends before it starts"),
        ("192.0.2.1-300", "'192.0.2.1-300' is not an IPv4 address, range or CIDR"),
        ("192.0.2.1-1e20", "'192.0.2.1-1e20' is not an IPv4 address, range or CIDR"),
        ("printer.local", "'printer.local' is not an IPv4 address, range or CIDR"),
        ("10.0.0.0/33", "'10.0.0.0/33' is not an IPv4 address, range or CIDR"),
        ("::1", "'::1' is not an IPv4 address, range or CIDR"),
    ],
)
def test_bad_specs_get_a_clear_message(spec: str, fragment: str) -> None:
    with pytest.raises(DomainValidationError) as refused:
        count_targets([spec])
    assert fragment in refused.value.errors["targets"]
