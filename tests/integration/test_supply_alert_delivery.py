"""Delivering supply alerts to real local receivers: e-mails (text + HTML, Russian and English) through an SMTP
server (aiosmtpd), the daily digest in one mail, the signed webhook through an HTTP server; failures recorded once."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.models.supplies import SupplyAlert
from printer_app.services.supplies.alert_delivery import deliver_alerts, send_digests
from printer_app.services.supplies.alerts import evaluate_printer
from tests.alert_data import add_forecast, add_rule
from tests.alert_servers import WebhookServer, smtp_server
from tests.factories import make_model, make_org, make_printer


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    with smtp_server() as server:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("SMTP_FROM", "alerts@printers.example")
        monkeypatch.setenv("APP_URL", "https://printers.example")
        monkeypatch.setenv("ALLOW_LOOPBACK_TARGETS", "true")
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


def _raise(session: Session, rule_values: dict, *, org_name: str = "ООО Ромашка", levels=(8,)) -> list[int]:
    org = make_org(session, name=org_name)
    model = make_model(session, "HP", "LaserJet M404")
    printer = make_printer(session, organization_id=org.id, device_model_id=model.id, ip_address="10.9.8.7")
    for n, level in enumerate(levels, start=1):
        add_forecast(session, printer.id, color=("black", "cyan", "magenta")[n - 1], index=n, level=level, days=3.4)
    add_rule(session, **{"name": "Тонер", "below_percent": 20, **rule_values})
    session.commit()
    ids = [a.id for a in evaluate_printer(session, printer.id)]
    session.commit()
    return ids


def _parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_immediate_email_in_russian(session: Session, smtp) -> None:
    ids = _raise(session, {"emails": "a@example.com; b@example.org", "language": "ru"})
    assert deliver_alerts(session, ids) == {"emails": 1, "webhooks": 0}
    session.commit()
    (message,) = smtp.messages
    assert smtp.envelopes == [("alerts@printers.example", ["a@example.com", "b@example.org"])]
    assert (
        message["Subject"] == "Заканчивается расходный материал: Тонер (Чёрный) — LaserJet M404 (10.9.8.7), ООО Ромашка"
    )
    text, html = _parts(message)
    assert "Правило оповещения «Тонер»." in text and "Уровень: 8 %. Закончится через: 3 дня." in text
    assert "https://printers.example/printers/" in text
    assert "<table" in html and "Уровень ниже 20 %" in html and "ООО Ромашка" in html
    assert all(a.emailed_at is not None and a.delivery_error == "" for a in session.exec(select(SupplyAlert)))
    assert deliver_alerts(session, ids) == {"emails": 0, "webhooks": 0}  # e-mailed once
    assert len(smtp.messages) == 1


def test_immediate_email_in_english_lists_every_alert_of_the_evaluation(session: Session, smtp) -> None:
    ids = _raise(session, {"emails": "ops@example.com", "language": "en"}, org_name="Acme & Co", levels=(8, 15))
    deliver_alerts(session, ids)
    (message,) = smtp.messages
    assert message["Subject"] == "2 low supplies: LaserJet M404 (10.9.8.7)"
    text, html = _parts(message)
    assert "Alert rule “Тонер”." in text and "Toner (Black)" in text and "Toner (Cyan)" in text
    assert "Level: 15 %. Runs out in: 3 days. Level below 20 %." in text
    assert "Acme &amp; Co" in html and "Acme & Co" not in html


def test_the_daily_digest_collects_the_alerts_of_the_day_in_one_mail(session: Session, smtp) -> None:
    ids = _raise(session, {"emails": "digest@example.com", "email_mode": "digest", "language": "en"}, levels=(5, 6, 7))
    assert deliver_alerts(session, ids) == {"emails": 0, "webhooks": 0}  # digest rules wait for the digest
    assert smtp.messages == []
    assert send_digests(session) == 1
    session.commit()
    (message,) = smtp.messages
    assert message["Subject"] == "Daily digest: 3 low supplies (LaserJet M404 (10.9.8.7))"
    text, _html = _parts(message)
    assert all(colour in text for colour in ("Black", "Cyan", "Magenta"))
    assert send_digests(session) == 0 and len(smtp.messages) == 1


def test_without_smtp_the_error_is_recorded_on_the_alerts(session: Session, monkeypatch) -> None:
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    ids = _raise(session, {"emails": "a@example.com"})
    assert deliver_alerts(session, ids) == {"emails": 0, "webhooks": 0}
    session.commit()
    (alert,) = session.exec(select(SupplyAlert)).all()
    assert alert.emailed_at is None and "SMTP_HOST" in alert.delivery_error


def test_the_webhook_receives_a_signed_json_post(session: Session, smtp) -> None:
    with WebhookServer() as hook:
        ids = _raise(session, {"webhook_url": hook.url, "webhook_secret": "s3cret", "language": "en"}, levels=(8, 9))
        assert deliver_alerts(session, ids) == {"emails": 0, "webhooks": 1}
        session.commit()
    ((path, headers, body),) = hook.requests
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert path == "/hook" and headers["X-Printer-Inventory-Signature"] == expected
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["event"] == "supply_alerts" and payload["rule"]["name"] == "Тонер"
    assert [a["supply"]["label"] for a in payload["alerts"]] == ["Toner (Black)", "Toner (Cyan)"]
    assert payload["alerts"][0]["printer"]["url"].startswith("https://printers.example/printers/")
    assert all(a.webhook_at is not None for a in session.exec(select(SupplyAlert)))


def test_a_failing_webhook_is_recorded_once_and_not_retried(session: Session, smtp) -> None:
    with WebhookServer(status=500) as hook:
        ids = _raise(session, {"webhook_url": hook.url})
        assert deliver_alerts(session, ids) == {"emails": 0, "webhooks": 0}
        session.commit()
    assert len(hook.requests) == 1
    (alert,) = session.exec(select(SupplyAlert)).all()
    assert alert.webhook_at is None and "HTTP 500" in alert.delivery_error


def test_a_webhook_to_a_metadata_address_is_refused_at_send_time(session: Session, smtp) -> None:
    ids = _raise(session, {"webhook_url": "http://169.254.169.254/latest"})
    deliver_alerts(session, ids)
    (alert,) = session.exec(select(SupplyAlert)).all()
    assert alert.webhook_at is None and "169.254.169.254" in alert.delivery_error
