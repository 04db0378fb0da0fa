"""SNMP settings on the printer form: version, port, v3 credentials (secrets write-only, kept when left empty)."""

from __future__ import annotations

import pytest

from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printers import PrinterInput, create_printer, update_printer


def v3(**overrides) -> PrinterInput:
    data = {
        "ip_address": "10.2.0.1",
        "snmp_version": "3",
        "snmp_v3_user": "simulator",
        "snmp_v3_auth_protocol": "SHA-256",
        "snmp_v3_auth_key": "auctoritas",
        "snmp_v3_priv_protocol": "AES",
        "snmp_v3_priv_key": "privatus",
    }
    return PrinterInput(**(data | overrides))


def test_v3_printer_is_stored(session):
    printer = create_printer(session, data=v3(snmp_port=1161))
    assert (printer.snmp_version, printer.snmp_port, printer.snmp_v3_user) == ("3", 1161, "simulator")
    assert (printer.snmp_v3_auth_key, printer.snmp_v3_priv_protocol) == ("auctoritas", "AES")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"snmp_version": "4"}, "snmp_version"),
        ({"snmp_port": 0}, "snmp_port"),
        ({"snmp_port": 70000}, "snmp_port"),
        ({"snmp_v3_user": ""}, "snmp_v3_user"),
        ({"snmp_v3_auth_protocol": "SHA-999"}, "snmp_v3_auth_protocol"),
        ({"snmp_v3_auth_protocol": "", "snmp_v3_auth_key": None}, "snmp_v3_priv_protocol"),  # priv needs auth
        ({"snmp_v3_auth_key": "short"}, "snmp_v3_auth_key"),
        ({"snmp_v3_auth_key": None}, "snmp_v3_auth_key"),  # a protocol without its key
    ],
)
def test_invalid_snmp_settings_are_refused_with_the_field_named(session, overrides, field):
    with pytest.raises(DomainValidationError) as caught:
        create_printer(session, data=v3(**overrides))
    assert field in caught.value.errors


def test_update_without_new_secrets_keeps_the_stored_ones(session):
    printer = create_printer(session, data=v3())
    update_printer(session, printer_id=printer.id, data=v3(snmp_v3_auth_key=None, snmp_v3_priv_key=""))
    session.refresh(printer)
    assert (printer.snmp_v3_auth_key, printer.snmp_v3_priv_key) == ("auctoritas", "privatus")
    update_printer(session, printer_id=printer.id, data=v3(snmp_v3_auth_key="new-secret-1"))
    session.refresh(printer)
    assert printer.snmp_v3_auth_key == "new-secret-1"


def test_v2c_printer_ignores_v3_fields(session):
    printer = create_printer(session, data=PrinterInput(ip_address="10.2.0.2", snmp_v3_user="ignored"))
    assert (printer.snmp_version, printer.snmp_port, printer.snmp_v3_user) == ("2c", 161, None)
