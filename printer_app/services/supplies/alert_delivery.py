"""Delivering raised alerts by e-mail and webhook: right after they are raised, or in the daily digest.

Runs in a worker (workers/alert_actors.py), never inside a poll. Each alert is e-mailed once (`emailed_at`) and
posted once (`webhook_at`); a failure is recorded in the alert's `delivery_error` and not retried on its own (no
storm against a broken mail server): an immediate mail that failed is not sent again, a digest tries the alerts it
could not send again the next day. A cleared alert (its cartridge was replaced meanwhile) is not sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

from sqlmodel import Session, func, select

from printer_app.config import get_settings
from printer_app.i18n import use_language
from printer_app.models import DeviceModel, Organization, Printer
from printer_app.models.supplies import SupplyAlert, SupplyAlertRule, SupplyForecast
from printer_app.services.supplies import alert_mail
from printer_app.services.supplies.alert_mail import AlertDetail, printer_label, supply_label
from printer_app.services.supplies.alert_rules import parse_emails
from printer_app.services.supplies.alert_webhook import WebhookError, post_webhook
from printer_app.services.supplies.keys import kind_and_color

log = logging.getLogger(__name__)
MAX_ERROR = 2000


def _details(session: Session, alerts: list[SupplyAlert], rule: SupplyAlertRule) -> list[AlertDetail]:
    if not alerts:
        return []
    query = (
        select(
            SupplyAlert.id,
            Printer.ip_address,
            func.coalesce(DeviceModel.name, Printer.model),
            Organization.name,
            SupplyForecast.kind,
            SupplyForecast.color,
            SupplyForecast.description,
            SupplyForecast.state,
        )
        .join(Printer, Printer.id == SupplyAlert.printer_id)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(
            SupplyForecast,
            (SupplyForecast.printer_id == SupplyAlert.printer_id)
            & (SupplyForecast.supply_key == SupplyAlert.supply_key),
        )
        .where(SupplyAlert.id.in_([a.id for a in alerts]))
    )
    extra = {row[0]: row[1:] for row in session.exec(query).all()}
    details = []
    for alert in sorted(alerts, key=lambda a: a.id):
        ip, model, org, kind, color, description, state = extra[alert.id]
        key_kind, key_color = kind_and_color(alert.supply_key)
        threshold = rule.below_percent if alert.reason == "below_percent" else rule.empty_within_days
        details.append(
            AlertDetail(
                id=alert.id,
                printer_id=alert.printer_id,
                ip=ip,
                model=model or "",
                organization=org or "",
                kind=kind or key_kind,
                color=color or key_color,
                description=description or "",
                reason=alert.reason,
                threshold=threshold,
                level_percent=alert.level_percent,
                state=state or "",
                days_to_empty=alert.days_to_empty,
                created_at=alert.created_at,
                lifetime_started_at=alert.lifetime_started_at,
            )
        )
    return details


def _record_error(alerts: list[SupplyAlert], error: str) -> None:
    for alert in alerts:
        alert.delivery_error = ((alert.delivery_error + "\n") if alert.delivery_error else "") + error
        alert.delivery_error = alert.delivery_error[-MAX_ERROR:]


def _email(session: Session, rule: SupplyAlertRule, alerts: list[SupplyAlert], *, digest: bool, now: datetime) -> bool:
    pending = [a for a in alerts if a.emailed_at is None]
    recipients = parse_emails(rule.emails) if rule.emails else []
    if not pending or not recipients:
        return False
    message = alert_mail.compose(
        rule_name=rule.name,
        language=rule.language,
        recipients=recipients,
        details=_details(session, pending, rule),
        digest=digest,
    )
    try:
        alert_mail.send(message)
    except alert_mail.MailError as exc:
        _record_error(pending, str(exc))
        log.warning("alert e-mail of rule %s failed: %s", rule.id, exc)
        return False
    for alert in pending:
        alert.emailed_at = now
    return True


def webhook_payload(rule: SupplyAlertRule, details: list[AlertDetail]) -> dict:
    """What a webhook receives: the rule and its new alerts, with texts in the rule's language."""
    base = get_settings().app_url or ""
    with use_language(rule.language):
        return {
            "event": "supply_alerts",
            "rule": {"id": rule.id, "name": rule.name, "organization_id": rule.organization_id},
            "text": alert_mail.subject(details, digest=False),
            "alerts": [
                {
                    "id": d.id,
                    "reason": d.reason,
                    "threshold": d.threshold,
                    "level_percent": d.level_percent,
                    "days_to_empty": d.days_to_empty,
                    "created_at": d.created_at.isoformat(),
                    "lifetime_started_at": d.lifetime_started_at.isoformat(),
                    "printer": {
                        "id": d.printer_id,
                        "ip": d.ip,
                        "model": d.model,
                        "organization": d.organization,
                        "label": printer_label(d),
                        "url": f"{base}/printers/{d.printer_id}" if base else "",
                    },
                    "supply": {
                        "kind": d.kind,
                        "color": d.color,
                        "description": d.description,
                        "label": supply_label(d.kind, d.color, d.description),
                    },
                }
                for d in details
            ],
        }


def _webhook(session: Session, rule: SupplyAlertRule, alerts: list[SupplyAlert], now: datetime) -> bool:
    pending = [a for a in alerts if a.webhook_at is None]
    if not pending or not rule.webhook_url:
        return False
    try:
        post_webhook(rule.webhook_url, rule.webhook_secret, webhook_payload(rule, _details(session, pending, rule)))
    except WebhookError as exc:
        _record_error(pending, str(exc))
        log.warning("alert webhook of rule %s failed: %s", rule.id, exc)
        return False
    for alert in pending:
        alert.webhook_at = now
    return True


def _by_rule(session: Session, alerts: list[SupplyAlert]) -> list[tuple[SupplyAlertRule, list[SupplyAlert]]]:
    groups: dict[int, list[SupplyAlert]] = defaultdict(list)
    for alert in alerts:
        groups[alert.rule_id].append(alert)
    rules = session.exec(select(SupplyAlertRule).where(SupplyAlertRule.id.in_(list(groups)))).all()
    return [(rule, groups[rule.id]) for rule in sorted(rules, key=lambda r: r.id) if rule.is_active]


def deliver_alerts(session: Session, alert_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """Send the just-raised alerts: one e-mail per rule in immediate mode, one webhook POST per rule with a URL.

    Returns how many messages went out ({"emails": n, "webhooks": m}); the caller commits the delivery marks.
    """
    now = now or datetime.now(UTC)
    ids = [i for i in alert_ids if isinstance(i, int)]
    alerts = (
        list(session.exec(select(SupplyAlert).where(SupplyAlert.id.in_(ids), SupplyAlert.cleared_at.is_(None))))
        if ids
        else []
    )
    sent = {"emails": 0, "webhooks": 0}
    for rule, group in _by_rule(session, alerts):
        if rule.email_mode == "immediate" and _email(session, rule, group, digest=False, now=now):
            sent["emails"] += 1
        if _webhook(session, rule, group, now):
            sent["webhooks"] += 1
    session.flush()
    return sent


def send_digests(session: Session, now: datetime | None = None) -> int:
    """The daily digest: per digest-mode rule, one e-mail with every open alert not e-mailed yet. Mails sent."""
    now = now or datetime.now(UTC)
    alerts = session.exec(
        select(SupplyAlert)
        .join(SupplyAlertRule, SupplyAlertRule.id == SupplyAlert.rule_id)
        .where(
            SupplyAlertRule.email_mode == "digest",
            SupplyAlertRule.is_active,
            SupplyAlertRule.emails != "",
            SupplyAlert.emailed_at.is_(None),
            SupplyAlert.cleared_at.is_(None),
            SupplyAlert.created_at <= now,
        )
    ).all()
    mails = 0
    for rule, group in _by_rule(session, list(alerts)):
        mails += _email(session, rule, group, digest=True, now=now)
    session.flush()
    return mails
