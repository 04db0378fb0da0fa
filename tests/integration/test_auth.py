"""Sign-in end to end: a real OIDC provider, the /auth endpoints on a Starlette app, sessions in the database.

Every test runs on SQLite and on PostgreSQL. The provider is the certified `oidc-provider` npm package on loopback
(tests/integration/oidc_fixtures.py); Starlette's TestClient plays the browser at the app.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import itsdangerous
import pytest
from sqlalchemy import update
from sqlmodel import Session, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from printer_app.api.auth import OIDC_STATE_COOKIE
from printer_app.cli.main import app as cli_app
from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models import (
    AllowedUser,
    EntityChangeLog,
    Group,
    GroupPermission,
    Organization,
    Permission,
    User,
    UserSession,
)
from printer_app.models.base import utcnow
from printer_app.services.access import auth
from printer_app.services.access import whitelist as allow_list
from printer_app.services.access.principal import principal_of
from printer_app.services.access.roles import (
    DEFAULT_GROUP,
    PERMISSIONS,
    ROLES,
    bootstrap_roles,
    set_user_groups,
    user_group_names,
    user_permissions,
)
from printer_app.services.audit import diff, record_change, snapshot
from printer_app.services.errors import DomainValidationError, NotFoundError
from tests.integration.auth_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    SECRET,
    MakeClient,
    cookie_attributes,
    local_fixture,
    local_sign_in,
    make_client_fixture,
    only_session,
)
from tests.integration.oidc_fixtures import APP_URL, POST_LOGOUT_URL, OidcProvider, oidc_provider_fixture  # noqa: F401


@pytest.fixture
def sso(make_client: MakeClient, oidc_provider: OidcProvider) -> TestClient:
    return make_client(oidc_provider)


def whitelist(session: Session, username: str, *groups: str) -> None:
    allow_list.save_allowed_user(session, username=username, initial_groups=list(groups))
    session.commit()


def start_sso(client: TestClient, next_url: str = "/printers") -> str:
    start = client.get("/auth/oidc/login", params={"next": next_url})
    assert start.status_code == 302, start.text
    request = parse_qs(urlsplit(start.headers["location"]).query)
    assert request["code_challenge_method"] == ["S256"] and request["code_challenge"]
    assert request["state"] and request["nonce"] and request["scope"] == ["openid profile email"]
    return start.headers["location"]


def sso_sign_in(client: TestClient, provider: OidcProvider, account: str, next_url: str = "/printers"):
    provider.forget_browser()
    back = provider.sign_in(start_sso(client, next_url), account)
    return client.get(back)


# --- OIDC ------------------------------------------------------------------------------------------------------


def test_whitelisted_user_signs_in_with_sso_and_gets_a_session_cookie(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice", "Inventory — Viewer")

    response = sso_sign_in(sso, oidc_provider, "alice")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/printers"
    attrs = cookie_attributes(response)
    assert "httponly" in attrs and "samesite=lax" in attrs and "max-age=604800" in attrs and "path=/" in attrs
    me = sso.get("/auth/me").json()
    assert me["username"] == "alice"
    assert me["email"] == "alice@example.test"
    assert me["groups"] == ["Inventory — Viewer"]
    assert "inventory.access_inventory_app" in me["permissions"]
    assert "inventory.add_printer" not in me["permissions"]
    row = only_session(session)
    assert row.auth_method == "oidc" and row.id_token and row.revoked_at is None
    assert row.expires_at - row.created_at == timedelta(days=7)
    user = session.exec(select(User).where(User.username == "alice")).one()
    assert user.full_name == "Alice Liddell" and user.password_hash is None
    log = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "user")).one()
    assert log.action == "create" and log.changes["username"]["new"] == "alice"


def test_new_sso_user_without_initial_groups_gets_the_default_viewer_group(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "carol")  # carol's provider profile has no preferred_username: the sub "carol" is used

    assert sso_sign_in(sso, oidc_provider, "carol").status_code == 303

    user = session.exec(select(User).where(User.username == "carol")).one()
    assert user_group_names(session, user.id) == ["Viewer"]


def test_user_not_on_the_whitelist_is_refused_and_a_known_one_deactivated(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    session.add(User(username="mallory"))
    session.add(AllowedUser(username="mallory", is_active=False))
    session.commit()

    response = sso_sign_in(sso, oidc_provider, "mallory")

    assert response.status_code == 403
    assert "not allowed" in response.text
    assert auth.SESSION_COOKIE not in response.cookies
    assert sso.get("/auth/me").status_code == 401
    session.expire_all()
    assert not session.exec(select(User).where(User.username == "mallory")).one().is_active
    assert not session.exec(select(UserSession)).all()


def test_callback_with_a_wrong_state_is_refused(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice")
    oidc_provider.forget_browser()
    back = oidc_provider.sign_in(start_sso(sso), "alice")
    query = parse_qs(urlsplit(back).query)
    forged = dict(query, state=["forged-state"])

    response = sso.get("/auth/oidc/callback?" + urlencode(forged, doseq=True))

    assert response.status_code == 400
    assert "does not match a request from this browser" in response.text
    other_browser = TestClient(sso.app, base_url=APP_URL, follow_redirects=False)
    assert other_browser.get(back).status_code == 400  # right state, but not this browser's
    assert sso.get("/auth/me").status_code == 401
    assert not session.exec(select(UserSession)).all()


def test_id_token_with_a_wrong_nonce_is_refused(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice")
    oidc_provider.forget_browser()
    back = oidc_provider.sign_in(start_sso(sso), "alice")
    _rewrite_stored_nonce(sso, "not-the-nonce-sent")

    response = sso.get(back)

    assert response.status_code == 400
    assert "could not be verified" in response.text
    assert "nonce" in response.text
    assert sso.get("/auth/me").status_code == 401


def test_sign_in_cancelled_at_the_provider_is_refused_with_its_reason(
    sso: TestClient,
    oidc_provider: OidcProvider,
) -> None:
    oidc_provider.forget_browser()
    interaction = oidc_provider.browser.get(start_sso(sso)).headers["location"]
    aborted = oidc_provider.browser.get(urljoin(oidc_provider.issuer, interaction.rstrip("/") + "/abort"))
    back = oidc_provider.sign_in(urljoin(oidc_provider.issuer, aborted.headers["location"]), "alice")

    response = sso.get(back)

    assert response.status_code == 400
    assert "End-User aborted interaction" in response.text


def _rewrite_stored_nonce(client: TestClient, nonce: str) -> None:
    """Change the nonce authlib keeps in the signed state cookie, re-signing it as the app would."""
    (cookie,) = [c for c in client.cookies.jar if c.name == OIDC_STATE_COOKIE]
    signer = itsdangerous.TimestampSigner(SECRET)
    data = json.loads(base64.b64decode(signer.unsign(cookie.value)))
    (key,) = [k for k in data if k.startswith("_state_oidc_")]
    assert data[key]["data"]["nonce"]
    data[key]["data"]["nonce"] = nonce
    cookie.value = signer.sign(base64.b64encode(json.dumps(data).encode())).decode()


def test_removing_a_user_from_the_whitelist_ends_their_open_session(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice")
    assert sso_sign_in(sso, oidc_provider, "alice").status_code == 303
    assert sso.get("/auth/me").status_code == 200

    allow_list.remove_allowed_user(session, username="alice")
    session.commit()

    assert sso.get("/auth/me").status_code == 401
    assert only_session(session).revoked_at is not None
    assert sso_sign_in(sso, oidc_provider, "alice").status_code == 403


def test_whitelist_is_checked_on_every_request_not_only_at_sign_in(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice")
    assert sso_sign_in(sso, oidc_provider, "alice").status_code == 303
    # Flipped behind the services' back (e.g. by another app instance's admin): the next request notices.
    session.exec(update(AllowedUser).values(is_active=False))
    session.commit()

    assert sso.get("/auth/me").status_code == 401
    assert only_session(session).revoked_at is not None


def test_staff_keep_their_sso_session_when_delisted(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice")
    assert sso_sign_in(sso, oidc_provider, "alice").status_code == 303
    session.exec(update(User).values(is_staff=True))
    session.exec(update(AllowedUser).values(is_active=False))
    session.commit()

    assert sso.get("/auth/me").status_code == 200


def test_sso_logout_ends_the_local_and_the_provider_session(
    sso: TestClient,
    oidc_provider: OidcProvider,
    session: Session,
) -> None:
    whitelist(session, "alice")
    assert sso_sign_in(sso, oidc_provider, "alice").status_code == 303
    signed_in_cookie = sso.cookies.get(auth.SESSION_COOKIE)

    response = sso.post("/auth/logout")

    assert response.status_code == 303
    end_session = urlsplit(response.headers["location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == oidc_provider.issuer
    params = parse_qs(end_session.query)
    assert params["id_token_hint"] == [only_session(session).id_token]
    assert params["post_logout_redirect_uri"] == [POST_LOGOUT_URL]
    assert only_session(session).revoked_at is not None
    assert sso.get("/auth/me", cookies={auth.SESSION_COOKIE: signed_in_cookie}).status_code == 401
    assert oidc_provider.confirm_logout(response.headers["location"]).startswith(POST_LOGOUT_URL)
    # The provider forgot alice: signing in again asks for her login instead of returning at once.
    oidc_provider.sign_in(start_sso(sso), "alice")
    assert "login" in oidc_provider.prompts


# --- sessions --------------------------------------------------------------------------------------------------


def test_tampered_session_cookie_signs_out(local: TestClient) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303
    value = local.cookies.get(auth.SESSION_COOKIE)
    assert local.get("/auth/me").status_code == 200
    tampered = value[:-2] + ("xx" if not value.endswith("xx") else "yy")

    assert local.get("/auth/me", cookies={auth.SESSION_COOKIE: tampered}).status_code == 401
    unsigned = itsdangerous.URLSafeTimedSerializer(SECRET, salt="pi-session").loads(value)
    assert local.get("/auth/me", cookies={auth.SESSION_COOKIE: unsigned}).status_code == 401


def test_expired_session_signs_out_and_is_revoked(local: TestClient, session: Session) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303
    session.exec(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()

    response = local.get("/auth/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert only_session(session).revoked_at is not None


def test_deactivated_user_is_signed_out(local: TestClient, session: Session) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303
    session.exec(update(User).values(is_active=False))
    session.commit()

    assert local.get("/auth/me").status_code == 401


# --- local sign-in ---------------------------------------------------------------------------------------------


def test_login_page_offers_sso_and_the_local_form(sso: TestClient, make_client: MakeClient) -> None:
    page = sso.get("/auth/login", params={"next": "/organizations"})
    assert page.status_code == 200
    assert "Sign in with SSO" in page.text and "/auth/oidc/login?next=%2Forganizations" in page.text
    assert 'name="password"' in page.text
    local_only = make_client().get("/auth/login")
    assert "Sign in with SSO" not in local_only.text and 'name="password"' in local_only.text


def test_local_sign_in_with_the_right_password(local: TestClient, session: Session) -> None:
    response = local_sign_in(local, "Admin", PASSWORD, next_url="/printers")

    assert response.status_code == 303
    assert response.headers["location"] == "/printers"
    assert "httponly" in cookie_attributes(response)
    me = local.get("/auth/me").json()
    assert me["username"] == "admin" and me["is_superuser"]
    assert "access.manage_users" in me["permissions"]
    assert only_session(session).auth_method == "local"


def test_local_sign_in_with_a_wrong_password_is_refused(local: TestClient) -> None:
    response = local_sign_in(local, "admin", "wrong password!")

    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert auth.SESSION_COOKIE not in response.cookies
    assert local_sign_in(local, "nobody", PASSWORD).status_code == 401


def test_local_sign_in_needs_the_form_token(local: TestClient) -> None:
    local.get("/auth/login")
    form = {"username": "admin", "password": PASSWORD, "csrf_token": "forged"}

    assert local.post("/auth/login", data=form).status_code == 403
    assert local.get("/auth/me").status_code == 401


def test_local_logout_ends_the_session(local: TestClient, session: Session) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303
    signed_in_cookie = local.cookies.get(auth.SESSION_COOKIE)

    response = local.post("/auth/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login"
    assert local.get("/auth/me").status_code == 401
    assert local.get("/auth/me", cookies={auth.SESSION_COOKIE: signed_in_cookie}).status_code == 401
    assert only_session(session).revoked_at is not None


def test_api_guard_answers_401_403_and_200(local: TestClient, session: Session) -> None:
    assert local.get("/api/guarded").status_code == 401
    assert local_sign_in(local, "viewer", PASSWORD).status_code == 303
    assert local.get("/api/guarded").status_code == 403
    local.post("/auth/logout")
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303
    assert local.get("/api/guarded").json() == {"user": "admin"}


# --- roles, permissions, audit, whitelist services -------------------------------------------------------------


def test_bootstrap_roles_is_idempotent_and_restores_the_catalogue(session: Session) -> None:
    first = bootstrap_roles(session)
    assert first.groups_created == len(ROLES) and first.permissions_created == len(PERMISSIONS)
    viewer = session.exec(select(Group).where(Group.name == DEFAULT_GROUP)).one()
    stray = session.exec(select(Permission).where(Permission.codename == "manage_users")).one()
    session.add(GroupPermission(group_id=viewer.id, permission_id=stray.id))
    session.flush()

    again = bootstrap_roles(session)

    assert (again.permissions_created, again.groups_created, again.grants_added) == (0, 0, 0)
    assert again.grants_removed == 1
    assert viewer.label_ru == "Наблюдатель"


def test_permissions_come_from_groups_and_a_superuser_holds_all(session: Session) -> None:
    bootstrap_roles(session)
    viewer = auth.create_local_user(session, username="v", password=PASSWORD)
    admin = auth.create_local_user(session, username="root", password=PASSWORD, is_superuser=True)
    nobody = auth.create_local_user(session, username="n", password=PASSWORD)
    set_user_groups(
        session, user=viewer, group_names=["Инвентаризация — Просмотр", "Dashboard — Viewer"], actor_id=None
    )

    perms = user_permissions(session, viewer)

    assert "inventory.view_printer" in perms and "dashboard.access_dashboard_app" in perms
    as_viewer, as_admin = principal_of(session, viewer), principal_of(session, admin)
    assert not as_viewer.can("inventory.change_printer") and as_viewer.can("inventory.view_printer")
    assert as_viewer.missing("inventory.view_printer", "inventory.run_inventory") == ["inventory.run_inventory"]
    assert user_permissions(session, admin) >= set(PERMISSIONS)
    assert as_admin.can("monthly_report.override_auto_lock") and as_admin.missing(*PERMISSIONS) == []
    assert user_permissions(session, nobody) == set() and principal_of(session, None) is None
    viewer.is_active = False
    assert user_permissions(session, viewer) == set() and principal_of(session, viewer) is None


def test_group_changes_are_audited_with_who_and_what(session: Session) -> None:
    bootstrap_roles(session)
    admin = auth.create_local_user(session, username="root", password=PASSWORD, is_superuser=True)
    user = auth.create_local_user(session, username="u", password=PASSWORD, actor_id=admin.id)

    set_user_groups(session, user=user, group_names=["Viewer"], actor_id=admin.id, ip="10.0.0.5", user_agent="UA")
    set_user_groups(session, user=user, group_names=["Viewer"], actor_id=admin.id)  # no change, no row

    logs = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_id == user.id)).all()
    created, updated = sorted(logs, key=lambda e: e.id)
    assert created.action == "create" and created.user_id == admin.id
    assert "password_hash" not in created.changes and "id" not in created.changes
    assert updated.changes == {"groups": {"old": [], "new": ["Viewer"], "label": "Groups"}}
    assert (updated.user_id, updated.ip_address, updated.user_agent, updated.object_repr) == (
        admin.id,
        "10.0.0.5",
        "UA",
        "User u",
    )


def test_record_change_for_update_and_delete(session: Session) -> None:
    org = Organization(name="Clinic", code="C1")
    session.add(org)
    session.flush()
    before = snapshot(org)
    org.name, org.updated_at = "Clinic No. 2", utcnow()

    update_row = record_change(session, obj=org, action="update", user_id=None, changes=diff(before, snapshot(org)))
    nothing = record_change(session, obj=org, action="update", user_id=None, changes=diff(before, before))
    delete_row = record_change(session, obj=org, action="delete", user_id=None)

    assert update_row.changes == {"name": {"old": "Clinic", "new": "Clinic No. 2", "label": "Name"}}
    assert nothing is None
    assert delete_row.changes["code"] == {"old": "C1", "new": None, "label": "Code"}
    assert update_row.object_type == "organization" and update_row.object_repr == "Organization Clinic No. 2"


def test_whitelist_csv_import_adds_updates_and_is_all_or_nothing(session: Session) -> None:
    bootstrap_roles(session)
    whitelist(session, "carol")
    good = (
        "\ufeffusername,email,full_name,groups\nIvan.Petrov,ivan@x,Ivan Petrov,Viewer;API документация\ncarol,c@x,,\n"
    )

    result = allow_list.import_allowed_users_csv(session, good)

    assert (result.created, result.updated) == (1, 1)
    ivan = session.exec(select(AllowedUser).where(AllowedUser.username == "ivan_petrov")).one()
    assert ivan.initial_groups == ["API documentation", "Viewer"]
    assert session.exec(select(AllowedUser).where(AllowedUser.username == "carol")).one().email == "c@x"
    session.commit()
    with pytest.raises(DomainValidationError, match="line 3"):
        allow_list.import_allowed_users_csv(session, "username,groups\nzed,\n,Viewer\nyan,No such group\n")
    session.rollback()
    assert session.exec(select(AllowedUser).where(AllowedUser.username == "zed")).first() is None


def test_reactivating_a_whitelist_entry_reenables_the_deactivated_account(session: Session) -> None:
    whitelist(session, "mallory")
    user = User(username="mallory", is_active=False)
    session.add(user)
    allow_list.set_allowed_user_active(session, username="mallory", active=False)
    allow_list.set_allowed_user_active(session, username="Mallory", active=True)
    assert user.is_active
    with pytest.raises(NotFoundError):
        allow_list.set_allowed_user_active(session, username="nobody", active=True)


@pytest.fixture
def cli(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:
    """Run `python -m printer_app ...` in-process against the test database (settings and engine re-read)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    runner = CliRunner()
    yield lambda *args, stdin=None: runner.invoke(cli_app, list(args), input=stdin)
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_access_cli_commands(cli: Callable, tmp_path) -> None:
    csv_file = tmp_path / "whitelist.csv"
    csv_file.write_text("username,email,full_name,groups\nbob,bob@x,Bob,Viewer\n", encoding="utf-8")

    assert "25 groups created" in cli("roles", "bootstrap").stdout
    weak = cli("users", "create-admin", "--password-stdin", stdin="short\n")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.stderr
    made = cli("users", "create-admin", "--username", "Root", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0 and "Superuser 'root' created." in made.stdout, made.output
    assert cli("whitelist", "add", "alice", "-g", "Инвентаризация — Просмотр").exit_code == 0
    assert cli("whitelist", "import-csv", str(csv_file)).stdout.strip() == "Whitelist import: 1 added, 0 updated."
    assert cli("whitelist", "deactivate", "bob").exit_code == 0
    listing = cli("whitelist", "list").stdout.splitlines()
    assert listing == ["alice\tactive\t\t\tInventory — Viewer", "bob\tinactive\tbob@x\tBob\tViewer"]
    assert cli("whitelist", "remove", "nobody").exit_code == 1
    assert "root\tsuperuser local password" in cli("users", "list").stdout
