"""Unit tests (no I/O) of the SNMP poller's decoding helpers, counter mapping and vendor tables."""

from __future__ import annotations

import asyncio

import pytest
from pysnmp.proto import rfc1902, rfc1905

from printer_app.services.snmp import poller as snmp
from printer_app.services.snmp import vendors as snmp_vendors
from printer_app.services.snmp.decode import (
    clean_model,
    clean_serial,
    color_from_text,
    decode_text,
    has_counters,
    is_color_device,
    is_usable_mac,
    map_counters,
    normalize_mac,
    parse_device_id,
    pick_mac,
    supply_color,
    supply_kind,
    supply_percent,
)

# ------------------------------------------------------------------------------------------------
# Text decoding
# ------------------------------------------------------------------------------------------------

# Exact bytes of jetdirect_m880 prtMarkerSuppliesDescription.1 (recording value, "4x" hex).
M880_BLACK = bytes.fromhex(
    "426C61636B20436172747269646765200a3338203332203337203431203230203438203530203230203433203436"
    "203333203330203330203431203030 20".replace(" ", "")
)
# jetdirect_m130nw HP model-name .1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.2.0 (PML header \x01\x15 + hex dump).
M130_MODEL = bytes.fromhex(
    "01154850204C617365724A6574204D460a353020323020344420333120333320333020364520373720".replace(" ", "")
)


def test_decode_hexdump_with_trailing_nul() -> None:
    assert M880_BLACK.startswith(b"Black Cartridge \n38 32")
    assert decode_text(M880_BLACK) == "Black Cartridge 827A HP CF300A"


def test_decode_pml_prefixed_hexdump() -> None:
    assert decode_text(M130_MODEL) == "HP LaserJet MFP M130nw"
    assert decode_text(bytes.fromhex("0115564E4352433438313938")) == "VNCRC48198"  # HP serial-number


def test_decode_0x_hex_string_and_plain_hex_pairs() -> None:
    assert decode_text("0x4e6f20746f6e6572") == "No toner"
    assert decode_text(b"0x426C61636B00") == "Black"
    assert decode_text(b"42 6C 61 63 6B 20 54 6F 6E 65 72 00") == "Black Toner"
    # a short or non-printable hex-looking value stays as it is
    assert decode_text("0x00ff") == "0x00ff"
    assert decode_text("AB 12") == "AB 12"


def test_decode_nul_encoding_and_whitespace() -> None:
    assert decode_text(b"Cyan Toner\x00\x00garbage") == "Cyan Toner"
    assert decode_text("Тонер чёрный".encode()) == "Тонер чёрный"  # UTF-8
    assert decode_text(b"Toner \xe9l\xe9ment") == "Toner élément"  # latin-1 fallback
    assert decode_text(b"  Black \t Toner\r\n") == "Black Toner"
    assert decode_text(b"Ver.1.01  (08.12.12)", collapse_spaces=False) == "Ver.1.01  (08.12.12)"
    assert decode_text(None) == ""
    assert decode_text(b"") == ""


def test_clean_serial_model_device_id() -> None:
    assert clean_serial(" W492KB03439 ") == "W492KB03439"
    for junk in (None, "", "0", "000000", "unknown", "N/A", "<private>"):
        assert clean_serial(junk) is None
    assert clean_model("Brother HL-5370DW series") == "HL-5370DW"
    assert clean_model("HP Color LaserJet flow MFP M880") == "Color LaserJet flow MFP M880"
    assert clean_model("RICOH Aficio MP C3002") == "Aficio MP C3002"
    assert clean_model("KONICA MINOLTA bizhub C300i") == "bizhub C300i"
    assert clean_model("") is None
    assert parse_device_id("MFG:HP;CMD:PJL;MDL:HP LaserJet MFP M129-M134;CLS:PRINTER;") == {
        "MFG": "HP",
        "CMD": "PJL",
        "MDL": "HP LaserJet MFP M129-M134",
        "CLS": "PRINTER",
    }
    assert parse_device_id("MANUFACTURE:OKI UK LTD;MODEL:MC873;")["MODEL"] == "MC873"
    assert parse_device_id(None) == {}


# ------------------------------------------------------------------------------------------------
# MAC (docs/inventory-and-polling.md §4.2)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (bytes.fromhex("001BA90BA752"), "00:1B:A9:0B:A7:52"),
        ("00:1b:a9:0b:a7:52", "00:1B:A9:0B:A7:52"),
        ("001b.a90b.a752", "00:1B:A9:0B:A7:52"),
        ("00-1B-A9-0B-A7-52", "00:1B:A9:0B:A7:52"),
        ("001ba90ba752", "00:1B:A9:0B:A7:52"),
        (b"00:1B:A9:0B:A7:52", "00:1B:A9:0B:A7:52"),  # MAC sent as text
        ("001ba90ba7", None),
        ("001ba90ba75200", None),
        (b"", None),
        (None, None),
    ],
)
def test_normalize_mac(value, expected) -> None:
    assert normalize_mac(value) == expected


def test_usable_mac() -> None:
    assert is_usable_mac("00:1B:A9:0B:A7:52")
    assert not is_usable_mac("00:00:00:00:00:00")
    assert not is_usable_mac("FF:FF:FF:FF:FF:FF")
    assert not is_usable_mac(None)


def test_pick_mac_prefers_wired_keyword_ports() -> None:
    ports = [
        {"ifDescr": "LOOPBACK", "ifName": "LOOPBACK", "mac": None},
        {"ifDescr": "wifi0", "ifName": "wifi0", "mac": bytes.fromhex("5cfb3a0d7df0")},
        {"ifDescr": "Ethernet", "ifName": "Ethernet", "mac": bytes.fromhex("14cb19952ea0")},
    ]
    assert pick_mac(ports) == "14:CB:19:95:2E:A0"
    # keyword in ifName only
    assert pick_mac([ports[1], {"ifDescr": "port 2", "ifName": "eth0", "mac": "aa-bb-cc-dd-ee-ff"}]) == (
        "AA:BB:CC:DD:EE:FF"
    )
    # a keyword port without a valid MAC is skipped (jetdirect_m880 port 1)
    assert pick_mac([{"ifDescr": "HP ETHERNET", "mac": b""}, {"ifDescr": "x", "mac": "10e7c662708e"}]) == (
        "10:E7:C6:62:70:8E"
    )


def test_pick_mac_fallbacks() -> None:
    ports = [
        {"ifDescr": "NC-6800h", "mac": "00:00:00:00:00:00"},  # zero MAC skipped
        {"ifDescr": "NC-6800h", "mac": "001ba90ba752"},
        {"ifDescr": "NC-7600w", "mac": "00234ecdd8f9"},
    ]
    assert pick_mac(ports) == "00:1B:A9:0B:A7:52"
    assert pick_mac([]) is None
    assert pick_mac([{"ifDescr": "Ethernet", "mac": "zz"}]) is None


# ------------------------------------------------------------------------------------------------
# Supplies
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "max_capacity", "unit", "expected"),
    [
        (63, 100, 19, (63, "ok")),
        (17208, 25000, 7, (69, "ok")),  # 68.8 → 69 (FusionInventory floors to 68)
        (28407, 30000, None, (95, "ok")),  # 94.69 → 95
        (1, 200, None, (1, "ok")),  # 0.5 → 1: half rounds up
        (0, 100, None, (0, "ok")),  # a real empty supply is 0 %
        (120, 100, None, (100, "ok")),  # clamped
        (-3, -2, None, (None, "some_remaining")),
        (-3, 100, None, (None, "some_remaining")),
        (-2, 100, None, (None, "unknown")),
        (-1, 100, None, (None, "other")),
        (-5, 100, None, (None, "unknown")),
        (None, 100, None, (None, "unknown")),
        # Unknown maximum (-1/-2, or no column): a level 0-100 in percent or with no unit is the percentage
        # (Sharp and Brother report so; LibreNMS and the device's panel read it that way) ...
        (40, -2, None, (40, "ok")),
        (40, -2, 19, (40, "ok")),
        (100, -1, None, (100, "ok")),
        (40, None, None, (40, "ok")),
        (140, -1, 19, (100, "ok")),  # percent unit: clamped
        # ... level 0 is 0 % whatever the maximum (Brother row 1: level 0, max -2) ...
        (0, -2, None, (0, "ok")),
        (0, -2, 7, (0, "ok")),
        (0, 0, None, (0, "ok")),
        # ... other units (7 = impressions) or levels over 100 stay unknown, never a made-up percentage
        (40, -2, 7, (None, "unknown")),
        (140, -2, None, (None, "unknown")),
        (40, 0, None, (None, "unknown")),
    ],
)
def test_supply_percent(level, max_capacity, unit, expected) -> None:
    assert supply_percent(level, max_capacity, unit) == expected


@pytest.mark.parametrize(
    ("type_code", "description", "expected"),
    [
        (3, "Black Toner", "toner"),
        (21, "Black Cartridge HP CF300A", "toner"),
        (4, "Waste Toner", "waste"),
        (5, "Black Ink Supply Unit", "ink"),
        (8, "Waste Ink", "waste"),
        (9, "Imaging Drum HP CF219A", "drum"),
        (10, "Developer", "developer"),
        (15, "Fuser Unit", "fuser"),
        (20, "Belt Unit OKI DATA CORP", "transfer"),
        (32, "Stapler 1 HP C8091A", "staples"),
        # no type column (Canon, Xerox) or other(1)/unknown(2): keywords, most specific first
        (None, "Canon Cartridge 719/719H", "toner"),
        (None, "Waste Toner Container, PN 008R13061", "waste"),
        (None, "Drum Cartridge (R1), PN 013R00662", "drum"),
        (None, "Fuser, PN unknown;SNunknown", "fuser"),
        (None, "Second Bias Transfer Roll", "transfer"),
        (1, "Transfer Roller", "transfer"),
        (2, "Black Ink Cartridge", "ink"),
        (None, "Developer Unit Cyan", "developer"),
        (None, "Staple Cartridge", "staples"),
        (1, "ADF Roller", "other"),
        (1, "Document Feeder Kit HP C1P70A", "other"),
        (18, "Cleaner Unit", "other"),  # cleanerUnit has no kind of its own
        (None, "", "other"),
    ],
)
def test_supply_kind(type_code, description, expected) -> None:
    assert supply_kind(type_code, description) == expected


def test_supply_color() -> None:
    # colorant value wins over the description (and over index order)
    assert supply_color("magenta", "Toner Cartridge 2") == "magenta"
    assert supply_color("Black", None) == "black"
    assert supply_color("red", "Red Toner") == "other"
    # missing / unknown colorant: description keywords
    assert supply_color(None, "Cyan Toner") == "cyan"
    assert supply_color("unknown", "Yellow Ink Supply Unit") == "yellow"
    assert supply_color("", "Transfer Kit") is None
    assert color_from_text("Photo Black") == "black"
    assert color_from_text("Tri-colour cyan/magenta/yellow") == "other"
    assert color_from_text("Тонер-картридж жёлтый") == "yellow"
    assert color_from_text(None) is None


def test_supplies_take_colour_from_colorant_index_not_order() -> None:
    # Rows 1-3 point to colorant rows 3, 1, 2 of prtMarkerColorantTable (hrDeviceIndex 1); no colour words.
    col = {name: {} for name in snmp.WALKS}
    for row, (colorant, descr, supply_type, unit, max_capacity, level) in {
        1: (3, "Cartridge A", 3, 19, 100, 55),
        2: (1, "0x436172747269646765204200", 3, 19, 100, -3),  # hex description with NUL
        3: (2, "Cartridge C", 9, 19, -2, 40),
        4: (0, "Waste Toner Box", 4, 19, 100, 100),
    }.items():
        col["prtMarkerSuppliesColorantIndex"][(1, row)] = rfc1902.Integer(colorant)
        col["prtMarkerSuppliesDescription"][(1, row)] = rfc1902.OctetString(descr)
        col["prtMarkerSuppliesType"][(1, row)] = rfc1902.Integer(supply_type)
        col["prtMarkerSuppliesSupplyUnit"][(1, row)] = rfc1902.Integer(unit)
        col["prtMarkerSuppliesMaxCapacity"][(1, row)] = rfc1902.Integer(max_capacity)
        col["prtMarkerSuppliesLevel"][(1, row)] = rfc1902.Integer(level)
    for index, value in {1: "cyan", 2: "magenta", 3: "yellow"}.items():
        col["prtMarkerColorantValue"][(1, index)] = rfc1902.OctetString(value)
    errors: list[str] = []
    supplies = snmp._supplies(col, errors)
    assert [(s.index, s.description, s.kind, s.color, s.percent, s.state) for s in supplies] == [
        (1, "Cartridge A", "toner", "yellow", 55, "ok"),
        (2, "Cartridge B", "toner", "cyan", None, "some_remaining"),
        (3, "Cartridge C", "drum", "magenta", 40, "ok"),  # max -2 but unit percent(19)
        (4, "Waste Toner Box", "waste", None, 100, "ok"),
    ]
    assert errors == []
    assert snmp._supplies({name: {} for name in snmp.WALKS}, errors) == []
    assert errors == ["supplies: prtMarkerSuppliesTable is empty or missing"]


# ------------------------------------------------------------------------------------------------
# Counters (docs/inventory-and-polling.md §4.1) — one test per row of the table, plus the details around it
# ------------------------------------------------------------------------------------------------


def _mapped(raw: dict, is_color: bool) -> tuple[int, int, int, int]:
    out = map_counters(raw, is_color)
    return out["bw_a3"], out["bw_a4"], out["color_a3"], out["color_a4"]


def test_color_with_color_a3_or_a4() -> None:
    # colour_a3 = clamp(cA3 + bwA3), colour_a4 = clamp(cA4 + bwA4)
    raw = {"TOTAL": 1000, "COLOR_A3": 100, "COLOR_A4": 500, "BW_A3": 50, "BW_A4": 300}
    assert _mapped(raw, True) == (0, 0, 150, 800)
    clamped = {"TOTAL": 700, "COLOR_A3": 100, "COLOR_A4": 500, "BW_A3": 50, "BW_A4": 300}
    assert _mapped(clamped, True) == (0, 0, 150, 700)
    assert _mapped({"TOTAL": 0, "COLOR_A4": 500, "BW_A4": 300}, True) == (0, 0, 0, 800)  # no clamp if total 0


def test_color_without_bw_a3_with_general_color() -> None:
    assert _mapped({"TOTAL": 900, "COLOR": 400, "BW_A4": 500}, True) == (0, 0, 0, 900)


def test_color_without_bw_a3_without_general_color() -> None:
    assert _mapped({"TOTAL": 900, "BW_A4": 500}, True) == (0, 0, 0, 500)
    assert _mapped({"TOTAL": 900}, True) == (0, 0, 0, 900)  # bwA4 = 0 → total
    assert _mapped({}, True) == (0, 0, 0, 0)


def test_color_with_bw_a3_and_general_color() -> None:
    assert _mapped({"TOTAL": 900, "COLOR": 10, "BW_A3": 200, "BW_A4": 600}, True) == (0, 0, 200, 600)
    assert _mapped({"TOTAL": 500, "COLOR": 10, "BW_A3": 600, "BW_A4": 800}, True) == (0, 0, 500, 500)


def test_color_with_bw_a3_without_general_color() -> None:
    # not clamped in this row
    assert _mapped({"TOTAL": 500, "BW_A3": 600, "BW_A4": 800}, True) == (0, 0, 600, 800)


def test_mono_without_bw_a3() -> None:
    assert _mapped({"TOTAL": 7792, "BW_A4": 1234}, False) == (0, 7792, 0, 0)  # BW_A4 ignored


def test_mono_with_bw_a3() -> None:
    assert _mapped({"TOTAL": 1000, "BW_A3": 100, "BW_A4": 800}, False) == (100, 800, 0, 0)
    assert _mapped({"TOTAL": 1000, "BW_A3": 100, "BW_A4": 1800}, False) == (100, 1000, 0, 0)  # clamp


def test_print_a3_a4_are_fallbacks_and_first_parsable_wins() -> None:
    assert _mapped({"TOTAL": 1000, "PRINT_A3": 100, "PRINT_A4": 800}, False) == (100, 800, 0, 0)
    assert _mapped({"TOTAL": 1000, "BW_A3": "x", "PRINT_A3": "100", "BW_A4": " 700 "}, False) == (100, 700, 0, 0)
    assert _mapped({"TOTAL": 1000, "BW_A3": 0, "PRINT_A3": 100}, False) == (0, 1000, 0, 0)  # BW_A3 "0" wins
    assert map_counters({"TOTAL": "271871"}, True)["total"] == 271871
    assert map_counters({"COPY_BW": 5}, False) == {"total": 0, "bw_a4": 0, "bw_a3": 0, "color_a4": 0, "color_a3": 0}


def test_has_counters_and_colour_detection() -> None:
    assert has_counters({"TOTAL": 0})  # "0" counts as present
    assert has_counters({"COLOR": 5})
    assert not has_counters({"DUPLEX": 5, "COPY_BW": 3})
    assert not has_counters({})
    assert is_color_device(["black", "cyan"], {})
    assert is_color_device([None], {"PRINT_COLOR": 3})
    assert is_color_device([], {"COLOR_A4": "12"})
    assert not is_color_device(["black", None, "other"], {"COLOR": 0, "BW": 10})


# ------------------------------------------------------------------------------------------------
# Vendors and target
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sys_object_id", "expected"),
    [
        ("1.3.6.1.4.1.11.2.3.9.1", "HP"),
        (".1.3.6.1.4.1.367.1.1", "Ricoh"),
        ("1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83.50", "Epson"),
        ("1.3.6.1.4.1.18334.1.1.1.2.1.1", "Konica Minolta"),
        ("1.3.6.1.4.1.40093.1.1", "Pantum"),
        ("1.3.6.1.4.1.8072.3.2.10", None),
        ("", None),
        (None, None),
    ],
)
def test_manufacturer_from_sys_object_id(sys_object_id, expected) -> None:
    assert snmp_vendors.manufacturer_from_sys_object_id(sys_object_id) == expected


def test_manufacturer_from_text() -> None:
    assert snmp_vendors.manufacturer_from_text("HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT") == "HP"
    assert snmp_vendors.manufacturer_from_text(None, "KYOCERA Document Solutions ECOSYS M2540dn") == "Kyocera"
    assert snmp_vendors.manufacturer_from_text("OKI OkiLAN 9450g") == "OKI"
    assert snmp_vendors.manufacturer_from_text("Linux box") is None


def test_vendor_tables_are_well_formed() -> None:
    for name, vendor in snmp_vendors.VENDORS.items():
        assert name in snmp_vendors.ENTERPRISE_MANUFACTURERS.values()
        for oid in (*vendor.model, *vendor.serial, *vendor.counters.values()):
            assert oid.startswith("1.3.6.1.4.1."), (name, oid)
            assert all(part.isdigit() for part in oid.split(".")), (name, oid)


def test_target_repr_masks_secrets() -> None:
    target = snmp.SnmpTarget(
        "10.0.0.5", community="s3cret", version="3", v3_user="admin", v3_auth_key="authpass1", v3_priv_key="privpass1"
    )
    text = repr(target)
    assert "s3cret" not in text and "authpass1" not in text and "privpass1" not in text
    assert "10.0.0.5" in text and "admin" in text and str(target) == text
    assert snmp.SnmpTarget("h").snmp_version == "2c"
    assert snmp.SnmpTarget("h", version="v1").snmp_version == "1"
    assert snmp.SnmpTarget("h", version=3).snmp_version == "3"


# ------------------------------------------------------------------------------------------------
# Walk robustness against broken agents (scripted responses, no I/O)
# ------------------------------------------------------------------------------------------------

TIMEOUT = "No SNMP response received before timeout"


def _oid(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def _scripted_session(monkeypatch, responses: list, version: str = "2c") -> tuple[snmp._Session, list]:
    """A session whose GETBULK/GETNEXT return ``responses`` in order; records (kind, varbind count) requests."""
    calls: list[tuple[str, int]] = []
    script = iter(responses)

    async def fake(kind: str, *args, **kwargs):
        calls.append((kind, sum(isinstance(a, snmp.ObjectType) for a in args)))
        return next(script)

    async def fake_bulk(*args, **kwargs):
        return await fake("bulk", *args, **kwargs)

    async def fake_next(*args, **kwargs):
        return await fake("next", *args, **kwargs)

    monkeypatch.setattr(snmp, "bulk_cmd", fake_bulk)
    monkeypatch.setattr(snmp, "next_cmd", fake_next)
    session = snmp._Session(None, snmp.SnmpTarget("192.0.2.1", version=version), None)
    return session, calls


COLUMN = {"level": "1.3.6.1.2.1.43.11.1.1.9"}


def _vb(suffix: str, value) -> tuple[tuple[int, ...], object]:
    return _oid(f"1.3.6.1.2.1.43.11.1.1.9.{suffix}"), value


def test_walk_keeps_rows_before_a_non_increasing_oid(monkeypatch) -> None:
    session, _ = _scripted_session(
        monkeypatch, [(None, 0, 0, [_vb("1.1", rfc1902.Integer(10)), _vb("1.2", rfc1902.Integer(20)), _vb("1.1", 5)])]
    )
    rows = asyncio.run(session.walk_columns(COLUMN, "supplies"))
    assert [(i, int(v)) for i, v in rows["level"]] == [((1, 1), 10), ((1, 2), 20)]
    assert session.errors == ["supplies: level: agent returned a non-increasing OID 1.3.6.1.2.1.43.11.1.1.9.1.1"]


def test_walk_skips_duplicate_oids_and_stops_at_end_of_subtree(monkeypatch) -> None:
    session, calls = _scripted_session(
        monkeypatch,
        [
            (
                None,
                0,
                0,
                [_vb("1.1", rfc1902.Integer(10)), _vb("1.1", rfc1902.Integer(10)), _vb("1.2", rfc1902.Integer(20))],
            ),
            (
                None,
                0,
                0,
                [_vb("1.3", rfc1902.Integer(30)), (_oid("1.3.6.1.2.1.43.12.1.1.4.1.1"), rfc1902.OctetString("x"))],
            ),
        ],
    )
    rows = asyncio.run(session.walk_columns(COLUMN, "supplies"))
    assert [int(v) for _, v in rows["level"]] == [10, 20, 30]
    assert session.errors == []
    assert calls == [("bulk", 1), ("bulk", 1)]


def test_walk_falls_back_to_getnext_on_error_status(monkeypatch) -> None:
    session, calls = _scripted_session(
        monkeypatch,
        [
            (None, 0, 0, [_vb("1.1", rfc1902.Integer(10))]),
            (None, rfc1902.Integer(5), 1, []),  # genErr on GETBULK
            (None, 0, 0, [_vb("1.2", rfc1902.Integer(20))]),
            (None, 0, 0, [(_oid("1.3.6.1.2.1.43.11.1.1.9.1.2"), rfc1905.endOfMibView)]),
        ],
    )
    rows = asyncio.run(session.walk_columns(COLUMN, "supplies"))
    assert [int(v) for _, v in rows["level"]] == [10, 20]
    assert [kind for kind, _ in calls] == ["bulk", "bulk", "next", "next"]
    assert session.errors == []


def test_walk_timeout_retries_small_then_keeps_what_was_read(monkeypatch) -> None:
    session, calls = _scripted_session(
        monkeypatch,
        [(None, 0, 0, [_vb("1.1", rfc1902.Integer(10))]), (TIMEOUT, 0, 0, []), (TIMEOUT, 0, 0, [])],
    )
    rows = asyncio.run(session.walk_columns(COLUMN, "supplies"))
    assert [int(v) for _, v in rows["level"]] == [10]
    assert len(calls) == 3
    assert session.errors == [f"supplies: walk stopped: {TIMEOUT}; kept 1 values, missing level"]


def test_walk_snmpv1_no_such_name_ends_a_column(monkeypatch) -> None:
    two = {"type": "1.3.6.1.2.1.43.11.1.1.5", "level": "1.3.6.1.2.1.43.11.1.1.9"}
    session, calls = _scripted_session(
        monkeypatch,
        [
            (
                None,
                0,
                0,
                [(_oid("1.3.6.1.2.1.43.11.1.1.5.1.1"), rfc1902.Integer(3)), _vb("1.1", rfc1902.Integer(40))],
            ),
            (None, rfc1902.Integer(2), 2, []),  # noSuchName for the 2nd varbind: level column is at the end
            (None, 0, 0, [(_oid("1.3.6.1.2.1.43.11.1.1.6.1.1"), rfc1902.OctetString("Toner"))]),
        ],
        version="1",
    )
    rows = asyncio.run(session.walk_columns(two, "supplies"))
    assert [int(v) for _, v in rows["type"]] == [3]
    assert [int(v) for _, v in rows["level"]] == [40]
    assert calls == [("next", 2), ("next", 2), ("next", 1)]
    assert session.errors == []
