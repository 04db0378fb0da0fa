"""Passwords, the signed session cookie, the post-sign-in redirect and the audit diff: no database involved."""

from __future__ import annotations

import pytest

from printer_app.api.auth import _safe_next
from printer_app.config import Settings
from printer_app.services.access.auth import (
    SESSION_COOKIE,
    SessionCookie,
    check_password_strength,
    hash_password,
    verify_password,
)
from printer_app.services.audit import diff, is_audited_field
from printer_app.services.errors import DomainValidationError


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(_env_file=None, DATA_DIR=tmp_path, SECRET_KEY="unit-test-secret-key-0123456789")


def test_argon2_hash_verifies_only_the_right_password(app_password_hasher) -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # argon2-cffi's defaults (RFC 9106 low-memory)
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_passwords_under_ten_characters_are_refused(password: str) -> None:
    with pytest.raises(DomainValidationError, match="at least 10"):
        check_password_strength(password)


def test_password_equal_to_username_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="differ"):
        check_password_strength("Administrator", username="administrator")
    check_password_strength("a long enough one", username="administrator")


def test_session_cookie_round_trips_and_rejects_tampering(settings: Settings) -> None:
    cookie = SessionCookie(settings)
    value = cookie.sign("raw-token")
    assert cookie.unsign(value) == "raw-token"
    # the signature's second-last character: the last one of base64 may carry only padding bits, which decode alike
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert cookie.unsign(tampered) is None
    assert cookie.unsign("raw-token") is None
    assert cookie.unsign(None) is None
    other_key = Settings(_env_file=None, DATA_DIR=settings.data_dir, SECRET_KEY="another-secret-key-0123456789")
    assert SessionCookie(other_key).unsign(value) is None


def test_session_cookie_older_than_its_lifetime_is_rejected(settings: Settings) -> None:
    cookie = SessionCookie(settings)
    value = cookie.sign("raw-token")
    cookie.max_age = -1  # as if the 7 days had passed
    assert cookie.unsign(value) is None


def test_token_is_read_from_a_cookie_header(settings: Settings) -> None:
    cookie = SessionCookie(settings)
    header = f"theme=dark; {SESSION_COOKIE}={cookie.sign('tok')}; other=1"
    assert cookie.token_from_header(header) == "tok"
    assert cookie.token_from_header("theme=dark") is None
    assert cookie.token_from_header("") is None


def test_secret_key_is_required_outside_embedded_mode(tmp_path) -> None:
    production = Settings(_env_file=None, DATA_DIR=tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        SessionCookie(production)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/printers?page=2", "/printers?page=2"),
        ("", "/"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("printers", "/"),
        ("/a\r\nSet-Cookie: x", "/"),
    ],
)
def test_only_same_site_paths_are_followed_after_sign_in(value: str, expected: str) -> None:
    assert _safe_next(value) == expected


def test_audit_ignores_ids_timestamps_and_secrets() -> None:
    for name in (
        "id",
        "created_at",
        "last_updated",
        "password_hash",
        "web_password",
        "snmp_v3_auth_key",
        "date_joined",
    ):
        assert not is_audited_field(name), name
    assert is_audited_field("ip_address") and is_audited_field("serial_number")


def test_diff_lists_changed_fields_with_labels() -> None:
    before = {"id": 1, "name": "Old", "code": "A", "password_hash": "x", "updated_at": "t1"}
    after = {"id": 1, "name": "New", "code": "A", "password_hash": "y", "updated_at": "t2", "active": False}
    assert diff(before, after, labels={"name": "Organization"}) == {
        "name": {"old": "Old", "new": "New", "label": "Organization"},
        "active": {"old": None, "new": False, "label": "Active"},
    }
