"""Low-supply alert rules: validation of a rule form, list, create, update and delete, each in the change log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from printer_app.i18n import LANGUAGES, N_, gettext
from printer_app.models import Organization
from printer_app.models.choices import SupplyKind
from printer_app.models.supplies import SupplyAlert, SupplyAlertRule
from printer_app.services.audit import Actor, audit
from printer_app.services.concurrency import save_changes
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.supplies.alert_webhook import check_webhook_url
from printer_app.services.validators import parse_id, too_long

EMAIL_MODES = {"immediate": N_("Immediately"), "digest": N_("Daily digest"), "off": N_("No e-mail")}
RULE_SORTS = ("name", "organization", "below_percent", "empty_within_days", "alerts", "updated_at")
MAX_EMAILS = 50
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
_SEPARATORS = re.compile(r"[,;\s]+")
LABELS = {
    "name": N_("Name"),
    "organization_id": N_("Organization"),
    "kinds": N_("Supply kinds"),
    "below_percent": N_("Level below, %"),
    "empty_within_days": N_("Empty within, days"),
    "emails": N_("E-mail recipients"),
    "email_mode": N_("E-mail"),
    "language": N_("Language of the messages"),
    "webhook_url": N_("Webhook URL"),
    "in_app": N_("In the app"),
    "is_active": N_("Active"),
}


@dataclass
class RuleForm:
    """A rule as a form sends it: texts and flags, not yet checked."""

    name: str = ""
    organization_id: str = ""  # "" : every organization (a global rule)
    kinds: list[str] | None = None
    below_percent: str = ""
    empty_within_days: str = ""
    emails: str = ""
    email_mode: str = "immediate"
    language: str = "ru"
    webhook_url: str = ""
    webhook_secret: str = ""
    in_app: bool = True
    is_active: bool = True


@dataclass
class RuleRow:
    id: int
    name: str
    organization: str  # "" for a global rule
    kinds: list[str]
    below_percent: int | None
    empty_within_days: int | None
    emails: str
    email_mode: str
    language: str
    webhook_url: str
    in_app: bool
    is_active: bool
    alerts: int  # open alerts it raised
    updated_at: datetime


def parse_emails(text: str) -> list[str]:
    """The addresses of a recipients field (commas, semicolons, spaces or lines between them), each checked: a
    DomainValidationError names the first bad one."""
    addresses = [a for a in _SEPARATORS.split(text or "") if a]
    for address in addresses:
        if len(address) > 254 or not _EMAIL.match(address):
            raise DomainValidationError({"emails": gettext("“{address}” is not an e-mail address.", address=address)})
    if len(addresses) > MAX_EMAILS:
        raise DomainValidationError({"emails": gettext("At most {n} recipients.", n=MAX_EMAILS)})
    return list(dict.fromkeys(addresses))


def _whole(text: str, low: int, high: int, field: str, errors: dict[str, str]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,4}", text) or not low <= int(text) <= high:
        errors[field] = gettext("Enter a whole number from {low} to {high}.", low=low, high=high)
        return None
    return int(text)


def clean_rule(session: Session, form: RuleForm) -> dict:
    """The rule's column values from a form, or DomainValidationError with a message per bad field."""
    errors: dict[str, str] = {}
    name = (form.name or "").strip()
    if not name:
        errors["name"] = gettext("Enter a name.")
    elif problem := too_long(LABELS["name"], name, 120):
        errors["name"] = problem
    org_id = None
    if (form.organization_id or "").strip():
        org_id = parse_id(form.organization_id)
        if org_id is None or session.get(Organization, org_id) is None:
            errors["organization_id"] = gettext("This organization does not exist (any more).")
    kinds = [k for k in (form.kinds or []) if k]
    known = {k.value for k in SupplyKind}
    if unknown := [k for k in kinds if k not in known]:
        errors["kinds"] = gettext("Unknown supply kind “{kind}”.", kind=str(unknown[0])[:40])
    below = _whole(form.below_percent, 1, 100, "below_percent", errors)
    within = _whole(form.empty_within_days, 1, 365, "empty_within_days", errors)
    if below is None and within is None and not {"below_percent", "empty_within_days"} & errors.keys():
        errors["below_percent"] = gettext("Give a level, a number of days, or both.")
    try:
        emails = parse_emails(form.emails)
    except DomainValidationError as exc:
        errors.update(exc.errors)
        emails = []
    if form.email_mode not in EMAIL_MODES:
        errors["email_mode"] = gettext("Choose how e-mails are sent.")
    if form.language not in LANGUAGES:
        errors["language"] = gettext("Choose a language.")
    webhook = (form.webhook_url or "").strip()
    if webhook:
        try:
            webhook = check_webhook_url(webhook)
        except ValueError as exc:
            errors["webhook_url"] = str(exc)
    if problem := too_long(N_("Signing secret"), form.webhook_secret or "", 200):
        errors["webhook_secret"] = problem
    if errors:
        raise DomainValidationError(errors)
    return {
        "name": name,
        "organization_id": org_id,
        "kinds": ",".join(k for k in SupplyKind if k in kinds),
        "below_percent": below,
        "empty_within_days": within,
        "emails": ", ".join(emails),
        "email_mode": form.email_mode,
        "language": form.language,
        "webhook_url": webhook,
        "in_app": bool(form.in_app),
        "is_active": bool(form.is_active),
    }


def get_rule(session: Session, *, rule_id: int) -> SupplyAlertRule:
    rule = session.get(SupplyAlertRule, rule_id) if isinstance(rule_id, int) else None
    if rule is None:
        raise NotFoundError(gettext("This alert rule does not exist (any more)."))
    return rule


def create_rule(session: Session, *, form: RuleForm, actor: Actor | None = None) -> SupplyAlertRule:
    rule = SupplyAlertRule(**clean_rule(session, form), webhook_secret=(form.webhook_secret or "").strip())
    rule.created_by_id = actor.user_id if actor else None
    session.add(rule)
    session.flush()
    audit(session, rule, "create", actor)
    return rule


def update_rule(
    session: Session, *, rule_id: int, form: RuleForm, version: int | None, actor: Actor | None = None
) -> SupplyAlertRule:
    """Save a form over the rule; an empty secret keeps the stored one (the form never shows it)."""
    rule = get_rule(session, rule_id=rule_id)
    values = clean_rule(session, form)
    if (secret := (form.webhook_secret or "").strip()) and secret != rule.webhook_secret:
        values["webhook_secret"] = secret
    save_changes(session, rule, values, version=version, actor=actor, labels=LABELS)
    return rule


def delete_rule(session: Session, *, rule_id: int, actor: Actor | None = None) -> str:
    """Delete a rule with its alerts (they are only its findings); returns its name."""
    rule = get_rule(session, rule_id=rule_id)
    name = rule.name
    audit(session, rule, "delete", actor)
    session.delete(rule)
    session.flush()
    return name


def list_rules(session: Session, *, sort: str = "name", descending: bool = False) -> list[RuleRow]:
    open_alerts = (
        select(SupplyAlert.rule_id, func.count().label("n"))
        .where(SupplyAlert.cleared_at.is_(None))
        .group_by(SupplyAlert.rule_id)
        .subquery()
    )
    query = (
        select(SupplyAlertRule, Organization.name, func.coalesce(open_alerts.c.n, 0))
        .outerjoin(Organization, Organization.id == SupplyAlertRule.organization_id)
        .outerjoin(open_alerts, open_alerts.c.rule_id == SupplyAlertRule.id)
    )
    rows = [
        RuleRow(
            id=r.id,
            name=r.name,
            organization=org or "",
            kinds=[k for k in r.kinds.split(",") if k],
            below_percent=r.below_percent,
            empty_within_days=r.empty_within_days,
            emails=r.emails,
            email_mode=r.email_mode,
            language=r.language,
            webhook_url=r.webhook_url,
            in_app=r.in_app,
            is_active=r.is_active,
            alerts=n,
            updated_at=r.updated_at,
        )
        for r, org, n in session.exec(query).all()
    ]
    sort = sort if sort in RULE_SORTS else "name"

    def key(row: RuleRow):
        value = getattr(row, sort)
        return (value is None, value if not isinstance(value, str) else value.lower(), row.id)

    return sorted(rows, key=key, reverse=descending)
