"""The profile page's state: create a token (shown once, stored hashed), list, revoke — only one's own tokens;
and the token then works (or no longer works) against the JSON API."""

from __future__ import annotations

from sqlmodel import Session, select
from starlette.testclient import TestClient

from printer_app.models import ApiToken
from printer_app.services.access.api_tokens import hash_secret
from printer_app.state.access.profile import ProfileState
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, tab  # noqa: F401


def test_create_show_once_list_and_revoke(app_db: str, session: Session) -> None:  # noqa: F811
    from printer_app.printer_app import api

    cookie = session_cookie(session, username="owner", groups=("Inventory — Viewer",))
    state = tab(ProfileState, cookie, "/profile")
    run_handler(ProfileState.load, state)
    assert state.access == "ok" and state.tokens == []
    run_handler(ProfileState.set_name, state, "   ")
    run_handler(ProfileState.create, state)
    assert "name" in state.errors and state.new_secret == ""
    run_handler(ProfileState.set_name, state, "billing script")
    run_handler(ProfileState.set_days, state, "30")
    run_handler(ProfileState.create, state)
    secret = state.new_secret
    assert secret.startswith("pi_") and state.errors == {} and state.name == ""
    session.expire_all()
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == hash_secret(secret) and secret not in (stored.token_hash, stored.prefix)
    assert stored.expires_at is not None and [t["name"] for t in state.tokens] == ["billing script"]
    assert state.tokens[0]["state"] == "active" and state.tokens[0]["prefix"].startswith(secret[:10])
    run_handler(ProfileState.dismiss_secret, state)
    assert state.new_secret == ""

    client = TestClient(api, base_url="http://localhost")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/printers", headers=headers).status_code == 200
    session.expire_all()
    assert session.get(ApiToken, stored.id).last_used_at is not None

    other = tab(ProfileState, session_cookie(session, username="other"), "/profile")
    run_handler(ProfileState.load, other)
    run_handler(ProfileState.revoke, other, str(stored.id))
    session.expire_all()
    assert session.get(ApiToken, stored.id).revoked_at is None, "another user cannot revoke it"
    run_handler(ProfileState.revoke, state, str(stored.id))
    assert state.tokens[0]["state"] == "revoked"
    assert client.get("/api/v1/printers", headers=headers).status_code == 401


def test_bad_expiry_and_anonymous_calls_change_nothing(app_db: str, session: Session) -> None:  # noqa: F811
    cookie = session_cookie(session, username="owner2")
    state = tab(ProfileState, cookie, "/profile")
    run_handler(ProfileState.set_name, state, "x")
    run_handler(ProfileState.set_days, state, "12")
    run_handler(ProfileState.create, state)
    assert "days" in state.errors and state.new_secret == ""
    nobody = tab(ProfileState, "", "/profile")
    nobody.name = "sneaky"
    answer = run_handler(ProfileState.create, nobody)
    assert "/auth/login" in repr(answer) and nobody.new_secret == ""
    session.expire_all()
    assert session.exec(select(ApiToken)).all() == []
