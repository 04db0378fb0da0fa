"""The address the change log stores for an action taken on a page (a Reflex event), on SQLite and PostgreSQL.

The event socket's peer is the client unless it is one of TRUSTED_PROXIES; only then does X-Forwarded-For name the
client. The handler runs on the app's real state tree with the headers and peer the socket would have carried.
"""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.models import EntityChangeLog
from printer_app.services.access import auth
from tests.integration.state_fixtures import run_handler
from tests.integration.test_access_matrix import app_db  # noqa: F401  (fixture)

PEER = "10.0.0.2"


def _save_organization(session: Session, name: str, *, forwarded_for: str) -> str | None:
    """Create an organization as a signed-in superuser whose socket came from PEER; the address the log stored."""
    from printer_app.state.inventory.organizations import OrganizationsState

    user = auth.create_local_user(
        session, username=name.split()[0].lower(), password="Client-address-2026", is_superuser=True
    )
    raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
    session.commit()
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": f"pi_session={auth.SessionCookie().sign(raw)}", "x-forwarded-for": forwarded_for}
    root.router = RouterData.from_router_data(
        {"headers": headers, "ip": PEER, "pathname": "/organizations", "asPath": "/organizations"}
    )
    state = root.get_substate(OrganizationsState.get_full_name().split("."))
    state.editing_id, state.name = 0, name
    run_handler(OrganizationsState.save, state)
    assert not state.errors, state.errors
    session.expire_all()
    entry = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_repr.contains(name))).one()
    return entry.ip_address


@pytest.mark.usefixtures("app_db")
def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _save_organization(session, "Direct Org", forwarded_for="203.0.113.9") == PEER

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()

    assert _save_organization(session, "Proxied Org", forwarded_for="198.51.100.1, 203.0.113.9") == "203.0.113.9"
