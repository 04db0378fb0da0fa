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


def test_a_failed_row_tells_the_age_of_its_last_good_data_in_the_users_language() -> None:
    from datetime import UTC, datetime, timedelta

    from printer_app.state.view import last_ok

    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with i18n.use_language("en"):
        assert last_ok(now - timedelta(days=3), now) == "last OK 3 days ago"
        assert last_ok(now - timedelta(hours=1), now) == "last OK 1 hour ago"
        assert last_ok(None, now) == "never OK"
    with i18n.use_language("ru"):
        assert last_ok(now - timedelta(days=3), now) == "успешно 3 дня назад"
        assert last_ok(now - timedelta(days=5), now) == "успешно 5 дней назад"


def test_printer_view_shows_an_em_dash_for_no_value_and_the_lowest_supply() -> None:
    base = dict(
        id=1, organization="", ip_address="10.0.0.1", serial_number="", mac_address="", model="", is_active=True,
        total=None, bw_a4=None, color_a4=None, bw_a3=None, color_a3=None,
    )  # fmt: skip
    with i18n.use_language("en"):
        never = printer_view(PrinterRow(**base))
        assert (never.organization, never.serial_number, never.total, never.last_poll, never.lowest_supply) == (
            "—",
            "—",
            "—",
            "—",
            "—",
        )
        assert never.last_ok == ""  # never polled: nothing failed
        failed = printer_view(PrinterRow(**base, status="FAILED", lowest_supply=4, lowest_supply_name="Drum"))
        assert (failed.status_label, failed.status_tone, failed.last_ok) == ("Failed", "red", "never OK")
        assert (failed.lowest_supply, failed.lowest_supply_name, failed.lowest_tone) == ("4%", "Drum", "red")
