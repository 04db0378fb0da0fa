"""Field normalisers and choices: pure functions, no I/O."""

from __future__ import annotations

import ipaddress

import pytest

from printer_app.models.choices import Choice, MatchRule, PollingMethod, SupplyState, TaskStatus
from printer_app.services.validators import check_community, ip_to_int, normalize_mac, parse_ipv4


@pytest.mark.parametrize(
    "raw",
    [
        "aa-bb-cc-dd-ee-ff",
        "aabb.ccdd.eeff",
        "AA:BB:CC:DD:EE:FF",
        "aabbccddeeff",
        " aa:bb:cc:dd:ee:ff\n",
        "Aa Bb Cc Dd Ee Ff",
    ],
)
def test_normalize_mac_accepts_common_notations(raw: str) -> None:
    assert normalize_mac(raw) == "AA:BB:CC:DD:EE:FF"


@pytest.mark.parametrize(
    "raw", [None, "", "   ", "aa-bb-cc", "aa:bb:cc:dd:ee:ff:00", "aa:bb:cc:dd:ee:f", "zz:zz:zz:zz:zz:zz", "unknown"]
)
def test_normalize_mac_rejects_anything_but_twelve_hex_digits(raw: str | None) -> None:
    assert normalize_mac(raw) is None


def test_normalize_mac_strips_non_hex_characters_before_counting() -> None:
    # DOMAIN 4.2: every non-hex character is dropped, so letters g-z vanish rather than invalidate the value,
    # while hex letters in a label count as digits and make the value invalid.
    assert normalize_mac("hw 00-1b-78-2c-9e-4f") == "00:1B:78:2C:9E:4F"
    assert normalize_mac("MAC: 00-1B-78-2C-9E-4F") is None


@pytest.mark.parametrize("raw", ["192.168.1.20", " 10.0.0.1 ", "0.0.0.0", "255.255.255.255"])
def test_parse_ipv4_accepts_dotted_quads(raw: str) -> None:
    assert parse_ipv4(raw) == ipaddress.IPv4Address(raw.strip())


@pytest.mark.parametrize("raw", ["", "10.0.0", "10.0.0.256", "1.2.3.4.5", "abc", "fe80::1", "10.0.0.1/24", None])
def test_parse_ipv4_rejects_with_readable_message(raw: str | None) -> None:
    with pytest.raises(ValueError, match="is not a valid IPv4 address"):
        parse_ipv4(raw)


def test_ip_to_int_orders_numerically() -> None:
    assert ip_to_int("10.0.0.9") < ip_to_int("10.0.0.10") < ip_to_int("10.0.1.0")
    assert ip_to_int("0.0.0.1") == 1
    assert ip_to_int("255.255.255.255") == 2**32 - 1
    assert ip_to_int(" 10.0.0.1 ") == ip_to_int("10.0.0.1")


@pytest.mark.parametrize("raw", ["", "printer", "10.0.0.256", "::1"])
def test_ip_to_int_is_none_for_non_ipv4(raw: str) -> None:
    assert ip_to_int(raw) is None


@pytest.mark.parametrize("raw", ["public", "my-community_2", "A" * 64, " public "])
def test_check_community_accepts_safe_charset(raw: str) -> None:
    assert check_community(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["", "pub lic", "a;b", "a" * 65, "$(reboot)", "caf\u00e9", "x'y", None])
def test_check_community_rejects_other_characters(raw: str | None) -> None:
    with pytest.raises(ValueError, match="SNMP community"):
        check_community(raw)


def test_choice_members_carry_value_label_and_colour() -> None:
    assert TaskStatus.FAILED == "FAILED"
    assert TaskStatus.FAILED.label == "Failed"
    assert TaskStatus.FAILED.color == "red"
    assert TaskStatus("SUCCESS") is TaskStatus.SUCCESS
    assert isinstance(MatchRule.SN_MAC, str)


def test_choice_label_and_colour_default() -> None:
    assert PollingMethod.SNMP.color == "gray"
    assert SupplyState.OK.label == "Level known"


def test_choice_options_list_every_member_in_order() -> None:
    assert MatchRule.options() == [
        ("SN_MAC", "Serial + MAC"),
        ("MAC_ONLY", "MAC only"),
        ("SN_ONLY", "Serial only"),
        ("NONE", "Identity not verifiable"),
    ]


@pytest.mark.parametrize("choice", Choice.__subclasses__())
def test_every_choice_has_unique_values_and_labels(choice: type[Choice]) -> None:
    values = [m.value for m in choice]
    labels = [m.label for m in choice]
    assert len(set(values)) == len(values)
    assert len(set(labels)) == len(labels)
    assert all(m.label for m in choice)
