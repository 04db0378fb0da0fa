"""Rule templates through the rule builder's state: sizes capped with a message, and applying one (with or
without overwrite) writes a change-log row for every rule it deletes and creates."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog, User, WebParsingRule, WebParsingTemplate
from printer_app.services.web.rule_store import RuleInput, create_rule, list_rules
from printer_app.services.web.templates import save_template
from tests.factories import make_model, make_printer
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401


@pytest.fixture
def printers(signed_in: str, session: Session) -> dict[str, int]:  # noqa: F811
    """Two printers of one model: "source" with three rules (one calculated), "target" with two of its own."""
    model = make_model(session, "Dell", "C1765nfw")
    ids = {}
    for name, ip in (("source", "192.0.2.10"), ("target", "192.0.2.11")):
        ids[name] = make_printer(session, ip_address=ip, device_model_id=model.id).id
    for field in ("counter", "variable_1"):
        create_rule(session, printer_id=ids["source"], data=RuleInput(field_name=field, xpath=f"//td[@id='{field}']"))
    formula = RuleInput(field_name="counter_a4_bw", is_calculated=True, calculation_formula="counter - variable_1")
    create_rule(session, printer_id=ids["source"], data=formula)
    for field in ("serial_number", "toner_black"):
        create_rule(session, printer_id=ids["target"], data=RuleInput(field_name=field, xpath="//b"))
    session.commit()
    return ids


def _templates(session: Session) -> list[WebParsingTemplate]:
    session.expire_all()
    return list(session.exec(select(WebParsingTemplate)).all())


@pytest.mark.parametrize(
    ("name", "description", "errors"),
    [
        ("Dell", "x" * 10_000, {"description": "At most 2,000 characters (this one has 10,000)"}),
        ("D" * 201, "", {"name": "At most 200 characters (this one has 201)"}),
        ("   ", "", {"name": "A template needs a name"}),
    ],
)
def test_oversized_templates_are_refused_with_a_message(
    signed_in: str,  # noqa: F811
    session: Session,
    printers: dict[str, int],
    name: str,
    description: str,
    errors: dict[str, str],
) -> None:
    from printer_app.state.web.templates import WebTemplatesState

    state = tab(WebTemplatesState, signed_in, f"/printers/{printers['source']}/web")
    state.name, state.description = name, description
    result = run_handler(WebTemplatesState.save, state)
    assert state.errors == errors and "Template not saved" in repr(result)
    assert _templates(session) == []

    state.name, state.description = "Dell", " " + "d" * 2000 + " "  # at the limit once trimmed: stored whole
    run_handler(WebTemplatesState.save, state)
    assert [(t.name, len(t.description)) for t in _templates(session)] == [("Dell", 2000)]


@pytest.mark.parametrize("overwrite", [True, False], ids=["overwrite", "beside"])
def test_applying_a_template_logs_every_rule_it_deletes_and_creates(
    signed_in: str,  # noqa: F811
    session: Session,
    printers: dict[str, int],
    overwrite: bool,
) -> None:
    from printer_app.state.web.templates import WebTemplatesState

    template = save_template(session, printer_id=printers["source"], name="Dell EWS")
    session.commit()
    old = {r.id: r.field_name for r in list_rules(session, printer_id=printers["target"])}
    logged_before = session.exec(select(EntityChangeLog.id)).all()

    state = tab(WebTemplatesState, signed_in, f"/printers/{printers['target']}/web")
    state.overwrite = overwrite
    result = run_handler(WebTemplatesState.apply, state, template.id)
    assert "3 rules created from the template" in repr(result)

    session.expire_all()
    rules = {r.id: r.field_name for r in list_rules(session, printer_id=printers["target"])}
    kept = {} if overwrite else old  # (SQLite may give the new rules the deleted ones' ids)
    assert {i: rules[i] for i in kept} == kept
    created = {i: f for i, f in rules.items() if i not in kept}
    assert sorted(created.values()) == ["counter", "counter_a4_bw", "variable_1"]
    root = session.exec(select(User).where(User.username == "root")).one()
    rows = session.exec(
        select(EntityChangeLog).where(EntityChangeLog.id.not_in(logged_before)).order_by(EntityChangeLog.id)
    ).all()
    deleted_rows = [(r.object_id, r.changes["field_name"]["old"]) for r in rows if r.action == "delete"]
    created_rows = [(r.object_id, r.changes["field_name"]["new"]) for r in rows if r.action == "create"]
    assert sorted(deleted_rows) == (sorted(old.items()) if overwrite else [])
    assert sorted(created_rows) == sorted(created.items())
    assert {(r.object_type, r.user_id, r.user_agent) for r in rows} == {("webparsingrule", root.id, "state-test")}
    assert len(rows) == len(deleted_rows) + len(created_rows)
    assert session.get(WebParsingRule, min(created)).printer_id == printers["target"]
