"""docs/access.md §11 usernames: the first non-empty of preferred_username, sub, email, name; lower-cased, "@"/"." →
"_"."""

from __future__ import annotations

import pytest

from printer_app.services.access.auth import derive_username, normalize_username


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"preferred_username": "Ivan.Petrov", "sub": "f81d4fae", "email": "x@y.z"}, "ivan_petrov"),
        ({"preferred_username": "", "sub": "F81D4FAE-7DEC", "email": "x@y.z"}, "f81d4fae-7dec"),
        ({"preferred_username": "   ", "sub": None, "email": "Ivan.Petrov@Corp.Example"}, "ivan_petrov_corp_example"),
        ({"name": "Ivan Petrov"}, "ivan petrov"),
        ({"preferred_username": "Иван.Петров"}, "иван_петров"),
        ({"preferred_username": 42, "sub": "abc"}, "abc"),
        ({}, ""),
    ],
)
def test_derive_username_takes_the_first_usable_claim(claims: dict, expected: str) -> None:
    assert derive_username(claims) == expected


def test_username_is_cut_at_150_characters() -> None:
    assert derive_username({"preferred_username": "A" * 200}) == "a" * 150


def test_normalize_username_matches_what_sso_derives() -> None:
    assert normalize_username(" John.Doe@Corp.Example ") == derive_username({"email": "john.doe@corp.example"})
