"""`python -m printer_app messages`: extract the UI messages from the code into the catalogues, keeping translations.

One catalogue (gettext domain) per context: a message used by one context's modules lands in that context's
catalogue, one used by several (or by the shared modules) in `common`. Standard tools (Poedit, Weblate, Lokalize,
`msgfmt --check`) open the files: `printer_app/locale/<lang>/LC_MESSAGES/<domain>.po`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import typer
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po, write_po

from printer_app import i18n

KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "tf": None}
CODE = Path(i18n.__file__).resolve().parent
SKIP = ("cli",)  # operator commands stay in English
CREATED = datetime(2026, 11, 30, tzinfo=UTC)  # fixed, so that extracting again changes only what the code changed


def domain_of(path: Path) -> str:
    parts = path.relative_to(CODE).parts
    if parts[0] == "api":
        return "access"
    for part in parts[:-1]:
        if part in ("inventory", "polling", "snmp", "contracts", "reports"):
            return "inventory"
        if part in i18n.DOMAINS:
            return part
    return "common"


def extract() -> dict[str, dict[str | tuple[str, str], list[tuple[str, int]]]]:
    """Every message of the code by domain, with where it is used."""
    found: dict[str | tuple[str, str], dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(CODE.rglob("*.py")):
        if path.relative_to(CODE).parts[0] in SKIP:
            continue
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            key = message if isinstance(message, str) else tuple(message[:2])
            if key:
                found[key][domain_of(path)].append((str(path.relative_to(CODE.parent)), lineno))
    by_domain: dict[str, dict] = {d: {} for d in i18n.DOMAINS}
    for key, domains in found.items():
        domain = next(iter(domains)) if len(domains) == 1 else "common"
        by_domain[domain][key] = [place for places in domains.values() for place in places]
    return by_domain


def translations(lang: str) -> dict[str, str | tuple[str, ...]]:
    """What the catalogues of `lang` translate today, whichever domain holds a message."""
    known: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((i18n.LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.id and (all(message.string) if isinstance(message.id, tuple) else message.string):
                    known[message.id[0] if isinstance(message.id, tuple) else message.id] = message.string
    return known


def update_catalogues() -> list[str]:
    """Write the catalogues of every language but English; returns what each now holds and lacks."""
    report = []
    found = extract()
    for lang in i18n.LANGUAGES:
        if lang == i18n.SOURCE_LANGUAGE:
            continue
        known = translations(lang)  # from every domain: a message that moved to another catalogue keeps its text
        for domain, messages in found.items():
            path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
            new = Catalog(
                locale=lang,
                domain=domain,
                project="Printer Inventory",
                version="1",
                header_comment=f"# {i18n.LANGUAGES[lang]}: the {domain} messages of Printer Inventory (make messages)",
                creation_date=CREATED,
                revision_date=CREATED,
                last_translator="Printer Inventory developers",
                language_team=i18n.LANGUAGES[lang],
                fuzzy=False,
            )
            for key, places in sorted(messages.items(), key=lambda item: str(item[0])):
                blank = ("",) * new.num_plurals if isinstance(key, tuple) else ""
                new.add(key, known.get(key[0] if isinstance(key, tuple) else key, blank), locations=places)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, new, width=120, sort_output=True, include_lineno=False)
            missing = sum(1 for m in new if m.id and not (all(m.string) if isinstance(m.id, tuple) else m.string))
            report.append(f"{lang}/{domain}.po: {len(new)} messages, {missing} without a translation")
    return report


def messages() -> None:
    """Extract the UI messages from the code into the catalogues (translations kept); then translate what is new."""
    for line in update_catalogues():
        typer.echo(line)
