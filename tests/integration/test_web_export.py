"""Web polls beyond the reading: the XML export file of every web poll (docs/web-rules.md §5.5), the data source of a
failed web poll, and the stored-rule service the rule builder saves through (validation, nothing lost on bad input)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.models import EntityChangeLog, InventoryTask, WebParsingRule, WebParsingTemplate
from printer_app.models.choices import DataSource, TaskStatus
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.polling.glpi_xml import parse_glpi_xml
from printer_app.services.polling.pipeline import poll_and_store
from printer_app.services.web.rule_store import RuleInput, create_rule, delete_rule, list_rules, update_rule
from printer_app.services.web.templates import delete_template, list_templates, save_template
from tests.factories import make_model, make_printer
from tests.integration.test_web_parser import (  # noqa: F401  (module fixtures: loopback allowed, the web server)
    INFO_ROW,
    _add_rules,
    _dell_rules,
    _scope,
    loopback_allowed,
    rule,
    server,
)
from tests.web_server import PrinterWebServer


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def test_web_poll_writes_the_latest_xml_export(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,  # noqa: F811
    data_dir: Path,
) -> None:
    model = make_model(session, "Dell", "C1765nfw")
    printer = make_printer(session, ip_address="127.0.0.1", serial_number="ZHJ020393", device_model_id=model.id)
    _add_rules(session, printer, _dell_rules(server))
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert task.status == TaskStatus.SUCCESS
    exports = data_dir / "xml_exports"
    assert [p.name for p in exports.iterdir()] == ["ZHJ020393.xml"]
    document = (exports / "ZHJ020393.xml").read_bytes()
    assert b"<QUERY>WEBQUERY</QUERY>" in document and b"<DEVICEID>ZHJ020393</DEVICEID>" in document
    reading, extras = parse_glpi_xml(document)  # the export goes back through our own XML import
    assert (reading.serial, reading.raw_counters["TOTAL"]) == ("ZHJ020393", 8862)
    assert (reading.manufacturer, reading.model, extras["ip"]) == ("Dell", "Dell C1765nfw", "127.0.0.1")
    assert b"<TONERBLACK>48</TONERBLACK>" in document and b"<IP>127.0.0.1</IP>" in document

    poll_and_store(printer.id, sessions=lambda: _scope(engine))  # the next poll replaces it: one file per device
    assert [p.name for p in exports.iterdir()] == ["ZHJ020393.xml"]


def test_export_of_a_printer_without_serial_and_of_a_serial_with_odd_characters(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,  # noqa: F811
    data_dir: Path,
) -> None:
    nameless = make_printer(session, ip_address="127.0.0.1", serial_number="")
    _add_rules(session, nameless, _dell_rules(server)[1:])  # counter and toner only: no serial anywhere
    poll_and_store(nameless.id, sessions=lambda: _scope(engine))
    assert (data_dir / "xml_exports" / f"printer_{nameless.id}.xml").is_file()

    odd = make_printer(session, ip_address="127.0.0.2", serial_number="A/B C..1")
    _add_rules(session, odd, [rule(server, "/prtmaint/prtvolume.asp", "counter", INFO_ROW.format("A4"))])
    odd.ip_address = "127.0.0.1"  # same test server; the unique index only cares about active duplicates
    session.add(odd)
    nameless.is_active = False
    session.add(nameless)
    session.commit()
    poll_and_store(odd.id, sessions=lambda: _scope(engine))
    assert (data_dir / "xml_exports" / "A_B_C__1.xml").is_file()


def test_failed_web_poll_is_recorded_as_a_web_poll(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,  # noqa: F811
    data_dir: Path,
) -> None:
    printer = make_printer(session, ip_address="127.0.0.1")
    _add_rules(session, printer, [rule(server, "/missing.html", "counter", "//td")])
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.data_source) == (TaskStatus.FAILED, DataSource.WEB_SCRAPING)
    with _scope(engine) as check:
        stored = check.get(InventoryTask, task.id)
        assert stored.data_source == DataSource.WEB_SCRAPING
    assert not (data_dir / "xml_exports").exists()  # nothing read, nothing exported


# ---- the stored-rule service -------------------------------------------------------------------------------------


def test_rule_validation_names_every_bad_field(session: Session) -> None:
    printer = make_printer(session)
    bad = RuleInput(
        field_name="toner_purple",
        protocol="ftp",
        url_path="http://evil.example/x",
        xpath="//td[",
        regex_pattern="(a",
        actions_chain=[{"type": "click"}],
    )
    with pytest.raises(DomainValidationError) as caught:
        create_rule(session, printer_id=printer.id, data=bad)
    assert set(caught.value.errors) == {"field_name", "protocol", "url_path", "xpath", "regex_pattern", "actions_chain"}
    assert caught.value.errors["actions_chain"] == "Action 1: click needs a CSS selector (at most 500 characters)"
    with pytest.raises(DomainValidationError) as caught:
        create_rule(session, printer_id=printer.id, data=RuleInput(field_name="counter", regex_replacement=r"\1"))
    assert caught.value.errors == {"regex_replacement": "A replacement needs a pattern"}
    calc = RuleInput(field_name="counter", is_calculated=True, calculation_formula="variable_1 + pages")
    with pytest.raises(DomainValidationError, match="Unknown name 'pages'"):
        create_rule(session, printer_id=printer.id, data=calc)
    assert list_rules(session, printer_id=printer.id) == []


def test_rule_create_update_delete(session: Session) -> None:
    printer = make_printer(session)
    plain = create_rule(
        session,
        printer_id=printer.id,
        data=RuleInput(
            field_name="variable_1",
            url_path=" :8080/status.html ",
            xpath="//td[@id='total']",
            actions_chain=[{"type": "click", "selector": "#tab", "wait": "0.5"}, {"type": "wait", "wait": ""}],
        ),
    )
    assert plain.url_path == ":8080/status.html"
    assert plain.actions_chain == [{"type": "click", "wait": 0.5, "selector": "#tab"}, {"type": "wait", "wait": 1}]
    calc = create_rule(
        session,
        printer_id=printer.id,
        data=RuleInput(field_name="counter", is_calculated=True, calculation_formula="variable_1 * 2"),
    )
    assert calc.source_rules == [plain.id]
    with pytest.raises(DomainValidationError):
        update_rule(session, printer_id=printer.id, rule_id=plain.id, data=RuleInput(field_name="counter", xpath="//["))
    assert session.get(WebParsingRule, plain.id).xpath == "//td[@id='total']"  # a bad edit changes nothing
    update_rule(session, printer_id=printer.id, rule_id=plain.id, data=RuleInput(field_name="variable_1", xpath="//b"))
    assert session.get(WebParsingRule, plain.id).actions_chain == []
    other = make_printer(session)
    with pytest.raises(NotFoundError):
        delete_rule(session, printer_id=other.id, rule_id=plain.id)  # not that printer's rule
    assert delete_rule(session, printer_id=printer.id, rule_id=plain.id) == "variable_1"
    assert [r.id for r in list_rules(session, printer_id=printer.id)] == [calc.id]
    actions = session.exec(select(EntityChangeLog.action).where(EntityChangeLog.object_type == "webparsingrule"))
    assert sorted(actions.all()) == ["create", "create", "delete", "update"]


def test_template_visibility_and_deletion(session: Session, server: PrinterWebServer) -> None:  # noqa: F811
    from printer_app.services.access.auth import create_local_user

    alice = create_local_user(session, username="alice", password="Alice-password-1")
    bob = create_local_user(session, username="bob", password="Bob-password-1")
    model = make_model(session, "Dell", "C1765nfw")
    printer = make_printer(session, device_model_id=model.id)
    _add_rules(session, printer, _dell_rules(server))
    private = save_template(session, printer_id=printer.id, name="Mine", user_id=alice.id)
    public = save_template(session, printer_id=printer.id, name="Shared", user_id=alice.id, is_public=True)

    def names(user_id: int | None, superuser: bool = False) -> list[str]:
        rows = list_templates(session, device_model_id=model.id, user_id=user_id, is_superuser=superuser)
        return [t.name for t in rows]

    assert names(alice.id) == ["Mine", "Shared"]
    assert names(bob.id) == ["Shared"]
    assert names(None, superuser=True) == ["Mine", "Shared"]
    assert list_templates(session, device_model_id=None, user_id=alice.id) == []
    with pytest.raises(DomainValidationError, match="creator"):
        delete_template(session, template_id=public.id, user_id=bob.id)
    assert delete_template(session, template_id=private.id, user_id=alice.id) == "Mine"
    assert delete_template(session, template_id=public.id, user_id=None, is_superuser=True) == "Shared"
    assert session.exec(select(WebParsingTemplate)).all() == []
