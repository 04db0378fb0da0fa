"""Saving a printer never loses data: unchanged saves write nothing, the learned model stays, stale saves are
refused, HYBRID needs web rules, the polling method needs its permission, and bad input gets a clear message."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from printer_app.models import EntityChangeLog, Printer, PrinterChangeLog, WebParsingRule
from printer_app.models.choices import ChangeAction, PollingMethod
from printer_app.services.access import auth
from printer_app.services.access.roles import bootstrap_roles, set_user_groups
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError, DomainValidationError
from printer_app.services.inventory.printers import PrinterInput, create_printer, update_printer
from tests.factories import make_model, make_org, make_printer

PASSWORD = "Service-password-2026"


def _form(printer: Printer, **changes) -> PrinterInput:
    """What the edit dialog sends for `printer` (it never sends the learned free-text model), with `changes`."""
    data = {
        "ip_address": printer.ip_address,
        "serial_number": printer.serial_number,
        "mac_address": printer.mac_address or "",
        "organization_id": printer.organization_id,
        "device_model_id": printer.device_model_id,
        "snmp_community": printer.snmp_community,
        "polling_method": printer.polling_method,
        "is_active": printer.is_active,
        "snmp_version": printer.snmp_version,
        "snmp_port": printer.snmp_port,
    }
    return PrinterInput(**(data | changes))


def _stored(engine: Engine, printer_id: int) -> Printer:
    with Session(engine, expire_on_commit=False) as fresh:
        return fresh.get(Printer, printer_id)


def _log_rows(engine: Engine, printer_id: int) -> list[EntityChangeLog]:
    with Session(engine) as fresh:
        query = select(EntityChangeLog).where(
            EntityChangeLog.object_type == "printer", EntityChangeLog.object_id == printer_id
        )
        return list(fresh.exec(query.order_by(EntityChangeLog.id)).all())


@pytest.fixture(autouse=True)
def roles(session: Session) -> None:
    bootstrap_roles(session)


def _user(session: Session, username: str, *groups: str) -> Actor:
    user = auth.create_local_user(session, username=username, password=PASSWORD, full_name=username.title())
    set_user_groups(session, user=user, group_names=groups, actor_id=None)
    return Actor(user_id=user.id, ip="10.9.9.9")


def _learned(session: Session, **fields) -> Printer:
    """A printer whose model the poller learned (free text, no catalogue entry), as 127.0.0.7 in the issue."""
    printer = make_printer(session, ip_address="127.0.0.7", mac_address="14:CB:19:95:2E:A0", **fields)
    printer.model = "HP LaserJet MFP M130nw"
    session.add(printer)
    session.commit()
    return printer


# ---- item 6: an unchanged save changes nothing ----


def test_unchanged_save_keeps_the_learned_model_version_and_log(session: Session, engine: Engine) -> None:
    printer = _learned(session)
    version, logged = printer.version, len(_log_rows(engine, printer.id))

    update_printer(session, printer_id=printer.id, data=_form(printer), version=version)
    session.commit()

    stored = _stored(engine, printer.id)
    assert stored.model == "HP LaserJet MFP M130nw"
    assert stored.version == version
    assert len(_log_rows(engine, printer.id)) == logged


def test_a_real_change_keeps_the_learned_model_and_logs_only_that_field(session: Session, engine: Engine) -> None:
    printer = _learned(session)
    version = printer.version

    update_printer(session, printer_id=printer.id, data=_form(printer, serial_number="CNB1234"), version=version)
    session.commit()

    stored = _stored(engine, printer.id)
    assert (stored.model, stored.serial_number, stored.version) == ("HP LaserJet MFP M130nw", "CNB1234", version + 1)
    assert list(_log_rows(engine, printer.id)[-1].changes) == ["serial_number"]


def test_choosing_a_catalogue_model_keeps_the_learned_text_too(session: Session, engine: Engine) -> None:
    printer = _learned(session)
    model = make_model(session, "HP", "LaserJet MFP M130nw")
    session.commit()

    update_printer(
        session, printer_id=printer.id, data=_form(printer, device_model_id=model.id), version=printer.version
    )
    session.commit()

    stored = _stored(engine, printer.id)
    assert (stored.device_model_id, stored.model) == (model.id, "HP LaserJet MFP M130nw")


# ---- item 7: a save from an older version is refused, naming who changed it and when ----


def test_second_save_from_the_same_version_is_refused_with_author_and_time(session: Session, engine: Engine) -> None:
    anna = _user(session, "anna", "Inventory — Editor")
    boris = _user(session, "boris", "Inventory — Editor")
    printer = make_printer(session, ip_address="10.1.1.1", serial_number="ORIGINAL")
    session.commit()
    loaded = printer.version

    update_printer(
        session, printer_id=printer.id, data=_form(printer, serial_number="ANNA"), version=loaded, actor=anna
    )
    session.commit()
    with pytest.raises(ConflictError) as refused:
        update_printer(
            session, printer_id=printer.id, data=_form(printer, ip_address="10.1.1.2"), version=loaded, actor=boris
        )
    session.rollback()

    assert refused.value.changed_by == "Anna"
    assert refused.value.changed_at is not None
    assert "changed by Anna at " in refused.value.errors["form"]
    stored = _stored(engine, printer.id)
    assert (stored.ip_address, stored.serial_number, stored.version) == ("10.1.1.1", "ANNA", loaded + 1)
    assert [r.user_id for r in _log_rows(engine, printer.id)] == [None, anna.user_id]


def test_a_learned_mac_moves_the_version_on_and_is_named_as_the_poll(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    session.commit()
    loaded = printer.version
    # what the poll pipeline does when it learns a MAC (services/polling.py), in a transaction of its own
    with Session(engine) as poller:
        polled = poller.get(Printer, printer.id)
        polled.mac_address = "14:CB:19:95:2E:A0"
        poller.add(PrinterChangeLog(printer_id=printer.id, action=ChangeAction.MAC_UPDATE))
        poller.commit()

    with pytest.raises(ConflictError, match="changed by the automatic poll at"):
        update_printer(session, printer_id=printer.id, data=_form(printer, serial_number="X"), version=loaded)
    session.rollback()
    assert _stored(engine, printer.id).mac_address == "14:CB:19:95:2E:A0"
    assert _stored(engine, printer.id).version == loaded + 1


def test_a_poll_summary_does_not_make_the_form_stale(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    session.commit()
    loaded = printer.version
    with Session(engine) as poller:  # record_poll writes only the summary columns
        polled = poller.get(Printer, printer.id)
        polled.last_poll_status, polled.last_error = "FAILED", "timeout"
        poller.commit()

    update_printer(session, printer_id=printer.id, data=_form(printer, serial_number="OK"), version=loaded)
    session.commit()
    assert _stored(engine, printer.id).serial_number == "OK"


def test_toggling_active_moves_the_version_on(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    session.commit()

    update_printer(session, printer_id=printer.id, data=_form(printer, is_active=False), version=printer.version)
    session.commit()

    assert _stored(engine, printer.id).version == 2


# ---- item 5: HYBRID needs web rules; the polling method needs manage_web_parsing ----


def test_hybrid_without_web_rules_is_refused(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    session.commit()

    with pytest.raises(DomainValidationError) as refused:
        update_printer(session, printer_id=printer.id, data=_form(printer, polling_method=PollingMethod.HYBRID))
    session.rollback()

    assert "web rules" in refused.value.errors["polling_method"]
    assert _stored(engine, printer.id).polling_method == PollingMethod.SNMP
    with pytest.raises(DomainValidationError, match="web rules"):
        create_printer(session, data=PrinterInput(ip_address="10.1.1.2", polling_method=PollingMethod.HYBRID))


def test_hybrid_with_web_rules_is_saved(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    session.add(WebParsingRule(printer_id=printer.id, field_name="counter", url_path="/", xpath="//td"))
    session.commit()

    update_printer(session, printer_id=printer.id, data=_form(printer, polling_method=PollingMethod.HYBRID))
    session.commit()

    assert _stored(engine, printer.id).polling_method == PollingMethod.HYBRID


def test_an_editor_changes_ip_and_serial_but_not_the_polling_method(session: Session, engine: Engine) -> None:
    editor = _user(session, "erik", "Inventory — Editor")
    admin = _user(session, "ada", "Inventory — Administrator")
    printer = make_printer(session, ip_address="10.1.1.1")
    session.add(WebParsingRule(printer_id=printer.id, field_name="counter", url_path="/", xpath="//td"))
    session.commit()

    hybrid = _form(printer, polling_method=PollingMethod.HYBRID)
    with pytest.raises(DomainValidationError) as refused:
        update_printer(session, printer_id=printer.id, data=hybrid, actor=editor)
    session.rollback()
    assert "Manage web parsing rules" in refused.value.errors["polling_method"]
    assert _stored(engine, printer.id).polling_method == PollingMethod.SNMP

    update_printer(
        session, printer_id=printer.id, data=_form(printer, ip_address="10.1.1.5", serial_number="S"), actor=editor
    )
    session.commit()
    update_printer(
        session, printer_id=printer.id, data=_form(_stored(engine, printer.id), polling_method="HYBRID"), actor=admin
    )
    session.commit()
    stored = _stored(engine, printer.id)
    assert (stored.ip_address, stored.serial_number, stored.polling_method) == ("10.1.1.5", "S", "HYBRID")


def test_an_editor_adds_printers_polled_by_snmp_only(session: Session) -> None:
    editor = _user(session, "erik", "Inventory — Editor")

    with pytest.raises(DomainValidationError, match="Manage web parsing rules"):
        create_printer(session, data=PrinterInput(ip_address="10.1.1.1", polling_method="WEB"), actor=editor)
    assert create_printer(session, data=PrinterInput(ip_address="10.1.1.2"), actor=editor).polling_method == "SNMP"


# ---- item C: bad input ----


def _errors(session: Session, **fields) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as refused:
        create_printer(session, data=PrinterInput(**({"ip_address": "10.1.1.1"} | fields)))
    session.rollback()
    return refused.value.errors


@pytest.mark.parametrize(
    ("ip", "why"),
    [
        ("0.0.0.0", "any address"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.251", "multicast"),
        ("250.1.1.1", "reserved"),
    ],
)
def test_addresses_no_printer_can_have_are_refused(session: Session, ip: str, why: str) -> None:
    assert why in _errors(session, ip_address=ip)["ip_address"]
    assert session.exec(select(func.count(Printer.id))).one() == 0


@pytest.mark.parametrize(
    ("mac", "why"),
    [("GG:00:00:00:00:01", "not a MAC"), ("00:00:00:00:00:00", "placeholder"), ("FF:FF:FF:FF:FF:FF", "broadcast")],
)
def test_macs_with_non_hex_characters_or_placeholders_are_refused(session: Session, mac: str, why: str) -> None:
    assert why in _errors(session, mac_address=mac)["mac_address"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("model", "M" * 201), ("serial_number", "S" * 101), ("snmp_v3_context", "c" * 65)],
)
def test_oversized_text_is_refused_not_truncated(session: Session, field: str, value: str) -> None:
    extra = {"snmp_version": "3", "snmp_v3_user": "u"} if field.startswith("snmp_v3") else {}
    assert "longer than" in _errors(session, **{field: value}, **extra)[field]


@pytest.mark.parametrize("value", ["abc", "1; DROP TABLE printer", "1.5", True])
def test_a_text_organization_id_gets_a_message(session: Session, value: object) -> None:
    make_org(session)
    errors = _errors(session, organization_id=value, device_model_id=value)
    assert set(errors) == {"organization_id", "device_model_id"}
    assert "Choose" in errors["organization_id"]


def test_a_printer_may_keep_its_inactive_organization(session: Session, engine: Engine) -> None:
    org = make_org(session, name="Archived Ltd")
    printer = make_printer(session, ip_address="10.1.1.1", organization_id=org.id)
    org.active = False
    session.commit()

    update_printer(session, printer_id=printer.id, data=_form(printer, serial_number="NEW"), version=printer.version)
    session.commit()

    assert _stored(engine, printer.id).serial_number == "NEW"
