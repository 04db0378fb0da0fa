"""A printer added from a scan is linked to the catalogue model it reported (the edit dialog then names it)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from printer_app.models import Printer
from printer_app.services.inventory.device_models import find_device_model
from printer_app.services.polling.discovery import add_found_printer, discover
from tests.factories import make_model
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401


def test_a_found_printer_is_linked_to_its_catalogue_model(session: Session, engine: Engine, snmpsim) -> None:  # noqa: F811
    wanted = make_model(session, "hp", "laserjet mfp m130nw")  # the scan says "HP" / "LaserJet MFP M130nw"
    make_model(session, "HP", "LaserJet MFP M130")  # a neighbour that must not match
    session.commit()
    [found] = discover([snmpsim.host], community="jetdirect_m130nw", port=snmpsim.port, timeout=1.0)

    printer = add_found_printer(
        session, found=found, community="jetdirect_m130nw", port=snmpsim.port, version="2c", organization_id=None
    )
    session.commit()

    with Session(engine) as fresh:
        stored = fresh.get(Printer, printer.id)
        assert stored.device_model_id == wanted.id
        assert stored.model == "HP LaserJet MFP M130nw"


def test_a_model_missing_from_the_catalogue_stays_free_text(session: Session) -> None:
    make_model(session, "HP", "LaserJet Pro M404")

    assert find_device_model(session, manufacturer="HP", model="LaserJet MFP M130nw") is None
    assert find_device_model(session, manufacturer="", model="") is None


def test_the_manufacturer_may_prefix_the_model_text(session: Session) -> None:
    model = make_model(session, "Kyocera", "ECOSYS M2040dn")

    assert find_device_model(session, manufacturer="", model="Kyocera ECOSYS M2040dn") == model
    assert find_device_model(session, manufacturer="Kyocera", model="KYOCERA ECOSYS M2040dn") == model
    assert find_device_model(session, manufacturer="Brother", model="ECOSYS M2040dn") is None
