"""Alert e-mails: the message (text and HTML parts, in the rule's language) and sending it over SMTP.

The subject names the printer, its organization and the supply for one alert, the count and the printers for
several (an immediate mail of one evaluation, or the daily digest). SMTP_* settings say where it goes.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

from printer_app.config import get_settings
from printer_app.i18n import N_, format_datetime, format_number, gettext, ngettext, use_language
from printer_app.models.choices import SupplyColor, SupplyKind

REASONS = {"below_percent": N_("Level below {n} %"), "empty_within_days": N_("Runs out within {n} days")}


class MailError(Exception):
    """The e-mail was not sent (no SMTP configured, connection or SMTP error)."""


@dataclass
class AlertDetail:
    """One alert with what a message says about it."""

    id: int
    printer_id: int
    ip: str
    model: str
    organization: str
    kind: str
    color: str
    description: str
    reason: str
    threshold: int | None  # the rule's percentage or days that were met
    level_percent: int | None
    state: str
    days_to_empty: float | None
    created_at: datetime
    lifetime_started_at: datetime


def supply_label(kind: str, color: str, description: str = "") -> str:
    """ "Toner (Black)" in the current language; the device's own description when the kind says nothing."""
    try:
        name = SupplyKind(kind).text
    except ValueError:
        name = kind
    if kind in ("", "other") and description:
        name = description
    try:
        colour = SupplyColor(color).text if color else ""
    except ValueError:
        colour = color
    return f"{name} ({colour})" if colour else name


def printer_label(detail: AlertDetail) -> str:
    return f"{detail.model} ({detail.ip})" if detail.model else detail.ip


def _organization(detail: AlertDetail) -> str:
    return detail.organization or gettext("no organization")


def _level(detail: AlertDetail) -> str:
    if detail.level_percent is not None:
        return f"{detail.level_percent} %"
    return gettext("empty") if detail.state == "empty" else "—"


def _days(detail: AlertDetail) -> str:
    if detail.days_to_empty is None:
        return "—"
    days = max(0, round(detail.days_to_empty))
    return ngettext("{n} day", "{n} days", days)


def _reason(detail: AlertDetail) -> str:
    message = REASONS.get(detail.reason)
    return gettext(message, n=format_number(detail.threshold)) if message and detail.threshold else detail.reason


def subject(details: list[AlertDetail], *, digest: bool) -> str:
    if len(details) == 1 and not digest:
        d = details[0]
        return gettext(
            "Low supply: {supply} — {printer}, {organization}",
            supply=supply_label(d.kind, d.color, d.description),
            printer=printer_label(d),
            organization=_organization(d),
        )
    printers = list(dict.fromkeys(printer_label(d) for d in details))
    named = ", ".join(printers[:3]) + (" …" if len(printers) > 3 else "")
    if digest:
        return ngettext(
            "Daily digest: {n} low supply ({printers})",
            "Daily digest: {n} low supplies ({printers})",
            len(details),
            printers=named,
        )
    return ngettext("{n} low supply: {printers}", "{n} low supplies: {printers}", len(details), printers=named)


def _link(detail: AlertDetail) -> str:
    base = get_settings().app_url
    return f"{base}/printers/{detail.printer_id}" if base else ""


def text_body(rule_name: str, details: list[AlertDetail]) -> str:
    tz = get_settings().tz
    lines = [gettext("Alert rule “{rule}”.", rule=rule_name), ""]
    for d in details:
        lines.append(f"• {printer_label(d)}, {_organization(d)}: {supply_label(d.kind, d.color, d.description)}")
        lines.append(
            "  "
            + gettext(
                "Level: {level}. Runs out in: {days}. {reason}.", level=_level(d), days=_days(d), reason=_reason(d)
            )
        )
        lines.append("  " + gettext("Raised at {time}.", time=format_datetime(d.created_at, tz)))
        if link := _link(d):
            lines.append("  " + link)
    lines += ["", gettext("This message was sent by Printer Inventory.")]
    return "\n".join(lines)


def html_body(rule_name: str, details: list[AlertDetail]) -> str:
    e = html.escape
    heads = [
        gettext("Printer"),
        gettext("Organization"),
        gettext("Supply"),
        gettext("Level"),
        gettext("Runs out in"),
        gettext("Reason"),
    ]
    rows = []
    for d in details:
        printer = e(printer_label(d))
        if link := _link(d):
            printer = f'<a href="{e(link)}">{printer}</a>'
        cells = [
            printer,
            e(_organization(d)),
            e(supply_label(d.kind, d.color, d.description)),
            e(_level(d)),
            e(_days(d)),
            e(_reason(d)),
        ]
        rows.append(
            "<tr>" + "".join(f'<td style="padding:4px 8px;border:1px solid #ccc">{c}</td>' for c in cells) + "</tr>"
        )
    head = "".join(f'<th style="padding:4px 8px;border:1px solid #ccc;text-align:left">{e(h)}</th>' for h in heads)
    return (
        f"<html><body><p>{e(gettext('Alert rule “{rule}”.', rule=rule_name))}</p>"
        f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f'<p style="color:#666">{e(gettext("This message was sent by Printer Inventory."))}</p></body></html>'
    )


def compose(
    *, rule_name: str, language: str, recipients: list[str], details: list[AlertDetail], digest: bool
) -> MIMEMultipart:
    """The message in `language`: plain text first, HTML as the alternative.

    Built with the classic MIME classes: the modern EmailMessage folds a long Cyrillic subject between encoded
    words at a space and the receiver loses that space ("(Чёрный)— LaserJet"); `Header` keeps it inside the words.
    """
    settings = get_settings()
    with use_language(language):
        message = MIMEMultipart("alternative")
        message["Subject"] = Header(subject(details, digest=digest), "utf-8")
        message["From"] = settings.smtp_from
        message["To"] = ", ".join(recipients)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
        message.attach(MIMEText(text_body(rule_name, details), "plain", "utf-8"))
        message.attach(MIMEText(html_body(rule_name, details), "html", "utf-8"))
    return message


def send(message: MIMEMultipart) -> None:
    """Hand the message to the SMTP server of the settings; MailError with the reason when that fails."""
    settings = get_settings()
    if not settings.smtp_host:
        raise MailError(gettext("e-mail not sent: SMTP_HOST is not configured"))
    try:
        if settings.smtp_ssl:
            client = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=settings.smtp_timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with client:
            if settings.smtp_starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"{type(exc).__name__} {exc}".strip()
        raise MailError(gettext("e-mail not sent: {error}", error=reason)) from None
