"""Organizations: list with printer counts, add, rename, (de)activate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import Organization, Printer
from printer_app.services.audit import Actor, audit
from printer_app.services.concurrency import save_changes
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.validators import parse_id


@dataclass
class OrganizationRow:
    id: int
    name: str
    code: str
    active: bool
    printers: int
    active_printers: int


ORGANIZATION_SORTS = ("name", "code", "printers")


def list_organizations(
    session: Session, *, search: str = "", show: str = "all", sort: str = "name", descending: bool = False
) -> list[OrganizationRow]:
    """Every organization matching the search, with total and active printer counts."""
    total = func.count(Printer.id)
    query = (
        select(
            Organization,
            total.label("printers"),
            func.count(Printer.id).filter(Printer.is_active).label("active_printers"),
        )
        .outerjoin(Printer, Printer.organization_id == Organization.id)
        .group_by(Organization.id)
    )
    if search.strip():
        needle = search.strip().lower()  # autoescape: a typed "_" or "%" is a character, not a wildcard
        query = query.where(
            func.lower(Organization.name).contains(needle, autoescape=True)
            | func.lower(Organization.code).contains(needle, autoescape=True)
        )
    if show == "active":
        query = query.where(Organization.active)
    elif show == "inactive":
        query = query.where(Organization.active.is_(False))
    columns = dict(zip(ORGANIZATION_SORTS, (func.lower(Organization.name), Organization.code, total), strict=True))
    col = columns.get(sort, columns["name"])
    query = query.order_by(col.desc() if descending else col.asc(), Organization.id)
    return [
        OrganizationRow(id=o.id, name=o.name, code=o.code or "", active=o.active, printers=n, active_printers=a)
        for o, n, a in session.exec(query).all()
    ]


def active_organizations(session: Session) -> list[tuple[int, str]]:
    """The organizations a printer may be given, as (id, name) by name: the choices of the forms' selects."""
    return list(
        session.exec(
            select(Organization.id, Organization.name)
            .where(Organization.active)
            .order_by(func.lower(Organization.name))
        ).all()
    )


def _check_name(session: Session, name: str, *, org_id: int | None) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise DomainValidationError({"name": gettext("Name is required")})
    if len(clean) > 200:
        raise DomainValidationError({"name": gettext("Name is longer than 200 characters")})
    clash = session.exec(
        select(Organization).where(func.lower(Organization.name) == clean.lower(), Organization.id != (org_id or -1))
    ).first()
    if clash:
        raise DomainValidationError({"name": gettext("An organization named “{name}” already exists", name=clash.name)})
    return clean


def _check_code(code: str) -> str | None:
    clean = (code or "").strip()
    if len(clean) > 50:
        raise DomainValidationError({"code": gettext("Code is longer than 50 characters")})
    return clean or None


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise DomainValidationError({"name": gettext("An organization with this name already exists")}) from exc


def create_organization(session: Session, *, name: str, code: str = "", actor: Actor | None = None) -> Organization:
    org = Organization(name=_check_name(session, name, org_id=None), code=_check_code(code))
    session.add(org)
    _flush(session)
    audit(session, org, "create", actor)
    return org


def update_organization(
    session: Session,
    *,
    org_id: int,
    name: str,
    code: str = "",
    version: int | None = None,
    actor: Actor | None = None,
) -> Organization:
    """Rename; `version` is what the form loaded (a later change by someone else refuses the save)."""
    org = get_organization(session, org_id=org_id)
    values = {"name": _check_name(session, name, org_id=org.id), "code": _check_code(code)}
    save_changes(session, org, values, version=version, actor=actor, flush=_flush)
    return org


def set_organization_active(session: Session, *, org_id: int, active: bool, actor: Actor | None = None) -> Organization:
    """Inactive organizations cannot be chosen for printers and their printers are skipped by the schedule.

    Setting a state is idempotent, so it needs no version: a second click from a stale list changes nothing.
    """
    org = get_organization(session, org_id=org_id)
    save_changes(session, org, {"active": bool(active)}, version=None, actor=actor)
    return org


def get_organization(session: Session, *, org_id: int) -> Organization:
    ident = parse_id(org_id)
    org = session.get(Organization, ident) if ident is not None else None
    if org is None:
        raise NotFoundError(gettext("Organization #{id} does not exist", id=org_id))
    return org
