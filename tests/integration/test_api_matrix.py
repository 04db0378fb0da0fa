"""The role matrix over EVERY route of the JSON API, read from its own OpenAPI document.

For each operation: anonymous, a wrong token, a revoked token and an expired token get 401 (with
WWW-Authenticate); each role's token gets 403 when it lacks one of the permissions the operation names
(`x-permissions`, the same codenames as its page) and the success status otherwise; a refused write changes
nothing. The session cookie serves the browser the same way. Health is the one public route.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from printer_app.models import CounterChangeLog, EntityChangeLog, MonthlyReport, Printer
from tests.integration.api_fixtures import ROLES, Person, api_people_fixture, client_fixture  # noqa: F401
from tests.integration.state_fixtures import app_db  # noqa: F401  (api_people's)

_ips = itertools.count(10)
SUCCESS = {"get": 200, "post": 201, "put": 200, "patch": 200, "delete": 204}
_values = itertools.count(1000)
REFUSED = ("anonymous", "wrong", "revoked", "expired")


def _document(client: TestClient, people: dict[str, Person]) -> dict:
    response = client.get("/api/v1/openapi.json", headers=people["superuser"].headers)
    assert response.status_code == 200, response.text
    return response.json()


def _printer(session: Session) -> int:
    from tests.factories import make_printer

    printer = make_printer(session)
    session.commit()
    return printer.id


def _report_row(session: Session) -> int:
    return session.exec(select(MonthlyReport.id).where(MonthlyReport.month == date(2026, 10, 1))).one()


def _call(client: TestClient, session: Session, path: str, method: str, who: Person, existing: int):
    """One call of an operation with valid arguments; a DELETE gets a printer of its own."""
    target = _printer(session) if method == "delete" else existing
    url = "/api" + path.format(printer_id=target, task_id="1.abc", month="2026-10", row_id=_report_row(session))
    body = None
    if path.endswith("-counters"):  # a new value each time: a refused call must leave the stored one
        body = {"field": "a4_bw_start" if "start" in path else "a4_bw_end", "value": next(_values)}
    elif path.endswith("/reset"):
        body = {"field": "a4_bw_end"}
    elif method in ("post", "put") and not path.endswith("/poll"):
        body = {"ip_address": f"127.32.{next(_ips) // 250}.{next(_ips) % 250 + 1}", "serial_number": "M"}
    return client.request(method.upper(), url, headers=who.headers, json=body)


def _expected(method: str, path: str) -> int:
    if path.endswith("/reset"):
        return 200
    return 202 if path.endswith("/poll") else SUCCESS[method]


def _changes(session: Session) -> int:
    """Change-log lines of both kinds: entity changes and report counter changes."""
    session.expire_all()
    entities = session.exec(select(func.count()).select_from(EntityChangeLog)).one()
    return entities + session.exec(select(func.count()).select_from(CounterChangeLog)).one()


def test_every_route_answers_401_403_and_serves_the_allowed(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    existing = session.exec(select(Printer.id).where(Printer.serial_number == "API1")).one()
    document = _document(client, api_people)
    operations = [(p, m, op) for p, ops in document["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 12
    checked = 0
    for path, method, op in operations:
        perms = op.get("x-permissions")
        if path == "/health":
            assert perms is None
            continue
        assert perms, f"{method} {path} names no permission"
        for name in REFUSED:
            response = _call(client, session, path, method, api_people[name], existing)
            assert response.status_code == 401, (name, method, path, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 401
        for name in (*ROLES, "no groups", "superuser"):
            who = api_people[name]
            before = _changes(session)
            response = _call(client, session, path, method, who, existing)
            if who.holds(perms):
                assert response.status_code == _expected(method, path), (name, method, path, response.text)
            else:
                assert response.status_code == 403, (name, method, path, response.text)
                problem = response.json()
                assert problem["type"] == "/api/problems/forbidden" and problem["detail"].endswith(
                    tuple(p for p in perms if p not in who.perms)
                )
                if method != "delete":  # a delete's own printer was made (and logged) just before
                    assert _changes(session) == before, (name, method, path)
            checked += 1
    assert checked >= 11 * 10


def test_the_session_cookie_serves_the_browser(client: TestClient, api_people: dict[str, Person]) -> None:
    viewer = api_people["Inventory — Viewer"]
    assert client.get("/api/v1/printers", headers={"cookie": viewer.cookie}).status_code == 200
    refused = client.get("/api/v1/contract-devices", headers={"cookie": viewer.cookie})
    assert refused.status_code == 403
    expired = client.get("/api/v1/printers", headers={"cookie": "pi_session=forged"})
    assert expired.status_code == 401 and "error=" not in expired.headers["www-authenticate"]
    basic = client.get("/api/v1/printers", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and 'error="invalid_token"' in basic.headers["www-authenticate"]


def test_a_token_of_a_deactivated_user_is_refused(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    from printer_app.models import User

    viewer = api_people["Viewer"]
    assert client.get("/api/v1/printers", headers=viewer.headers).status_code == 200
    user = session.get(User, viewer.user_id)
    user.is_active = False
    session.commit()
    assert client.get("/api/v1/printers", headers=viewer.headers).status_code == 401


def test_health_is_public_and_names_its_parts(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code in (200, 503)
    body = response.json()
    assert body["database"] == "ok" and body["redis"] == "not configured" and body["mode"] == "embedded"
    assert (response.status_code == 200) == (body["workers"] > 0)


def test_unpublished_months_need_the_visibility_permission(client: TestClient, api_people: dict[str, Person]) -> None:
    viewer, manager = api_people["Monthly reports — Viewer"], api_people["Monthly reports — Visibility"]
    assert client.get("/api/v1/reports/2026-10/rows", headers=viewer.headers).status_code == 200
    hidden = client.get("/api/v1/reports/2026-09/rows", headers=viewer.headers)
    assert hidden.status_code == 404 and hidden.json()["type"] == "/api/problems/not-found"
    shown = client.get("/api/v1/reports/2026-09/rows", headers=manager.headers)
    assert shown.status_code == 200 and shown.json()["total"] == 1


@pytest.mark.parametrize("burst", [3])
def test_rate_limit_per_token(
    client: TestClient,
    api_people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
    burst: int,
) -> None:
    from printer_app.config import get_settings

    monkeypatch.setenv("API_RATE_BURST", str(burst))
    monkeypatch.setenv("API_RATE_PER_MINUTE", "1")
    get_settings.cache_clear()
    viewer, other = api_people["Viewer"], api_people["Inventory — Viewer"]
    answers = [client.get("/api/v1/printers", headers=viewer.headers) for _ in range(burst + 1)]
    assert [a.status_code for a in answers] == [200] * burst + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1 and answers[-1].json()["status"] == 429
    assert client.get("/api/v1/printers", headers=other.headers).status_code == 200, "another token's own bucket"


def test_rate_limit_bucket_in_redis_is_shared(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With REDIS_URL the bucket lives in Redis (what every backend worker sees): the burst, then a wait."""
    import secrets

    from printer_app.api.v1 import ratelimit
    from printer_app.config import get_settings

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("API_RATE_BURST", "2")
    monkeypatch.setenv("API_RATE_PER_MINUTE", "6")
    get_settings.cache_clear()
    try:
        key = f"test:{secrets.token_hex(6)}"
        ratelimit.reset()  # nothing in the process: only Redis can remember the spent requests
        assert [ratelimit.take(key), ratelimit.take(key)] == [0, 0]
        ratelimit.reset()
        assert 1 <= ratelimit.take(key) <= 10, "6 per minute: the next one in about 10 s"
    finally:
        get_settings.cache_clear()


def test_a_token_of_an_sso_user_off_the_whitelist_is_refused(
    client: TestClient, api_people: dict[str, Person], session: Session
) -> None:
    from printer_app.models import AllowedUser, User
    from printer_app.services.access import api_tokens
    from printer_app.services.access.roles import set_user_groups

    user = User(username="sso.person")  # signs in by SSO only: no password
    session.add(user)
    session.flush()
    set_user_groups(session, user=user, group_names=["Viewer"], actor_id=None)
    entry = AllowedUser(username="SSO.Person")
    session.add(entry)
    _, secret = api_tokens.create_token(session, user_id=user.id, name="sso", days=7)
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/printers", headers=headers).status_code == 200
    entry.is_active = False
    session.commit()
    refused = client.get("/api/v1/printers", headers=headers)
    assert refused.status_code == 401 and "whitelist" in refused.json()["detail"]
