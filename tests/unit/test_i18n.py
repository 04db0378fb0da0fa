"""The users' language: catalogues complete, plural forms, and dates and numbers by locale."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from printer_app import i18n
from printer_app.cli.messages import extract

IRKUTSK = ZoneInfo("Asia/Irkutsk")
NBSP = "\u00a0"


def test_every_message_of_the_code_has_a_russian_translation() -> None:
    """`make messages` extracts them; a message added to the code without a translation fails here."""
    russian = i18n.catalogue("ru")
    missing = [
        f"{domain}: {key!r} ({places[0][0]}:{places[0][1]})"
        for domain, messages in extract().items()
        for key, places in messages.items()
        if (key[0] not in russian.plurals if isinstance(key, tuple) else key not in russian.messages)
    ]
    assert not missing, f"{len(missing)} messages without a Russian translation (run `make messages`):\n" + "\n".join(
        missing[:40]
    )


def test_the_pages_get_every_catalogued_message_in_both_languages() -> None:
    english, russian = i18n.browser_messages("en"), i18n.browser_messages("ru")
    assert english.keys() == russian.keys() and english
    assert all(english[m] == m for m in english)
    assert russian["Printers"] == "Принтеры" and russian["Cancel"] == "Отмена"


def test_messages_follow_the_language_of_the_event_with_placeholders() -> None:
    with i18n.use_language("ru"):
        assert i18n.gettext("Page {page} of {count}", page=2, count=5) == "Страница 2 из 5"
    with i18n.use_language("en"):
        assert i18n.gettext("Page {page} of {count}", page=2, count=5) == "Page 2 of 5"
    with i18n.use_language("xx"):  # a forged language is the source language
        assert i18n.language() == "en"


@pytest.mark.parametrize(
    ("n", "russian", "english"),
    [
        (1, "1 принтер", "1 printer"),
        (2, "2 принтера", "2 printers"),
        (5, "5 принтеров", "5 printers"),
        (11, "11 принтеров", "11 printers"),
        (21, "21 принтер", "21 printers"),
        (22, "22 принтера", "22 printers"),
        (1234, f"1{NBSP}234 принтера", "1,234 printers"),
    ],
)
def test_plural_forms(n: int, russian: str, english: str) -> None:
    with i18n.use_language("ru"):
        assert i18n.ngettext("{n} printer", "{n} printers", n) == russian
    with i18n.use_language("en"):
        assert i18n.ngettext("{n} printer", "{n} printers", n) == english


def test_dates_times_and_numbers_by_locale_in_the_configured_zone() -> None:
    stored = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)  # 14:30 in Irkutsk (UTC+8)
    assert i18n.format_datetime(stored, IRKUTSK, "ru") == "05.12.2026 14:30"
    assert i18n.format_datetime(stored, IRKUTSK, "en") == "2026-12-05 14:30"
    assert i18n.format_date(date(2026, 1, 2), "ru") == "02.01.2026"
    assert i18n.format_number(1234567, "ru") == f"1{NBSP}234{NBSP}567"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(None, "ru") == "" and i18n.format_datetime(None, IRKUTSK) == ""


def test_every_page_builds_with_its_messages_catalogued() -> None:
    """Each page's component tree is built as the compiler builds it: a `t()` of a message the extraction cannot see
    (text in a constant without `N_`) fails here rather than when the frontend is compiled. In a process of its own:
    importing the app module here would fix its settings (sign-in keys) for every later test of the run."""
    build = (
        "from printer_app.printer_app import app\n"
        "pages = app._unevaluated_pages.values()\n"
        "[p.component() if callable(p.component) else p.component for p in pages]\n"
        "print(len(pages))\n"
    )
    result = subprocess.run([sys.executable, "-c", build], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) >= 20
