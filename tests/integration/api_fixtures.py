"""Shared setup of the JSON API tests: the app's own Starlette app in a TestClient, users per role with tokens.

`api_people` makes one user per role (plus "no groups" and "superuser") with a live personal token each, and the
special credentials of the matrix: a wrong token, a revoked one and an expired one (of the superuser).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from printer_app.models import MonthControl, MonthlyReport, Organization
from printer_app.services.access import api_tokens, auth
from printer_app.services.access.roles import bootstrap_roles, set_user_groups, user_permissions
from tests.factories import make_printer
from tests.integration.state_fixtures import app_db  # noqa: F401

PASSWORD = "Api-matrix-password-2026"
ROLES = (
    "Viewer",
    "Inventory — Viewer",
    "Inventory — Editor",
    "Inventory — Administrator",
    "Inventory operator",
    "Contracts — Administrator",
    "Monthly reports — Viewer",
    "Monthly reports — Visibility",
    "Monthly reports — Editors (end)",
    "Monthly reports — Reset auto-polling",
)


@dataclass
class Person:
    name: str
    user_id: int
    token: str
    perms: frozenset[str]
    superuser: bool = False
    cookie: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def holds(self, perms: list[str]) -> bool:
        return self.superuser or set(perms) <= self.perms


def _person(session: Session, name: str, index: int) -> Person:
    user = auth.create_local_user(session, username=f"api{index}", password=PASSWORD, is_superuser=name == "superuser")
    if name in ROLES:
        set_user_groups(session, user=user, group_names=[name], actor_id=None)
    _, secret = api_tokens.create_token(session, user_id=user.id, name="matrix", days=30)
    raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
    cookie = f"{auth.SESSION_COOKIE}={auth.SessionCookie().sign(raw)}"
    return Person(name, user.id, secret, frozenset(user_permissions(session, user)), name == "superuser", cookie)


@pytest.fixture(name="api_people")
def api_people_fixture(app_db: str, session: Session) -> dict[str, Person]:  # noqa: F811
    """Users per role with tokens; "wrong", "revoked", "expired" credentials; a printer and a published month."""
    from printer_app.api.v1 import ratelimit

    ratelimit.reset()
    bootstrap_roles(session)
    people = {name: _person(session, name, i) for i, name in enumerate([*ROLES, "no groups", "superuser"])}
    root = people["superuser"]
    people["anonymous"] = Person("anonymous", 0, "", frozenset())
    people["wrong"] = Person("wrong", 0, "pi_" + "x" * 40, frozenset())
    revoked, secret = api_tokens.create_token(session, user_id=root.user_id, name="revoked", days=0)
    api_tokens.revoke_token(session, user_id=root.user_id, token_id=revoked.id)
    people["revoked"] = Person("revoked", root.user_id, secret, frozenset())
    _, secret = api_tokens.create_token(
        session, user_id=root.user_id, name="expired", days=7, now=datetime.now(UTC) - timedelta(days=8)
    )
    people["expired"] = Person("expired", root.user_id, secret, frozenset())
    session.add(Organization(name="Api org"))
    make_printer(session, ip_address="127.31.0.1", serial_number="API1")
    session.add(
        MonthlyReport(month=date(2026, 10, 1), organization="Api org", serial_number="API1", a4_bw_end_auto=500)
    )
    session.add(MonthControl(month=date(2026, 10, 1), is_published=True, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
    session.add(MonthlyReport(month=date(2026, 9, 1), organization="Api org", serial_number="API1"))
    session.add(MonthControl(month=date(2026, 9, 1), is_published=False, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
    session.commit()
    return people


@pytest.fixture(name="client")
def client_fixture(api_people: dict[str, Person]) -> Iterator[TestClient]:
    from printer_app.printer_app import api

    yield TestClient(api, base_url="http://localhost")
