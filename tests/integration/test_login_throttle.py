"""The local sign-in limiter through the real /auth endpoints, on SQLite and PostgreSQL.

Each attempt reserves its slot before the password is checked, so parallel requests cannot slip past the budget;
failures slow down one (account, address) pair and, with a larger budget, one address; they never block the
account's owner at their own address. X-Forwarded-For counts only when a trusted proxy sent it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from printer_app.config import Settings
from printer_app.models import LoginThrottle
from printer_app.services.access import auth
from printer_app.services.access.login_throttle import purge_login_throttle
from tests.integration.auth_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    MakeClient,
    form_token,
    local_sign_in,
    make_client_fixture,
    only_session,
)

WRONG = "wrong password!"
STRANGER, OWNER = "203.0.113.66", "198.51.100.10"


def _accounts(session: Session) -> None:
    auth.create_local_user(session, username="admin", password=PASSWORD, is_superuser=True)
    auth.create_local_user(session, username="viewer", password=PASSWORD)
    session.commit()


def _parallel_wrong_passwords(client: TestClient, username: str, count: int, **request) -> list:
    """`count` sign-ins with a wrong password at once, all carrying one valid form token (as a script would)."""
    form = {"csrf_token": form_token(client), "next": "/", "username": username, "password": WRONG}
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: client.post("/auth/login", data=form, **request), range(count)))


def _rows(session: Session) -> dict[str, LoginThrottle]:
    session.expire_all()
    return {row.key: row for row in session.exec(select(LoginThrottle)).all()}


def _time_passes(session: Session, delta: timedelta) -> None:
    """Move every stored sign-in failure `delta` into the past (instead of waiting for the delay)."""
    for row in _rows(session).values():
        row.last_failure_at -= delta
        row.blocked_until = row.blocked_until - delta if row.blocked_until else None
    session.commit()


def _waits(response, longest: int, shortest: int) -> None:
    """A 429 asking to wait the delay of the last failure less the time since (Retry-After and the message)."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert shortest <= seconds <= longest, seconds
    assert f"Too many failed sign-ins from this address; try again in {seconds} seconds." in response.text


def test_parallel_wrong_passwords_reach_the_password_check_at_most_budget_times(
    make_client: MakeClient, session: Session
) -> None:
    _accounts(session)
    client = make_client(peer=STRANGER)

    responses = _parallel_wrong_passwords(client, "admin", 100)

    codes = sorted(r.status_code for r in responses)
    assert codes.count(401) == 5, codes  # the budget: only these reached the password check
    assert codes.count(429) == 95, codes
    for refused in responses:
        if refused.status_code == 429:
            _waits(refused, 30, 1)  # 100 requests take a while: the later ones wait less
    rows = _rows(session)
    assert rows[f"account:admin|{STRANGER}"].failures == 5
    assert rows[f"address:{STRANGER}"].failures == 5


def test_owner_signs_in_at_their_own_address_after_a_strangers_100_failures(
    make_client: MakeClient, session: Session
) -> None:
    _accounts(session)
    stranger = make_client(peer=STRANGER)
    assert {r.status_code for r in _parallel_wrong_passwords(stranger, "admin", 100)} == {401, 429}

    owner = make_client(peer=OWNER)
    response = local_sign_in(owner, "admin", PASSWORD)

    assert response.status_code == 303, response.text
    assert owner.get("/auth/me").json()["username"] == "admin"
    assert only_session(session).ip_address == OWNER


def test_failures_slow_the_pair_down_with_a_growing_delay_and_success_resets_it(
    make_client: MakeClient, session: Session
) -> None:
    _accounts(session)
    client = make_client(peer=OWNER)
    for _ in range(5):
        assert local_sign_in(client, "admin", WRONG).status_code == 401
    _waits(local_sign_in(client, "admin", PASSWORD), 30, 25)

    _time_passes(session, timedelta(seconds=31))
    assert local_sign_in(client, "admin", WRONG).status_code == 401  # one more try after the delay...
    _waits(local_sign_in(client, "admin", PASSWORD), 60, 55)  # ...and the next delay doubles

    _time_passes(session, timedelta(seconds=61))
    assert local_sign_in(client, "admin", PASSWORD).status_code == 303
    rows = _rows(session)
    assert f"account:admin|{OWNER}" not in rows  # the pair starts afresh
    assert rows[f"address:{OWNER}"].failures == 6  # the address keeps its own count
    assert local_sign_in(make_client(peer=OWNER), "admin", WRONG).status_code == 401


def test_failures_are_forgotten_after_a_quiet_window(make_client: MakeClient, session: Session) -> None:
    _accounts(session)
    client = make_client(peer=OWNER)
    for _ in range(5):
        assert local_sign_in(client, "admin", WRONG).status_code == 401
    _time_passes(session, timedelta(minutes=15))

    for _ in range(5):
        assert local_sign_in(client, "admin", WRONG).status_code == 401
    assert _rows(session)[f"account:admin|{OWNER}"].failures == 5


def test_one_address_trying_many_accounts_is_slowed_but_not_other_addresses(
    make_client: MakeClient, session: Session
) -> None:
    _accounts(session)
    client = make_client(peer=STRANGER, LOGIN_FAILURES_PER_ADDRESS=3)
    for name in ("a", "b", "c"):
        assert local_sign_in(client, name, WRONG).status_code == 401

    assert local_sign_in(client, "viewer", PASSWORD).status_code == 429
    assert local_sign_in(make_client(peer=OWNER, LOGIN_FAILURES_PER_ADDRESS=3), "viewer", PASSWORD).status_code == 303


def test_x_forwarded_for_is_ignored_unless_a_trusted_proxy_sent_it(make_client: MakeClient, session: Session) -> None:
    _accounts(session)
    direct = make_client(peer=STRANGER)
    for n in range(5):  # a client inventing a new forwarded address for every try is still one address
        response = local_sign_in(direct, "admin", WRONG, headers={"X-Forwarded-For": f"192.0.2.{n}"})
        assert response.status_code == 401
    assert local_sign_in(direct, "admin", PASSWORD, headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429

    proxied = make_client(peer="10.0.0.2", TRUSTED_PROXIES="10.0.0.0/8")
    for _ in range(5):
        response = local_sign_in(proxied, "admin", WRONG, headers={"X-Forwarded-For": "192.0.2.7"})
        assert response.status_code == 401
    assert local_sign_in(proxied, "admin", PASSWORD, headers={"X-Forwarded-For": "192.0.2.7"}).status_code == 429
    # Another client behind the same proxy is not slowed; a spoofed hop left of the proxy's entry does not count.
    signed_in = local_sign_in(proxied, "admin", PASSWORD, headers={"X-Forwarded-For": "192.0.2.7, 192.0.2.8"})
    assert signed_in.status_code == 303, signed_in.text
    assert only_session(session).ip_address == "192.0.2.8"
    assert set(_rows(session)) >= {f"account:admin|{STRANGER}", "account:admin|192.0.2.7"}


def test_the_daily_cleanup_drops_keys_quiet_for_a_window(make_client: MakeClient, session: Session) -> None:
    _accounts(session)
    assert local_sign_in(make_client(peer=STRANGER), "admin", WRONG).status_code == 401
    _time_passes(session, timedelta(minutes=15, seconds=1))
    assert local_sign_in(make_client(peer=OWNER), "admin", WRONG).status_code == 401

    assert purge_login_throttle(session, settings=Settings(_env_file=None)) == 2
    session.commit()
    assert set(_rows(session)) == {f"account:admin|{OWNER}", f"address:{OWNER}"}
