"""Alert rules: the form's validation (each bad e-mail named, the webhook URL checked), saves in the change log,
a stale save refused, delete; the in-app list's read / unread per user."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog
from printer_app.models.supplies import SupplyAlert
from printer_app.services.access import auth
from printer_app.services.errors import ConflictError, DomainValidationError
from printer_app.services.supplies import alert_inbox
from printer_app.services.supplies.alert_inbox import AlertFilters
from printer_app.services.supplies.alert_rules import RuleForm, create_rule, delete_rule, list_rules, update_rule
from printer_app.services.supplies.alerts import evaluate_printer
from tests.alert_data import add_forecast
from tests.factories import make_org, make_printer


def _errors(session: Session, **values) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as refused:
        create_rule(session, form=RuleForm(**{"name": "R", "below_percent": "20", **values}))
    return refused.value.errors


def test_the_form_is_checked_field_by_field(session: Session) -> None:
    assert _errors(session, name="  ")["name"] == "Enter a name."
    assert _errors(session, below_percent="", empty_within_days="") == {
        "below_percent": "Give a level, a number of days, or both."
    }
    assert _errors(session, below_percent="0")["below_percent"] == "Enter a whole number from 1 to 100."
    assert _errors(session, below_percent="", empty_within_days="366")["empty_within_days"] == (
        "Enter a whole number from 1 to 365."
    )
    assert _errors(session, emails="ok@example.com, bad@, x@y.z")["emails"] == "“bad@” is not an e-mail address."
    assert _errors(session, kinds=["toner", "plutonium"])["kinds"] == "Unknown supply kind “plutonium”."
    assert _errors(session, webhook_url="ftp://desk.example.com/x")["webhook_url"] == (
        "The URL must start with http:// or https://."
    )
    assert "169.254.169.254" in _errors(session, webhook_url="http://169.254.169.254/latest")["webhook_url"]
    assert "password" in _errors(session, webhook_url="https://u:p@desk.example.com/")["webhook_url"]
    assert _errors(session, webhook_url="http://localhost:8080/")["webhook_url"] == "refused target 'localhost'"
    assert _errors(session, organization_id="999999")["organization_id"]
    assert _errors(session, email_mode="weekly")["email_mode"] and _errors(session, language="de")["language"]


def test_saves_are_logged_and_a_stale_save_is_refused(session: Session) -> None:
    org = make_org(session, name="Rules Org")
    form = RuleForm(
        name=" Toner ",
        organization_id=str(org.id),
        kinds=["drum", "toner"],
        below_percent="15",
        emails="a@example.com;b@example.com a@example.com",
        webhook_url="https://desk.example.com/hook",
        webhook_secret="k",
    )
    rule = create_rule(session, form=form)
    assert (rule.name, rule.kinds, rule.emails, rule.organization_id) == (
        "Toner",
        "toner,drum",
        "a@example.com, b@example.com",
        org.id,
    )
    version = rule.version
    form.empty_within_days, form.webhook_secret = "7", ""
    update_rule(session, rule_id=rule.id, form=form, version=version)
    assert rule.empty_within_days == 7 and rule.webhook_secret == "k"  # an empty secret keeps the stored one
    with pytest.raises(ConflictError):
        update_rule(session, rule_id=rule.id, form=RuleForm(name="Late", below_percent="5"), version=version)
    (row,) = list_rules(session)
    assert row.organization == "Rules Org" and row.kinds == ["toner", "drum"]
    assert delete_rule(session, rule_id=rule.id) == "Toner"
    logged = session.exec(
        select(EntityChangeLog.action, EntityChangeLog.changes).where(EntityChangeLog.object_type == "supplyalertrule")
    ).all()
    assert [a for a, _ in logged] == ["create", "update", "delete"]
    assert all("webhook_secret" not in changes for _, changes in logged)
    assert set(logged[1][1]) == {"empty_within_days"}


def test_read_and_unread_are_per_user_and_only_in_app_rules_show(session: Session) -> None:
    anna = auth.create_local_user(session, username="anna", password="Anna-password-2026")
    boris = auth.create_local_user(session, username="boris", password="Boris-password-2026")
    printer = make_printer(session)
    add_forecast(session, printer.id, level=5)
    add_forecast(session, printer.id, color="cyan", index=2, level=6)
    create_rule(session, form=RuleForm(name="Shown", below_percent="20"))
    create_rule(session, form=RuleForm(name="Mail only", below_percent="20", in_app=False))
    session.commit()
    assert len(evaluate_printer(session, printer.id)) == 4
    session.commit()
    assert alert_inbox.unread_count(session, user_id=anna.id) == 2
    page = alert_inbox.list_alerts(session, user_id=anna.id, filters=AlertFilters(), sort="level", descending=False)
    assert [(r.rule, r.level_percent, r.read) for r in page.rows] == [("Shown", 5, False), ("Shown", 6, False)]
    alert_inbox.mark_read(session, user_id=anna.id, alert_ids=[page.rows[0].id, page.rows[0].id])
    assert alert_inbox.unread_count(session, user_id=anna.id) == 1
    assert alert_inbox.unread_count(session, user_id=boris.id) == 2
    unread = alert_inbox.list_alerts(session, user_id=anna.id, filters=AlertFilters(read="unread"))
    assert [r.level_percent for r in unread.rows] == [6]
    assert alert_inbox.mark_all_read(session, user_id=anna.id) == 1
    assert alert_inbox.unread_count(session, user_id=anna.id) == 0
    alert_inbox.mark_unread(session, user_id=anna.id, alert_id=page.rows[1].id)
    assert alert_inbox.unread_count(session, user_id=anna.id) == 1
    hidden = session.exec(select(SupplyAlert.id).where(SupplyAlert.level_percent == 5)).all()
    assert alert_inbox.mark_read(session, user_id=boris.id, alert_ids=list(hidden)) == 1  # only the shown one


def test_deleting_a_rule_deletes_its_alerts(session: Session) -> None:
    printer = make_printer(session)
    add_forecast(session, printer.id, level=5)
    keep = create_rule(session, form=RuleForm(name="Keep", below_percent="20"))
    gone = create_rule(session, form=RuleForm(name="Gone", empty_within_days="60"))
    session.commit()
    assert len(evaluate_printer(session, printer.id)) == 2
    delete_rule(session, rule_id=gone.id)
    session.commit()
    assert [a.rule_id for a in session.exec(select(SupplyAlert)).all()] == [keep.id]
