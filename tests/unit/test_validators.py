"""Field normalisers and choices: pure functions, no I/O."""

from __future__ import annotations

import ipaddress

import pytest

from printer_app import i18n
from printer_app.models.choices import Choice, MatchRule, PollingMethod, SupplyState, TaskStatus
from printer_app.services.validators import (
    check_community,
    ip_to_int,
    normalize_mac,
    parse_device_ip,
    parse_id,
    parse_ipv4,
    parse_mac,
    too_long,
)


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
    # docs/inventory-and-polling.md §4.2: every non-hex character is dropped, so letters g-z vanish rather than
    # invalidate the value,
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


# ---- what a user may type as a printer's address or MAC (forms, imports, discovery: the printer service) ----


@pytest.mark.parametrize("raw", ["192.168.1.20", "10.0.0.1", "127.0.0.7", "172.16.5.5", "8.8.8.8"])
def test_parse_device_ip_accepts_host_addresses(raw: str) -> None:
    assert parse_device_ip(raw) == ipaddress.IPv4Address(raw)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("0.0.0.0", "any address"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("10.0.0.256", "not a valid IPv4 address"),
    ],
)
def test_parse_device_ip_refuses_addresses_no_printer_can_have(raw: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_device_ip(raw)


@pytest.mark.parametrize(
    "raw", ["aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "AA:BB:CC:DD:EE:FF", "aabbccddeeff", " Aa Bb Cc Dd Ee Ff "]
)
def test_parse_mac_accepts_common_notations(raw: str) -> None:
    assert parse_mac(raw) == "AA:BB:CC:DD:EE:FF"


def test_parse_mac_empty_is_no_mac() -> None:
    assert parse_mac("") is None
    assert parse_mac("   ") is None
    assert parse_mac(None) is None


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("GG:BB:CC:DD:EE:FF", "not a MAC address"),
        ("hw 00-1b-78-2c-9e-4f", "not a MAC address"),  # the pipeline's normaliser would drop "hw "
        ("aa:bb:cc:dd:ee:fz", "not a MAC address"),
        ("aa:bb:cc:dd:ee", "not a MAC address"),
        ("00:00:00:00:00:00", "placeholder"),
        ("ff-ff-ff-ff-ff-ff", "broadcast"),
    ],
)
def test_parse_mac_refuses_non_hex_and_placeholders(raw: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_mac(raw)


def test_parse_mac_message_does_not_echo_a_huge_input() -> None:
    with pytest.raises(ValueError) as caught:
        parse_mac("x" * 10_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(("raw", "expected"), [(5, 5), ("17", 17), (" 3 ", 3), (True, None), ("abc", None), ("", None)])
def test_parse_id_takes_only_whole_numbers(raw: object, expected: int | None) -> None:
    assert parse_id(raw) == expected


def test_too_long_names_the_limit() -> None:
    assert too_long("Full name", "x" * 200, 200) == ""
    assert too_long("Full name", "x" * 10_000, 200) == "Full name is longer than 200 characters (10000 given)"


def test_messages_follow_the_language_of_the_event() -> None:
    with i18n.use_language("ru"):
        assert too_long("Serial number", "x" * 101, 100) == "Поле «Серийный номер» длиннее 100 символов (введено 101)"
        assert too_long("Serial number", "x" * 22, 21) == "Поле «Серийный номер» длиннее 21 символа (введено 22)"
        with pytest.raises(ValueError, match=r"«999\.1\.1\.1» — не IPv4-адрес"):
            parse_ipv4("999.1.1.1")
        with pytest.raises(ValueError, match="широковещательный адрес"):
            parse_mac("FF:FF:FF:FF:FF:FF")
