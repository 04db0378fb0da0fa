"""Display helpers shared by the page states: pager text and page count, printer id from the URL path."""

import pytest

from printer_app import i18n
from printer_app.services.inventory.printer_list import PrinterRow
from printer_app.state.view import page_count, printer_id_from_path, printer_view, range_text, supply_view


@pytest.mark.parametrize(("total", "size", "pages"), [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (1234, 25, 50)])
def test_page_count(total: int, size: int, pages: int) -> None:
    assert page_count(total, size) == pages


def test_range_text() -> None:
    assert range_text(0, 1, 50, 0, "No printers match") == "No printers match"
    assert range_text(120, 1, 50, 50, "-") == "1–50 of 120"
    assert range_text(120, 3, 50, 20, "-") == "101–120 of 120"


@pytest.mark.parametrize(
    ("path", "printer_id"),
    [
        ("/printers/17", 17),
        ("/printers/17/web", 17),
        ("/printers/17/", 17),
        ("/printers", 0),
        ("/printers/x", 0),
        ("/printers/2147483647", 2147483647),
        ("/printers/2147483648", 0),  # larger than any id column holds: no printer (not a database error)
        ("/printers/99999999999999999999/web", 0),
    ],
)
def test_printer_id_from_path(path: str, printer_id: int) -> None:
    assert printer_id_from_path(path) == printer_id


@pytest.mark.parametrize(
    ("value", "known", "label", "tone"),
    [
        ("75", True, "Black: 75%", "gray"),
        ("0", True, "Black: 0%", "gray"),
        ("ok", False, "Black: OK", "gray"),
        ("low", False, "Black: Low", "amber"),
        ("empty", False, "Black: Empty", "red"),
        ("error", False, "Black: Error", "red"),
        ("some_remaining", False, "Black: Some left", "gray"),
        ("unknown", False, "Black: Unknown", "gray"),
    ],
)
def test_supply_states_are_words_never_a_zero_bar(value: str, known: bool, label: str, tone: str) -> None:
    view = supply_view("black", value)
    assert (view.known, view.label, view.tone) == (known, label, tone)
    assert view.percent == (int(value) if known else 0)


def _row(**overrides) -> PrinterRow:
    data = {"id": 1, "organization": "", "ip_address": "10.0.0.1", "serial_number": "", "mac_address": "", "model": ""}
    data |= {"is_active": True, **dict.fromkeys(("total", "bw_a4", "color_a4", "bw_a3", "color_a3"))}
    return PrinterRow(**(data | overrides))


def test_printer_view_flags_no_page_counter_and_unverifiable_identity() -> None:
    view = printer_view(_row(no_counter=True, match_rule="NONE", toners={"black": "low"}))
    assert (view.no_counter, view.unverified, view.total, view.match_rule) == (
        True,
        True,
        "—",
        "Identity not verifiable",
    )
    assert [(s.label, s.tone) for s in view.supplies] == [("Black: Low", "amber")]
    view = printer_view(_row(total=12000, bw_a4=12000, match_rule="SN_MAC"))
    assert (view.no_counter, view.unverified, view.total) == (False, False, "12,000")  # English: 1,234,567


def test_supply_words_follow_the_language() -> None:
    with i18n.use_language("ru"):
        assert supply_view("black", "75").label == "Чёрный: 75%"
        assert supply_view("cyan", "some_remaining").label == "Голубой: Ещё есть"
        assert supply_view("yellow", "Replace cartridge").level == "Replace cartridge"  # a device's own word
    assert supply_view("black", "low").label == "Black: Low"
