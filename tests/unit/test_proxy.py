"""Client address, scheme and origin behind reverse proxies, and the origin settings (no I/O)."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from printer_app.config import Settings
from printer_app.services.access.proxy import client_address, origin_of, resolve_client

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy: its header is the client's own claim
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "192.0.2.66, 198.51.100.1", "198.51.100.1"),  # the client's own entry on the left is ignored
        ("10.0.0.2", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1, junk, 10.0.0.9", "10.0.0.9"),
        ("fd00::1", "2001:db8::7", "2001:db8::7"),
        (None, "198.51.100.1", None),
    ],
)
def test_forwarded_for_counts_only_from_trusted_proxies(peer, forwarded_for, client) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == client


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://LocalHost:3000/path?q", "http://localhost:3000"),
        ("https://printers.example:443/", "https://printers.example"),
        ("http://printers.example:80", "http://printers.example"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("ftp://printers.example", None),
        ("", None),
        ("http://host:99999", None),
    ],
)
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_forwarded_scheme_and_host_count_only_from_trusted_proxies() -> None:
    headers = {"host": "app:8000", "x-forwarded-proto": "https", "x-forwarded-host": "printers.example"}

    proxied = resolve_client(peer="10.0.0.2", scheme="ws", headers=headers, proxies=PROXIES)
    direct = resolve_client(peer="203.0.113.5", scheme="ws", headers=headers, proxies=PROXIES)

    assert (proxied.https, proxied.origin) == (True, "https://printers.example")
    assert (direct.https, direct.origin) == (False, "http://app:8000")


def test_origin_settings_are_parsed_and_checked(tmp_path) -> None:
    settings = Settings(
        _env_file=None,
        DATA_DIR=tmp_path,
        APP_URL="https://Printers.Example/inventory",
        ALLOWED_ORIGINS=" http://localhost:3000 , https://printers.example ",
        TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1",
    )
    assert settings.origins == ("https://printers.example", "http://localhost:3000")
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "127.0.0.1/32"]
    with pytest.raises(ValidationError, match="APP_URL"):
        Settings(_env_file=None, APP_URL="printers.example")
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(_env_file=None, TRUSTED_PROXIES="the proxy")
