"""Pure decoding helpers for the SNMP poller (no I/O, no pysnmp imports).

Everything here works on plain Python values (``bytes``, ``str``, ``int``) so it can be unit-tested
and reused by the DB pipeline / the GLPI XML import (``map_counters``, ``normalize_mac``, ``pick_mac``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

_HEX_PAIRS_LINE = re.compile(rb"^\s*(?:[0-9A-Fa-f]{2}\s+)*[0-9A-Fa-f]{2}\s*$")
_HEX_0X = re.compile(r"^0x((?:[0-9A-Fa-f]{2})+)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def _bytes_to_str(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _hexdump_lines_to_bytes(raw: bytes) -> bytes | None:
    """Undo the "snmpwalk Hex-STRING dump" some agents (HP JetDirect) store as the value itself.

    jetdirect_m880 answers prtMarkerSuppliesDescription with the bytes
    ``b"Black Cartridge \\n38 32 37 41 20 48 50 20 43 46 33 30 30 41 00 "``: a first line of raw text
    followed by lines of space-separated hex pairs (here "827A HP CF300A" + NUL). Returns the decoded
    bytes, or None when ``raw`` does not have that shape.
    """
    lines = raw.split(b"\n")
    if len(lines) < 2:
        return None
    tail = [line for line in lines[1:] if line.strip()]
    if not tail or not all(_HEX_PAIRS_LINE.match(line) for line in tail):
        return None
    head = lines[0]
    decoded = b"".join(bytes.fromhex(line.decode("ascii")) for line in tail)
    if _HEX_PAIRS_LINE.match(head) and len(head.split()) >= 2:
        head = bytes.fromhex(head.decode("ascii"))
    return head + decoded


def decode_text(value: bytes | bytearray | str | None, *, collapse_spaces: bool = True) -> str:
    """Decode an SNMP DisplayString/OctetString into clean text.

    Handles, in order: leading HP PML header bytes (``\\x01\\x15``), values that are a hex-dump
    (``"42 6C 61 ..."`` lines, jetdirect_m880), values sent as ``"0x4e6f..."`` text, C strings with a
    trailing NUL (everything after the first NUL is dropped), UTF-8 with latin-1 fallback, control
    characters and (unless ``collapse_spaces`` is False) repeated whitespace. Returns ``""`` for None.
    """
    if value is None:
        return ""
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    raw = raw.lstrip(bytes(range(0x20)))  # PML-encoded HP strings start with \x01\x15
    hexdump = _hexdump_lines_to_bytes(raw)
    if hexdump is not None:
        raw = hexdump
    elif _HEX_PAIRS_LINE.match(raw) and len(raw.split()) >= 4:
        candidate = bytes.fromhex(raw.decode("ascii"))
        if _mostly_printable(candidate):
            raw = candidate
    else:
        m = _HEX_0X.match(raw.strip().decode("latin-1"))
        if m:
            candidate = bytes.fromhex(m.group(1))
            if _mostly_printable(candidate):
                raw = candidate
    if b"\x00" in raw:
        raw = raw.split(b"\x00", 1)[0]
    text = _bytes_to_str(raw)
    text = _CONTROL.sub(" ", text)
    return (_SPACES.sub(" ", text) if collapse_spaces else text).strip()


def _mostly_printable(raw: bytes) -> bool:
    body = raw.rstrip(b"\x00")
    if not body:
        return False
    printable = sum(1 for b in body if 0x20 <= b < 0x7F or b >= 0xA0 or b in (0x09, 0x0A, 0x0D))
    return printable / len(body) >= 0.9


_JUNK_SERIALS = {"", "0", "none", "null", "unknown", "n/a", "na", "not available", "<private>", "-"}


def clean_serial(value: str | None) -> str | None:
    """Trimmed serial, or None for placeholders ("", "0", "unknown", all zeros, "<private>", ...)."""
    if value is None:
        return None
    text = decode_text(value).strip().strip(";,")
    if text.lower() in _JUNK_SERIALS or set(text) <= {"0", " "}:
        return None
    return text


def parse_device_id(value: str | None) -> dict[str, str]:
    """Parse an IEEE-1284 device ID ("MFG:HP;MDL:LaserJet M130;CLS:PRINTER;") into an upper-case dict."""
    out: dict[str, str] = {}
    for part in (value or "").split(";"):
        key, sep, val = part.partition(":")
        if sep and key.strip():
            out.setdefault(key.strip().upper(), val.strip())
    return out


# --------------------------------------------------------------------------------------------
# MAC (docs/inventory-and-polling.md §4.2)
# --------------------------------------------------------------------------------------------

_NON_HEX = re.compile(r"[^0-9A-Fa-f]")


def normalize_mac(value: bytes | bytearray | str | None) -> str | None:
    """docs/inventory-and-polling.md §4.2 normalisation: canonical ``AA:BB:CC:DD:EE:FF`` or None.

    ``bytes`` of length 6 are a raw ifPhysAddress; any other value is treated as text: strip every
    non-hex character, exactly 12 hex digits left → upper-case colon-separated, otherwise None.
    """
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        if len(raw) == 6:
            return ":".join(f"{b:02X}" for b in raw)
        value = raw.decode("latin-1")
    digits = _NON_HEX.sub("", value)
    if len(digits) != 12:
        return None
    digits = digits.upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_usable_mac(mac: str | None) -> bool:
    """A normalised MAC that identifies hardware (not 00:00:00:00:00:00 / FF:FF:FF:FF:FF:FF)."""
    return bool(mac) and mac not in ("00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF")


_WIRED_KEYWORDS = ("ethernet", "eth", "lan", "gigabit", "fast")


def pick_mac(ports: Iterable[Mapping[str, object]]) -> str | None:
    """docs/inventory-and-polling.md §4.2 extraction over ports ``{"ifDescr", "ifName", "mac"}`` (MAC raw or
    normalised).

    (1) first port whose ifDescr or ifName contains ethernet/eth/lan/gigabit/fast with a usable MAC;
    (2) else the first port with a usable MAC. (INFO/MAC of the XML import is the caller's step 2.)
    """
    candidates: list[tuple[str, str]] = []
    for port in ports:
        mac = normalize_mac(port.get("mac"))  # type: ignore[arg-type]
        if not is_usable_mac(mac):
            continue
        label = f"{port.get('ifDescr') or ''} {port.get('ifName') or ''}".lower()
        candidates.append((label, mac))  # type: ignore[arg-type]
    for label, mac in candidates:
        if any(k in label for k in _WIRED_KEYWORDS):
            return mac
    return candidates[0][1] if candidates else None


# --------------------------------------------------------------------------------------------
# Supplies
# --------------------------------------------------------------------------------------------

# Printer-MIB PrtMarkerSuppliesTypeTC (RFC 3805 / IANA-PRINTER-MIB). Verified on the recordings:
# jetdirect_m880 row 9 type 20 "Transfer Kit" (LibreNMS: transferUnit), rows 13-15 type 32 "Stapler",
# rows 1-4 type 21 tonerCartridge; ricoh_mpc3002 row 2 type 4 "Waste Toner".
SUPPLY_TYPE_KIND: dict[int, str] = {
    3: "toner",  # toner
    4: "waste",  # wasteToner
    5: "ink",  # ink
    6: "ink",  # inkCartridge
    7: "ink",  # inkRibbon
    8: "waste",  # wasteInk
    9: "drum",  # opc
    10: "developer",  # developer
    11: "fuser",  # fuserOil
    12: "ink",  # solidWax
    14: "waste",  # wasteWax
    15: "fuser",  # fuser
    17: "fuser",  # fuserOilWick
    19: "fuser",  # fuserCleaningPad
    20: "transfer",  # transferUnit
    21: "toner",  # tonerCartridge
    22: "fuser",  # fuserOiler
    24: "waste",  # wasteWater
    26: "waste",  # wastePaper
    29: "staples",  # stitchingWire
    32: "staples",  # staples
    35: "toner",  # matteToner
    36: "ink",  # matteInk
}

SUPPLY_KINDS = ("toner", "drum", "developer", "waste", "fuser", "transfer", "ink", "staples", "other")

# Order matters: "Waste Toner" is waste, "Drum Cartridge" is a drum, "Ink Cartridge" is ink.
_KIND_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("waste", re.compile(r"waste|resttoner|collector|used toner", re.I)),
    ("fuser", re.compile(r"fuser|fusing|fixing|heat roller", re.I)),
    ("transfer", re.compile(r"transfer|\bbelt\b|\bitb\b|\bitu\b", re.I)),
    ("drum", re.compile(r"drum|\bopc\b|photoconductor|imaging unit|image unit|photo ?receptor", re.I)),
    ("developer", re.compile(r"developer", re.I)),
    ("staples", re.compile(r"stapl", re.I)),
    ("ink", re.compile(r"\bink\b|\binks\b|tinte|encre", re.I)),
    ("toner", re.compile(r"toner|cartridge|cartouche|print cart", re.I)),
)


def supply_kind(type_code: int | None, description: str | None) -> str:
    """Kind of a prtMarkerSuppliesTable row: from prtMarkerSuppliesType, else description keywords.

    Keywords are used when the type column is missing (Canon, Xerox), other(1)/unknown(2), or a type
    this app has no kind for (e.g. cleanerUnit) — Samsung reports "Transfer Roller" as other(1).
    """
    kind = SUPPLY_TYPE_KIND.get(type_code) if type_code is not None else None
    if kind:
        return kind
    text = description or ""
    for name, pattern in _KIND_KEYWORDS:
        if pattern.search(text):
            return name
    return "other"


_COLOR_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("black", re.compile(r"black|schwarz|noir|negro|nero|\bblk\b|чёрн|черн", re.I)),
    ("cyan", re.compile(r"cyan|cian|голуб|циан", re.I)),
    ("magenta", re.compile(r"magenta|пурпур|маджент", re.I)),
    ("yellow", re.compile(r"yellow|gelb|jaune|amarillo|giallo|желт|жёлт", re.I)),
)


def color_from_text(text: str | None) -> str | None:
    """black/cyan/magenta/yellow from a colour name or description; "other" if several; else None."""
    found = [name for name, pattern in _COLOR_KEYWORDS if pattern.search(text or "")]
    if len(found) == 1:
        return found[0]
    return "other" if found else None


def supply_color(colorant_value: str | None, description: str | None) -> str | None:
    """Colour of a supply: prtMarkerColorantValue when the row has a colorant, else description keywords.

    A colorant that is not one of the four process colours (e.g. "red", "clear") gives "other";
    "unknown"/"none"/"" colorants fall back to the description.
    """
    value = (colorant_value or "").strip()
    if value and value.lower() not in ("unknown", "none", "n/a", "-"):
        return color_from_text(value) or "other"
    return color_from_text(description)


PRT_UNIT_PERCENT = 19  # PrtMarkerSuppliesSupplyUnitTC percent(19)
_SPECIAL_LEVEL_STATE = {-1: "other", -2: "unknown", -3: "some_remaining"}


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def supply_percent(level: int | None, max_capacity: int | None, unit: int | None = None) -> tuple[int | None, str]:
    """(percent 0-100 or None, state) for a supply row, keeping Printer-MIB special values distinct.

    - level -3 → (None, "some_remaining"), -2 → (None, "unknown"), -1 → (None, "other");
      other negative or missing levels → (None, "unknown"). Never 0 % for these.
    - level >= 0 and max > 0 → round(level * 100 / max) clamped to 0..100, "ok".
    - level 0 → 0 % whatever the max (an empty supply is empty in any unit).
    - max unknown (-1/-2 or not reported) and the unit percent(19) or not reported → the level is the percentage
      (Sharp and Brother report 0-100 this way; LibreNMS and the device's own panel read it so).
    - anything else (another unit with no usable max, a level over 100 without a percent unit) → (None, "unknown").
    """
    if level is None:
        return None, "unknown"
    if level < 0:
        return None, _SPECIAL_LEVEL_STATE.get(level, "unknown")
    if max_capacity is not None and max_capacity > 0:
        return max(0, min(100, _round_half_up(level * 100 / max_capacity))), "ok"
    if level == 0:
        return 0, "ok"
    max_unknown = max_capacity is None or max_capacity in (-1, -2)
    if max_unknown and (unit == PRT_UNIT_PERCENT or (unit is None and level <= 100)):
        return min(100, level), "ok"
    return None, "unknown"


# --------------------------------------------------------------------------------------------
# Counters (docs/inventory-and-polling.md §4.1)
# --------------------------------------------------------------------------------------------

COUNTER_NAMES_FOR_PRESENCE = ("TOTAL", "BW_A3", "BW_A4", "PRINT_A3", "PRINT_A4", "COLOR_A3", "COLOR_A4", "COLOR")
COLOR_COUNTER_NAMES = ("COLOR", "COLOR_A3", "COLOR_A4", "PRINT_COLOR", "COPY_COLOR")


def _first_int(raw: Mapping[str, object], *names: str) -> int:
    """First integer-parsable value among ``names`` (docs/inventory-and-polling.md §4.1: "first integer-parsable tag
    wins, else 0")."""
    for name in names:
        value = raw.get(name)
        if value is None or isinstance(value, bool):
            continue
        try:
            return int(str(value).strip())
        except ValueError:
            continue
    return 0


def has_counters(raw: Mapping[str, object]) -> bool:
    """docs/inventory-and-polling.md §3.7: at least one of TOTAL, BW_A3/A4, PRINT_A3/A4, COLOR_A3/A4, COLOR is
    present."""
    return any(raw.get(name) not in (None, "") for name in COUNTER_NAMES_FOR_PRESENCE)


def map_counters(raw: Mapping[str, object], is_color: bool) -> dict[str, int]:
    """docs/inventory-and-polling.md §4.1 mapping of raw page counters to the billing counters.

    ``raw`` holds GLPI PAGECOUNTERS names (TOTAL, BW_A4, BW_A3, PRINT_A4, PRINT_A3, COLOR_A4, COLOR_A3,
    COLOR, ...; extra names are ignored). Returns ints: total, bw_a4, bw_a3, color_a4, color_a3.
    A colour device reports everything as colour, a mono device everything as B/W.
    """
    bw_a3 = _first_int(raw, "BW_A3", "PRINT_A3")
    bw_a4 = _first_int(raw, "BW_A4", "PRINT_A4")
    c_a3 = _first_int(raw, "COLOR_A3")
    c_a4 = _first_int(raw, "COLOR_A4")
    gen = _first_int(raw, "COLOR")
    total = _first_int(raw, "TOTAL")

    def clamp(x: int) -> int:
        return min(x, total) if total > 0 else x

    out = {"total": total, "bw_a4": 0, "bw_a3": 0, "color_a4": 0, "color_a3": 0}
    if is_color:
        if c_a3 > 0 or c_a4 > 0:
            out["color_a3"] = clamp(c_a3 + bw_a3)
            out["color_a4"] = clamp(c_a4 + bw_a4)
        elif bw_a3 == 0 and gen > 0:
            out["color_a4"] = total
        elif bw_a3 == 0:
            out["color_a4"] = bw_a4 if bw_a4 else (total if total > 0 else 0)
        elif gen > 0:
            out["color_a3"] = clamp(bw_a3)
            out["color_a4"] = clamp(bw_a4)
        else:
            out["color_a3"] = bw_a3
            out["color_a4"] = bw_a4
    elif bw_a3 == 0:
        out["bw_a4"] = total
    else:
        out["bw_a3"] = bw_a3
        out["bw_a4"] = clamp(bw_a4)
    return out


def is_color_device(supply_colors: Iterable[str | None], raw_counters: Mapping[str, object]) -> bool:
    """Colour ⇔ a cyan/magenta/yellow supply, or any colour counter > 0."""
    if any(c in ("cyan", "magenta", "yellow") for c in supply_colors):
        return True
    return any(_first_int(raw_counters, name) > 0 for name in COLOR_COUNTER_NAMES)


# --------------------------------------------------------------------------------------------
# Model names
# --------------------------------------------------------------------------------------------

_VENDOR_PREFIX = re.compile(
    r"^(?:hewlett[- ]packard|hp|ricoh|canon|brother|epson|samsung|oki(?:\s*data)?|xerox|fuji\s*xerox|"
    r"konica\s*minolta|kyocera(?:\s*mita)?|lexmark|sharp|toshiba|dell|pantum|sindoh)\s+",
    re.I,
)
_SERIES_SUFFIX = re.compile(r"\s+series$", re.I)


def clean_model(value: str | None) -> str | None:
    """Model without the manufacturer prefix and " series" suffix ("Brother HL-5370DW series" → "HL-5370DW")."""
    text = decode_text(value)
    if not text:
        return None
    previous = None
    while previous != text:  # "HP Hewlett-Packard ..." happens
        previous = text
        text = _VENDOR_PREFIX.sub("", text).strip()
    text = _SERIES_SUFFIX.sub("", text).strip()
    return text or None
