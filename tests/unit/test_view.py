"""Display helpers shared by the page states: pager text and page count, printer id from the URL path."""

import pytest

from printer_app.state.view import page_count, printer_id_from_path, range_text


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
