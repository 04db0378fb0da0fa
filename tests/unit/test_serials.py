"""The one serial comparison of contracts and printers: trimmed, ignoring case."""

from __future__ import annotations

import pytest
from sqlalchemy import column
from sqlalchemy.dialects import postgresql, sqlite

from printer_app.services.serials import same_serial, serial_key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("CNB1234567", "cnb1234567"),
        ("  Ab-12 ", "ab-12"),
        ("ab 12", "ab 12"),  # spaces inside are part of the serial
        ("\tCN-1\xa0\r\n", "cn-1"),  # tabs, line ends and no-break spaces around it are not
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_serial_key(value: str | None, key: str) -> None:
    assert serial_key(value) == key


def test_serials_differing_in_case_and_surrounding_spaces_share_a_key() -> None:
    assert serial_key(" xy-77 ") == serial_key("XY-77") != serial_key("XY-770")


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_same_serial_compares_the_trimmed_lower_cased_column_with_the_key(dialect) -> None:
    condition = same_serial(column("serial_number"), "  AB-12 ")
    compiled = condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    blanks = "' \t\r\n\xa0'"
    assert str(compiled) == f"lower(trim(serial_number, {blanks})) = lower(trim('  AB-12 ', {blanks}))"
