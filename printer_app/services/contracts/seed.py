"""The service providers every installation starts with (DOMAIN 9): "АМБ" (Okdesk) and "Tonex" (no tracker)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from printer_app.models import ServiceProvider
from printer_app.models.choices import IssueTracker
from printer_app.services.audit import audit

PROVIDERS = (
    {
        "code": "amb",
        "name": "АМБ",
        "issue_tracker": IssueTracker.OKDESK.value,
        "support_email": "servicedesk@amb.example",
    },
    {"code": "tonex", "name": "Tonex", "issue_tracker": IssueTracker.NONE.value, "support_email": ""},
)


def seed_service_providers(session: Session) -> int:
    """Create the providers missing (by code, or by name: a user may have made one); an existing one is left as its
    users edited it. Returns how many were created."""
    created = 0
    for values in PROVIDERS:
        same = (ServiceProvider.code == values["code"]) | (func.lower(ServiceProvider.name) == values["name"].lower())
        if session.exec(select(ServiceProvider).where(same)).first() is None:
            provider = ServiceProvider(**values)
            session.add(provider)
            session.flush()
            audit(session, provider, "create", None)
            created += 1
    return created
