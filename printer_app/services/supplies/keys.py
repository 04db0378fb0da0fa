"""The identity of one supply within one printer, stable across polls.

SNMP polls carry the Printer-MIB index (prtMarkerSuppliesIndex), web polls usually do not; both carry a kind and
mostly a colour. Two supplies of one kind and colour (a toner and a second toner tray) are told apart by the index,
else by the description.
"""

from __future__ import annotations

import re

MAX_KEY = 120
_SPACES = re.compile(r"\s+")


def supply_key(kind: str, color: str | None, supply_index: int | None, description: str = "") -> str:
    """`toner:black:1`, `drum:-:4`, or `toner:black:d:black cartridge 12a` when there is no index."""
    head = f"{kind or 'other'}:{color or '-'}:"
    if supply_index is not None:
        return f"{head}{supply_index}"
    text = _SPACES.sub(" ", (description or "").strip().lower())
    return f"{head}d:{text}"[:MAX_KEY]


def kind_and_color(key: str) -> tuple[str, str]:
    """The kind and colour a supply key starts with ("" for no colour): for a supply no longer reported."""
    kind, _, rest = (key or "").partition(":")
    color = rest.partition(":")[0]
    return kind, "" if color == "-" else color
