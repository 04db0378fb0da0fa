"""The users' language: message catalogues (gettext `.po`), the language of the current event, and locale formats.

Messages are written in English in the code and looked up by that text (the gettext convention translators know):
`gettext("Printers")`, `gettext("{n} of {total}", n=3, total=9)`, `ngettext("{n} printer", "{n} printers", n)`.
Text that is defined in one place and translated where it is shown is marked with `N_("...")`. The catalogues are
`printer_app/locale/<lang>/LC_MESSAGES/<domain>.po`, one domain per context (`make messages` extracts the messages
from the code and updates them; README "Languages"). English is the source language and needs no catalogue.

The language of the work in progress is a context variable: a page state sets it from the signed-in user's choice
before its handler runs (worker threads started with `asyncio.to_thread` inherit it), the sign-in page from its
cookie. Nothing here imports Reflex.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from gettext import c2py
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_group_symbol

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}  # code -> its own name, as the switch shows it
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("common", "inventory", "web", "access")

_current: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


def supported(lang: object) -> str | None:
    """`lang` when it is a language we have, else None (a forged cookie or event value)."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else None


def language() -> str:
    """The language of the current event or request."""
    return _current.get()


def set_language(lang: str) -> None:
    """Make `lang` the language of the rest of the current task (and of the worker threads it starts)."""
    _current.set(supported(lang) or SOURCE_LANGUAGE)


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    token = _current.set(supported(lang) or SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


class Catalogue:
    """One language's translations: singular messages and plural ones, with the language's plural rule."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages: dict[str, str] = {}
        self.ids: set[str] = set()  # every catalogued message, translated or not
        self.plurals: dict[str, tuple[str, ...]] = {}
        self.plural_index = c2py("(n != 1)")
        for domain in DOMAINS:
            path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
            if not path.exists():
                continue
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            self.plural_index = c2py(catalog.plural_expr)
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                self.ids.add(message.id[0] if isinstance(message.id, tuple) else message.id)
                if isinstance(message.id, tuple):
                    forms = tuple(message.string)
                    if all(forms):
                        self.plurals[message.id[0]] = forms
                elif message.string:
                    self.messages[message.id] = message.string

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(singular)
        if forms is None:
            return singular if n == 1 else plural
        return forms[min(self.plural_index(abs(int(n))), len(forms) - 1)]


@functools.cache
def catalogue(lang: str) -> Catalogue:
    return Catalogue(supported(lang) or SOURCE_LANGUAGE)


def gettext(message: str, /, **values: object) -> str:
    """`message` in the current language, with `{name}` placeholders filled from `values`."""
    text = catalogue(_current.get()).gettext(message)
    return text.format(**values) if values else text


_ = gettext


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The plural form for `n` in the current language (ru: 1 принтер, 2 принтера, 5 принтеров); fills `{n}`."""
    text = catalogue(_current.get()).ngettext(singular, plural, n)
    return text.format(n=format_number(n), **values)


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is defined; it is translated where it is shown."""
    return message


def browser_messages(lang: str) -> dict[str, str]:
    """What the pages look labels up in: every catalogued message in `lang` (English: each message itself)."""
    known = catalogue("ru").ids
    translated = catalogue(lang).messages if (supported(lang) or SOURCE_LANGUAGE) != SOURCE_LANGUAGE else {}
    return {m: translated.get(m, m) for m in known}


def catalogued(message: str) -> bool:
    """Is `message` in the catalogues (extracted from the code by `make messages`)?"""
    return message in catalogue("ru").ids


# --- formats ---------------------------------------------------------------------------------------------------

_DATE = {"en": "yyyy-MM-dd", "ru": "dd.MM.yyyy"}


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(supported(lang) or SOURCE_LANGUAGE)


@functools.cache
def _group_symbol(lang: str) -> str:
    return get_group_symbol(_locale(lang))


def format_number(value: int | float | None, lang: str | None = None) -> str:
    """1,234,567 (en) / 1 234 567 (ru, with a no-break space); "" for None.

    A whole number (every counter) takes the locale's group separator directly: a table page formats hundreds of
    them, and Babel's general formatter costs ~25 times as much (bench/formats.py).
    """
    if value is None:
        return ""
    lang = lang or _current.get()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", _group_symbol(lang))
    return format_decimal(value, locale=_locale(lang))


def format_date(value: date | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    lang = lang or _current.get()
    return babel_format_date(value, _DATE.get(lang, _DATE["en"]), locale=lang)


_PERIOD = {"day": "d MMM", "month": "LLL yyyy"}


def format_period(value: date, period: str, lang: str | None = None) -> str:
    """A chart's day or month label: "Mar 5" / "5 мар.", "Mar 2026" / "мар. 2026"."""
    return babel_format_date(value, _PERIOD[period], locale=_locale(lang or _current.get()))


def parse_date(text: str) -> date | None:
    """A date typed in either format the app shows: 05.12.2026 (Russian) or 2026-12-05 (English, ISO).

    None for an empty text; ValueError for anything else that is not a date.
    """
    text = text.strip()
    if not text:
        return None
    if "." in text:  # day.month.year, whatever the language (a filter typed before a language switch)
        parts = text.split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        raise ValueError(text)
    return date.fromisoformat(text)


def format_datetime(value: datetime | None, tz: ZoneInfo, lang: str | None = None) -> str:
    """A stored UTC time in the time zone `tz`: 2026-12-05 14:30 (en) / 05.12.2026 14:30 (ru); "" for None."""
    if value is None:
        return ""
    lang = lang or _current.get()
    local = value.astimezone(tz)
    return f"{format_date(local.date(), lang)} {babel_format_time(local, 'HH:mm', locale=lang)}"
