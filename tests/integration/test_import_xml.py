"""GLPI-agent / FusionInventory XML import (docs/inventory-and-polling.md §8.2) through the standard pipeline, on real
agent output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from printer_app.models import InventoryTask, PageCounter
from printer_app.models.choices import DataSource, TaskStatus
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.polling.glpi_xml import import_glpi_xml, parse_glpi_xml
from printer_app.services.polling.reading import AcquisitionError
from tests.factories import make_printer
from tests.snmpsim_server import TESTDATA_DIR

XML_DIR = TESTDATA_DIR / "fusioninventory"
MAX_XML_BYTES, MAX_XML_DEPTH = 5 * 1024 * 1024, 32  # an agent's document for one printer is a few kB, 8 levels deep
SUMMARY = json.loads((TESTDATA_DIR / "expected_summary.json").read_text())
SAMPLES = sorted(p.stem for p in XML_DIR.glob("*.xml"))


def test_samples_present():
    assert len(SAMPLES) == 10, f"expected the ten FusionInventory samples under {XML_DIR}"


@pytest.mark.parametrize("name", SAMPLES)
def test_parse_real_agent_output(name):
    reading, _ = parse_glpi_xml((XML_DIR / f"{name}.xml").read_bytes())
    assert reading.data_source == DataSource.XML_IMPORT
    expected_serial = SUMMARY[name]["os"]["serial"] if name in SUMMARY else None
    # The agent reports INFO/SERIAL only where the device exposes prtGeneralSerialNumber or a vendor OID it knows.
    if reading.serial:
        assert reading.serial == expected_serial
    if reading.mac:
        assert len(reading.mac) == 17 and reading.mac == reading.mac.upper()


def test_brother_agent_ok_means_some_remaining():
    reading, _ = parse_glpi_xml((XML_DIR / "brother_hl5370dw.xml").read_bytes())
    toner = next(s for s in reading.supplies if s.kind == "toner")
    assert (toner.percent, toner.state) == (None, "some_remaining")
    assert reading.raw_counters == {"TOTAL": 7792} and reading.mac == "00:1B:A9:0B:A7:52"


def test_import_by_ip_argument_stores_counters(session):
    printer = make_printer(session, serial_number="W492KB03439")
    task = import_glpi_xml(session, data=(XML_DIR / "ricoh_mpc3002.xml").read_bytes(), ip=printer.ip_address)
    assert task.status == TaskStatus.SUCCESS and task.data_source == DataSource.XML_IMPORT
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
    # Colour device (cyan/magenta/yellow toners): everything is colour (docs/inventory-and-polling.md §4.1).
    assert (counter.total_pages, counter.color_a4, counter.bw_a4) == (271871, 271871, 0)
    assert (counter.toner_black, counter.toner_cyan, counter.waste_toner) == ("40", "20", "OK")


def test_import_finds_printer_by_ip_in_file_name_then_by_mac(session, tmp_path):
    by_name = make_printer(session, ip_address="10.9.8.7")
    data = (XML_DIR / "jetdirect_m130nw.xml").read_bytes()
    assert import_glpi_xml(session, data=data, filename="scan-10.9.8.7.xml").printer_id == by_name.id
    by_mac = make_printer(session, mac_address="00:1b:a9:0b:a7:52")
    task = import_glpi_xml(session, data=(XML_DIR / "brother_hl5370dw.xml").read_bytes(), filename="brother.xml")
    assert task.printer_id == by_mac.id


def test_import_errors_are_clear(session):
    data = (XML_DIR / "xerox.xml").read_bytes()  # no MAC in this sample
    with pytest.raises(NotFoundError, match="pass --ip"):
        import_glpi_xml(session, data=data, filename="xerox.xml")
    with pytest.raises(NotFoundError, match="No active printer has IP"):
        import_glpi_xml(session, data=data, ip="10.1.1.1")
    with pytest.raises(DomainValidationError, match="not a valid IPv4"):
        import_glpi_xml(session, data=data, ip="10.1.1")
    make_printer(session, mac_address="00:1B:A9:0B:A7:52", is_active=False)
    make_printer(session, mac_address="00:1B:A9:0B:A7:52")
    with pytest.raises(DomainValidationError, match="several printers"):
        import_glpi_xml(session, data=(XML_DIR / "brother_hl5370dw.xml").read_bytes())


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><REQUEST>&x;</REQUEST>',
        b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><REQUEST/>',
        b"<REQUEST><CONTENT>",
        b"<REQUEST><CONTENT/></REQUEST>",
    ],
)
def test_hostile_or_broken_xml_is_refused(payload):
    with pytest.raises(AcquisitionError, match="XML parse error"):
        parse_glpi_xml(payload)


def test_file_without_counters_or_supplies_fails_the_poll(session):
    printer = make_printer(session)
    xml = b"<REQUEST><CONTENT><DEVICE><INFO><SERIAL>X</SERIAL></INFO></DEVICE></CONTENT></REQUEST>"
    task = import_glpi_xml(session, data=xml, ip=printer.ip_address)
    assert task.status == TaskStatus.FAILED and "No valid page counters" in task.error_message


def test_file_with_supplies_but_no_counter_stores_them(session):
    printer = make_printer(session, serial_number="X")
    xml = b"<REQUEST><CONTENT><DEVICE><INFO><SERIAL>X</SERIAL></INFO><CARTRIDGES><TONERBLACK>35</TONERBLACK>"
    task = import_glpi_xml(session, data=xml + b"</CARTRIDGES></DEVICE></CONTENT></REQUEST>", ip=printer.ip_address)
    assert (task.status, task.note) == (TaskStatus.SUCCESS, "no page counter reported")
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
    assert (counter.total_pages, counter.toner_black) == (None, "35")


def test_samples_dir_is_in_the_repository():
    assert Path(XML_DIR).is_dir()


def _nothing_stored(session) -> bool:
    return session.exec(select(InventoryTask)).first() is None


def test_oversized_file_is_refused_and_nothing_stored(session):
    printer = make_printer(session)
    data = (XML_DIR / "ricoh_mpc3002.xml").read_bytes()
    padded = data.replace(b"</REQUEST>", b" " * (MAX_XML_BYTES - len(data) + 1) + b"</REQUEST>")
    with pytest.raises(AcquisitionError, match=r"^XML file too large: 5,242,881 bytes \(at most 5,242,880\)$"):
        import_glpi_xml(session, data=padded, ip=printer.ip_address)
    assert _nothing_stored(session)


def test_deeply_nested_file_is_refused_and_nothing_stored(session):
    printer = make_printer(session)
    deep = b"<REQUEST>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</REQUEST>"  # RecursionError before the cap
    with pytest.raises(AcquisitionError, match=rf"^XML parse error: elements nested deeper than {MAX_XML_DEPTH}"):
        import_glpi_xml(session, data=deep, ip=printer.ip_address)
    assert _nothing_stored(session)
    just_deep_enough = b"<REQUEST><CONTENT><DEVICE>" + b"<a>" * (MAX_XML_DEPTH - 3) + b"</a>" * (MAX_XML_DEPTH - 3)
    reading, _ = parse_glpi_xml(
        just_deep_enough + b"<PAGECOUNTERS><TOTAL>5</TOTAL></PAGECOUNTERS></DEVICE></CONTENT></REQUEST>"
    )
    assert reading.raw_counters == {"TOTAL": 5}
