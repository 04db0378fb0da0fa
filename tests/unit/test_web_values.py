"""Web parsing without I/O: value processing (docs/web-rules.md §5.2), formulas (5.3), the SSRF guard (5.4), the XML
document (5.5), the hybrid merge (5.6) and method selection (3 step 2)."""

from __future__ import annotations

import pytest

from printer_app.models import Printer
from printer_app.models.choices import DataSource, PollingMethod
from printer_app.services.polling.glpi_xml import parse_glpi_xml
from printer_app.services.polling.history import SupplyReading, supply_summary
from printer_app.services.polling.reading import AcquisitionError, DeviceReading
from printer_app.services.polling.sources import merge_readings, polling_method_for, read_printer, reading_from_fields
from printer_app.services.web.fetch import UnsafeTargetError, check_host, page_url, same_host
from printer_app.services.web.formula import FormulaError, evaluate_formula, formula_names
from printer_app.services.web.parser import glpi_xml_document, xml_export_name
from printer_app.services.web.rules import (
    RuleError,
    RuleSpec,
    apply_regex,
    evaluate_rule,
    json_path,
    parse_lenient_json,
    process_value,
    to_integer,
)

# ---- 5.2 value processing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pattern", "replacement", "expected"),
    [
        ("Remain Toner (66%)", "", "", "Remain Toner (66%)"),  # empty pattern: unchanged, not upper-cased
        ("Remain Toner (66%)", r"\((\d+)%\)", "", "66"),  # first group
        ("serial: abc-12", r"[a-z]+-\d+", "", "ABC-12"),  # no group: whole match, upper-cased
        ("abc", r"(x)?b", "", ""),  # the group did not take part in the match
        ("no digits here", r"(\d+)", "", "NO DIGITS HERE"),  # no match: original value, upper-cased
        ("1.234.567 pages", r"\.", "", "."),  # an empty replacement is no replacement: the match is taken
        ("1.234.567 pages", r"\.", "_", "1_234_567 PAGES"),  # with replacement: every match substituted
        ("abc-def", r"(\w+)-(\w+)", r"\2\1", "DEFABC"),
        ("keep me", r"(unclosed", "", "keep me"),  # invalid regex: original value, NOT upper-cased
        ("keep me", r"(e)", r"\9", "keep me"),  # invalid group reference in the replacement
    ],
)
def test_apply_regex(value: str, pattern: str, replacement: str, expected: str) -> None:
    assert apply_regex(value, pattern, replacement) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8862", 8862),
        ("1,234", 1234),
        ("1 250 pages", 1250),
        ("1,234.56", 1234),  # cut at the first '.'
        ("12.345", 12),  # a dot is never a thousands separator
        ("2500 Standard Pages", 2500),
        ("01-21-2026", 1212026),  # every digit run joined, as the original did
        ("-5", 5),
        ("Remain Toner (66%)", 66),
        ("n/a", 0),
        ("", 0),
    ],
)
def test_to_integer(value: str, expected: int) -> None:
    assert to_integer(value) == expected


def test_too_many_digits_is_an_error_not_a_huge_counter() -> None:
    with pytest.raises(RuleError):
        to_integer("1" * 19)
    with pytest.raises(RuleError):
        to_integer("9" * 5000)  # also well past Python's int-from-string limit


@pytest.mark.parametrize(
    ("field", "raw", "pattern", "expected"),
    [
        ("mac_address", "b0:e8:92:05:3d:87", "", "B0:E8:92:05:3D:87"),
        ("mac_address", "B0-E8-92-05-3D-87", "", "B0:E8:92:05:3D:87"),
        ("mac_address", "b0 e8 92 05 3d 87", "", "B0:E8:92:05:3D:87"),
        ("mac_address", "b0e892053d87", "", "B0:E8:92:05:3D:87"),
        ("mac_address", "MAC: b0:e8:92:05:3d:87", r"MAC:\s*(\S+)", "B0:E8:92:05:3D:87"),
        ("serial_number", "  ZHJ020393 ", "", "ZHJ020393"),
        ("serial_number", "sn=zhj020393;", r"sn=(\w+)", "ZHJ020393"),  # regex results are upper-cased
        ("counter", "Total: 1,250", "", 1250),
        ("toner_black", "48%", "", 48),
        ("variable_3", "height=13", "", 13),
    ],
)
def test_process_value(field: str, raw: str, pattern: str, expected: str | int) -> None:
    assert process_value(field, raw, pattern) == expected


@pytest.mark.parametrize(
    ("field", "raw", "pattern", "expected"),
    [
        ("toner_black", "OK", "", "ok"),
        ("toner_cyan", "WARNING", "", "low"),
        ("toner_magenta", "Low", "", "low"),
        ("drum_black", "ERROR", "", "error"),
        ("toner_yellow", "Replace Cartridge", "", "empty"),
        ("drum_cyan", "Replace drum soon", "", "low"),
        ("toner_black", "Near End", "", "low"),
        ("toner_yellow", "Yellow: OK", "", "ok"),  # "yellow" is not "low"
        ("toner_black", "Toner empty", "", "empty"),
        ("toner_black", "Status: ready", r"Status:\s*(\w+)", "ok"),  # the regex result is upper-cased: still a word
        ("toner_black", "Заканчивается", "", "low"),
        ("toner_black", "--", "", "unknown"),  # not a level and not a word we know: unknown, never 0 %
        ("toner_black", "Low (5%)", "", 5),  # a number on the page is the level
        ("counter", "OK", "", 0),  # counters keep docs/web-rules.md §5.2: no digits is 0
    ],
)
def test_supply_status_words_become_states_never_zero(field: str, raw: str, pattern: str, expected) -> None:
    assert process_value(field, raw, pattern) == expected


@pytest.mark.parametrize("raw", ["MAC: b0:e8:92:05:3d:87", "b0:e8:92:05:3d", "zz:zz:zz:zz:zz:zz", ""])
def test_unusable_mac_is_an_error(raw: str) -> None:
    with pytest.raises(RuleError, match="MAC"):
        process_value("mac_address", raw)


def test_empty_serial_is_an_error() -> None:
    with pytest.raises(RuleError, match="empty"):
        process_value("serial_number", "   ")


# ---- JSON paths and the lenient JSON mode ----------------------------------------------------------------------

SYNCTHRU = '{\r\n\tidentity: {\r\n\tserial_num: "ZF: x, y: 1",\r\n\tipv6_link_addr : ""\r\n\t},\r\n\ttoner_black: {\r\n\topt: 1,\r\n\tremaining: 58\r\n\t}\r\n}'  # noqa: E501


def test_lenient_json_quotes_bare_keys_but_not_text_inside_strings() -> None:
    data = parse_lenient_json(SYNCTHRU)
    assert data["identity"]["serial_num"] == "ZF: x, y: 1"
    assert data["identity"]["ipv6_link_addr"] == ""
    assert data["toner_black"]["remaining"] == 58


def test_lenient_json_single_quotes_and_trailing_commas() -> None:
    assert parse_lenient_json("{a: 'it\\'s \"x\"', b: [1, 2,],}") == {"a": 'it\'s "x"', "b": [1, 2]}


def test_not_json_at_all() -> None:
    with pytest.raises(RuleError, match="not JSON"):
        parse_lenient_json("<html></html>")


def test_json_path_steps() -> None:
    data = {"a": {"b c": [{"d": 1}, {"d": 2}]}, "n": None}
    assert json_path(data, "$.a['b c'][1].d") == 2
    assert json_path(data, '$["a"]["b c"][-1]["d"]') == 2
    assert json_path(data, "$") == data
    for bad in ("$.a.x", "$.a['b c'][5]", "$.n.x", "$.a['b c'].d"):
        with pytest.raises(RuleError, match="matched nothing"):
            json_path(data, bad)
    with pytest.raises(RuleError, match="invalid JSON path"):
        json_path(data, "$.a[?(@.d)]")


def test_evaluate_rule_on_page_source() -> None:
    page = "<html><body><table><tr><td>Total</td><td> 1,234 </td></tr></table></body></html>"
    rule = {"field_name": "counter", "xpath": "//tr[td='Total']/td[2]"}
    assert evaluate_rule(page, rule) == ("1,234", 1234, "")
    assert evaluate_rule(page, rule | {"xpath": "//tr[td='Nope']/td[2]"}) == (None, None, "XPath matched nothing")
    raw, value, error = evaluate_rule(page, rule | {"xpath": "//tr[["})
    assert (raw, value) == (None, None) and error.startswith("invalid XPath")
    assert evaluate_rule(page, rule | {"xpath": "count(//td)"}) == ("2", 2, "")
    assert evaluate_rule(SYNCTHRU, {"field_name": "toner_black", "xpath": "$.toner_black.remaining"})[1] == 58
    regex_rule = {"field_name": "toner_black", "regex_pattern": r"remaining:\s*(\d+)"}
    assert evaluate_rule(SYNCTHRU, regex_rule)[1:] == (58, "")  # empty XPath: the regex runs on the raw text
    calculated = RuleSpec(field_name="counter", is_calculated=True, calculation_formula="variable_1")
    assert evaluate_rule(page, calculated)[2].startswith("a calculated field")


# ---- 5.3 formulas ----------------------------------------------------------------------------------------------

VALUES = {"variable_1": 10, "counter_a4_bw": 7, "rule_12": 3, "rule_1": 100, "zero": 0}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("variable_1 + counter_a4_bw * 2", 24),  # precedence
        ("(variable_1 + counter_a4_bw) * 2", 34),
        ("-variable_1 + +3", -7),  # unary
        ("variable_1 / 4", 2),  # true division, then truncated
        ("-variable_1 / 4", -2),  # truncated toward zero, not floored
        ("variable_1 // 4", 2),
        ("-variable_1 // 4", -3),  # floor division floors
        ("variable_1 % 4", 2),
        ("2 ** 10", 1024),
        ("2 ** -1 * 10", 5),
        ("rule_12 + rule_1", 103),  # rule_1 does not clobber rule_12 (docs/web-rules.md §5.3 pitfall)
        ("  1.5 * 3 ", 4),
    ],
)
def test_formula_values(formula: str, expected: int) -> None:
    assert evaluate_formula(formula, VALUES) == expected


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("variable_1 / zero", "division by zero"),
        ("variable_1 // 0", "division by zero"),
        ("variable_1 % 0", "division by zero"),
        ("variable_9 + 1", "unknown variable 'variable_9'"),
        ("__import__('os')", "not allowed"),
        ("__import__(1)", "'Call' is not allowed"),
        ("().__class__", "'Attribute' is not allowed"),
        ("a.b", "'Attribute' is not allowed"),
        ("f(1)", "'Call' is not allowed"),
        ("[1]", "not allowed"),
        ("9**9**9", "exponent"),
        ("10 ** 64 * 10 ** 64", "too large"),
        ("99999999999 ** 60", "too large"),
        ("variable_1 if 1 else 2", "'IfExp' is not allowed"),
        ("variable_1 < 2", "characters that are not allowed: <"),
        ("'a' * 3", "characters that are not allowed: '"),
        ("1 +", "not a valid"),
        ("", "empty"),
        ("1 + 1" * 200, "longer than"),
        ("(" * 240 + "1" + ")" * 240, "not a valid"),  # deeper than the parser allows
        ("True + 1", "only numbers"),
        ("(-8) ** 0.5", "not a real number"),
        ("1e308 * 10", "too large"),
    ],
)
def test_formula_errors(formula: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message.replace("(", r"\(")):
        evaluate_formula(formula, VALUES)


def test_formula_names() -> None:
    assert formula_names("variable_1 + counter * variable_1 / 2") == ["variable_1", "counter"]


# ---- 5.4 SSRF guard --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["192.168.1.20", "10.0.0.5", "172.16.3.4", "8.8.8.8", "fd00::1", "100.63.255.255", "100.128.0.1"]
)
def test_guard_allows_lan_and_public_addresses(host: str) -> None:
    assert str(check_host(host, allow_loopback=False)) == host


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "169.254.10.1",
        "fe80::1",
        "224.0.0.251",
        "ff02::1",
        "0.0.0.0",
        "0.1.2.3",  # 0.0.0.0/8: "this network", reaches the host itself on Linux
        "255.255.255.255",
        "239.255.255.250",  # multicast (SSDP)
        "240.0.0.1",
        "100.64.0.1",  # carrier-grade NAT (100.64.0.0/10): the provider's side, not a client's printer
        "100.127.255.254",
        "168.63.129.16",  # Azure's platform endpoint (metadata, DNS)
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::ffff:169.254.169.254",
        "fd00:ec2::254",
        "localhost",
        "LOCALHOST.",
        "printer.localhost",
        "metadata.google.internal",
        "printer.example.com",  # names are refused: no DNS, so no rebinding
        "0177.0.0.1",
        "",
    ],
)
def test_guard_refuses_even_with_loopback_allowed(host: str) -> None:
    with pytest.raises(UnsafeTargetError):
        check_host(host, allow_loopback=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"])
def test_loopback_only_when_allowed(host: str) -> None:
    with pytest.raises(UnsafeTargetError, match="loopback"):
        check_host(host, allow_loopback=False)
    assert check_host(host, allow_loopback=True).is_loopback


@pytest.mark.parametrize(
    ("protocol", "path", "url"),
    [
        ("http", "/status.asp", "http://192.168.1.20/status.asp"),
        ("HTTPS", "/a/b?x=1#top", "https://192.168.1.20/a/b?x=1#top"),
        ("http", "", "http://192.168.1.20/"),
        ("http", ":8080/status.html", "http://192.168.1.20:8080/status.html"),
        ("http", ":8080", "http://192.168.1.20:8080/"),
        ("http", "/%2F%2Fevil.example/", "http://192.168.1.20/%2F%2Fevil.example/"),
    ],
)
def test_page_url(protocol: str, path: str, url: str) -> None:
    assert page_url(protocol, "192.168.1.20", path, allow_loopback=False) == url


@pytest.mark.parametrize(
    ("protocol", "path"),
    [
        ("http", "//evil.example/x"),
        ("http", "@evil.example/x"),
        ("http", "/x@evil.example"),
        ("http", "http://evil.example/"),
        ("http", "/redirect?to=http://evil.example"),
        ("http", "evil.example/x"),
        ("http", "\\\\evil.example\\x"),
        ("http", "/\\evil.example"),
        ("http", "/a b"),
        ("http", "/a\nHost: evil"),
        ("http", ":0/x"),
        ("http", ":65536/x"),
        ("http", ":123456/x"),
        ("http", ":80@evil.example/"),
        ("http", ":abc/"),
        ("ftp", "/x"),
        ("file", "/etc/passwd"),
        ("javascript", "/x"),
    ],
)
def test_page_url_refuses_host_changes(protocol: str, path: str) -> None:
    with pytest.raises(UnsafeTargetError):
        page_url(protocol, "192.168.1.20", path, allow_loopback=False)


def test_page_url_refuses_unsafe_printer_address() -> None:
    with pytest.raises(UnsafeTargetError):
        page_url("http", "169.254.169.254", "/latest/meta-data/", allow_loopback=True)
    with pytest.raises(UnsafeTargetError):
        page_url("http", "127.0.0.1", "/", allow_loopback=False)
    assert page_url("http", "127.0.0.1", ":8080/x", allow_loopback=True) == "http://127.0.0.1:8080/x"
    assert page_url("http", "fd00::5", ":81/x", allow_loopback=False) == "http://[fd00::5]:81/x"


def test_same_host_for_redirects() -> None:
    host = check_host("192.168.1.20", allow_loopback=False)
    assert same_host("https://192.168.1.20:8443/login", host)
    assert not same_host("http://192.168.1.21/", host)
    assert not same_host("http://localhost/", host)
    assert not same_host("http://192.168.1.20@evil.example/", host)
    assert not same_host("ftp://192.168.1.20/", host)


# ---- readings, the XML document, the hybrid merge --------------------------------------------------------------

DELL_FIELDS = {
    "serial_number": "ZHJ020393",
    "counter": 8862,
    "toner_black": 48,
    "toner_cyan": 60,
    "toner_magenta": 69,
    "toner_yellow": 59,
}


def test_reading_from_web_fields() -> None:
    reading = reading_from_fields(DELL_FIELDS | {"mac_address": "B0:E8:92:05:3D:87", "drum_black": 250})
    assert reading.data_source == DataSource.WEB_SCRAPING
    assert (reading.serial, reading.mac, reading.raw_counters) == ("ZHJ020393", "B0:E8:92:05:3D:87", {"TOTAL": 8862})
    assert reading.is_color  # colour toners present
    levels = {(s.kind, s.color): (s.percent, s.state) for s in reading.supplies}
    assert levels[("toner", "cyan")] == (60, "ok")
    assert levels[("drum", "black")] == (None, "unknown")  # not a percentage


def test_status_words_are_stored_as_states() -> None:
    reading = reading_from_fields({"counter": 5, "toner_black": "low", "drum_black": "ok", "toner_cyan": "error"})
    levels = {(s.kind, s.color): (s.percent, s.level, s.state) for s in reading.supplies}
    assert levels == {
        ("toner", "black"): (None, None, "low"),
        ("drum", "black"): (None, None, "ok"),
        ("toner", "cyan"): (None, None, "error"),
    }
    assert supply_summary(reading.supplies) == {"toner_black": "low", "drum_black": "ok", "toner_cyan": "error"}


def test_status_words_round_trip_through_the_xml_document() -> None:
    printer = Printer(ip_address="192.168.1.20", serial_number="S")
    data = glpi_xml_document(printer, {"counter": 1, "toner_black": "empty", "drum_black": "low"})
    reading, _ = parse_glpi_xml(data)
    assert {(s.kind, s.state, s.percent) for s in reading.supplies} == {("toner", "empty", None), ("drum", "low", None)}


def test_colour_from_counters_only() -> None:
    mono = reading_from_fields({"counter": 10, "counter_a4_bw": 10, "counter_a4_color": 0, "toner_black": 5})
    assert not mono.is_color
    assert mono.raw_counters == {"TOTAL": 10, "BW_A4": 10, "COLOR_A4": 0}
    assert reading_from_fields({"counter_a3_color": 3}).is_color


def test_glpi_xml_document_round_trips_through_the_importer() -> None:
    printer = Printer(ip_address="192.168.1.20", serial_number="OLD", mac_address="00:11:22:33:44:55", model="X")
    data = glpi_xml_document(printer, DELL_FIELDS, model_name="Dell C1765nfw", manufacturer="Dell")
    assert b"<QUERY>WEBQUERY</QUERY>" in data and b"<DEVICEID>ZHJ020393</DEVICEID>" in data
    assert b"<MODULEVERSION>6.8</MODULEVERSION>" in data and b"<BW_A4>0</BW_A4>" in data
    reading, extras = parse_glpi_xml(data)
    assert (reading.serial, reading.mac, reading.manufacturer) == ("ZHJ020393", "00:11:22:33:44:55", "Dell")
    assert reading.raw_counters["TOTAL"] == 8862 and reading.is_color
    assert extras == {"name": "Dell C1765nfw", "ip": "192.168.1.20"}
    assert b"CARTRIDGES" not in glpi_xml_document(printer, {"counter": 1})
    assert b"<DEVICEID>unknown</DEVICEID>" in glpi_xml_document(Printer(ip_address="10.0.0.1"), {"counter": 1})


def test_xml_export_name() -> None:
    assert xml_export_name(" ZHJ/02 03:93 ") == "ZHJ_02_03_93.xml"
    assert xml_export_name("") == "unknown.xml"


def _snmp(**overrides) -> DeviceReading:
    data = {
        "serial": "ZHJ020393",
        "mac": "B0:E8:92:05:3D:87",
        "raw_counters": {"TOTAL": 8862, "PRINT_A4": 7000},
        "supplies": [
            SupplyReading(description="Black Toner", kind="toner", color="black", percent=48),
            SupplyReading(description="Cyan Toner", kind="toner", color="cyan", state="some_remaining"),
            SupplyReading(description="Drum", kind="drum", color="black", percent=80),
        ],
        "manufacturer": "Dell",
        "is_color": True,
    }
    return DeviceReading(**(data | overrides))


def test_merge_without_conflicts_takes_web_values_over_snmp() -> None:
    web = reading_from_fields({"serial_number": "ZHJ020393", "counter_a4_color": 5, "toner_black": 48, "toner_cyan": 9})
    merged = merge_readings(_snmp(), web)
    assert merged.raw_counters == {"TOTAL": 8862, "PRINT_A4": 7000, "COLOR_A4": 5}
    summary = {(s.kind, s.color): (s.percent, s.description) for s in merged.supplies}
    assert summary[("toner", "cyan")] == (9, "Cyan Toner")  # SNMP "some remaining" is not a level: no conflict
    assert summary[("drum", "black")] == (80, "Drum")  # SNMP-only value kept
    assert len(merged.supplies) == 3 and merged.manufacturer == "Dell" and merged.is_color


def test_merge_conflicts_are_listed_field_by_field() -> None:
    web = reading_from_fields(
        {"serial_number": "OTHER", "mac_address": "00:00:00:00:00:01", "counter": 9000, "toner_black": 47}
    )
    with pytest.raises(AcquisitionError) as failure:
        merge_readings(_snmp(), web)
    assert str(failure.value) == (
        "Data merge failed: serial_number: SNMP='ZHJ020393' vs Web='OTHER'; "
        "mac_address: SNMP='B0:E8:92:05:3D:87' vs Web='00:00:00:00:00:01'; "
        "counter: SNMP='8862' vs Web='9000'; toner_black: SNMP='48' vs Web='47'"
    )


@pytest.mark.parametrize("snmp_value", ["", "unknown", "other", "some_remaining"])
def test_merge_ignores_supply_error_values(snmp_value: str) -> None:
    supplies = [SupplyReading(description="K", kind="toner", color="black", state=snmp_value or "ok")]
    snmp = _snmp(supplies=supplies if snmp_value else [])
    merged = merge_readings(snmp, reading_from_fields({"toner_black": 47}))
    assert [s.percent for s in merged.supplies] == [47]


@pytest.mark.parametrize("word", ["ok", "low", "empty", "error", "unknown"])
def test_merge_keeps_the_snmp_level_beside_a_web_status_word(word: str) -> None:
    merged = merge_readings(_snmp(), reading_from_fields({"toner_black": word}))  # no conflict, no 0 %
    black = [(s.percent, s.state) for s in merged.supplies if (s.kind, s.color) == ("toner", "black")]
    assert black == [(48, "ok")]


def test_merge_takes_a_web_status_word_over_an_snmp_state() -> None:
    merged = merge_readings(_snmp(), reading_from_fields({"toner_cyan": "low"}))
    cyan = [(s.percent, s.state) for s in merged.supplies if (s.kind, s.color) == ("toner", "cyan")]
    assert cyan == [(None, "low")]  # SNMP said only "some remaining"


def test_merge_ignores_invalid_counters_and_blank_identity() -> None:
    snmp = _snmp(serial="", mac=None, raw_counters={"TOTAL": -1, "BW_A4": 0})
    merged = merge_readings(snmp, reading_from_fields({"serial_number": "X", "counter": 5, "counter_a4_bw": 0}))
    assert (merged.serial, merged.raw_counters) == ("X", {"TOTAL": 5, "BW_A4": 0})
    with pytest.raises(AcquisitionError, match="counter_a4_bw: SNMP='0' vs Web='3'"):  # "0" is a valid counter
        merge_readings(snmp, reading_from_fields({"counter_a4_bw": 3}))


# ---- docs/inventory-and-polling.md §3.2: method selection
# -------------------------------------------------------------------------

RULE = RuleSpec(field_name="counter", xpath="//td")


@pytest.mark.parametrize(
    ("stored", "rules", "expected"),
    [
        (PollingMethod.SNMP, [RULE], PollingMethod.WEB),
        (PollingMethod.WEB, [], PollingMethod.SNMP),
        (PollingMethod.USB_API, [], PollingMethod.SNMP),
        (PollingMethod.HYBRID, [], PollingMethod.HYBRID),
        (PollingMethod.HYBRID, [RULE], PollingMethod.HYBRID),
    ],
)
def test_polling_method_for(stored: str, rules: list[RuleSpec], expected: str) -> None:
    assert polling_method_for(Printer(ip_address="10.0.0.1", polling_method=stored), rules) == expected


def test_hybrid_without_rules_fails_before_any_read() -> None:
    outcome = read_printer(Printer(ip_address="10.0.0.1", polling_method=PollingMethod.HYBRID), [])
    assert isinstance(outcome, AcquisitionError) and str(outcome) == "HYBRID mode requires web parsing rules"


def test_summary_prefers_a_state_to_an_empty_level_with_no_known_maximum():
    """Brother HL-5370DW lists its black toner twice: level 0 / max -2 and level -3 ("some remaining"); it prints on."""
    rows = [
        SupplyReading("Black Toner Cartridge", "toner", "black", level=0, max_capacity=-2, percent=0, supply_index=1),
        SupplyReading(
            "Black Toner Cartridge", "toner", "black", level=-3, max_capacity=-2, state="some_remaining", supply_index=2
        ),
    ]
    assert supply_summary(rows) == {"toner_black": "some_remaining"}
    backed = [SupplyReading("Black", "toner", "black", level=0, max_capacity=100, percent=0), rows[1]]
    assert supply_summary(backed) == {"toner_black": "0"}  # a real 0 of a known capacity is empty
