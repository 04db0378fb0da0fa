"""The fleet supplies query, "what to order" and the supplies workbook, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC

import pytest
from openpyxl import load_workbook

from printer_app.services.supplies.export import export_supplies
from printer_app.services.supplies.fleet import SORTABLE, SupplyFilters, list_supplies
from printer_app.services.supplies.ordering import parse_days, what_to_order
from tests.factories import make_printer
from tests.integration.supplies_data import forecast, make_fleet


@pytest.fixture
def fleet(session):
    return make_fleet(session)


def _keys(fleet, rows) -> list[str]:
    names = {r.id: name for name, r in fleet.rows.items()}
    return [names[r.id] for r in rows]


def _list(session, fleet, **filters):
    return _keys(fleet, list_supplies(session, filters=SupplyFilters(**filters), page_size=200).rows)


def test_default_order_is_days_to_empty_with_no_figure_last_and_inactive_printers_left_out(session, fleet):
    page = list_supplies(session, filters=SupplyFilters())
    assert page.total == 8
    assert _keys(fleet, page.rows)[:5] == ["mono_k", "colour_drum", "colour_k", "other_k", "colour_c"]
    assert set(_keys(fleet, page.rows)[5:]) == {"mono_waste", "other_empty", "other_nodata"}


def test_a_row_carries_printer_organization_pages_and_part_number(session, fleet):
    rows = {r.id: r for r in list_supplies(session, filters=SupplyFilters()).rows}
    colour_k = rows[fleet.rows["colour_k"].id]
    assert (colour_k.ip_address, colour_k.serial_number, colour_k.organization) == ("10.1.0.5", "CLR-1", "Alpha Clinic")
    assert (colour_k.days_to_empty, colour_k.days_low, colour_k.days_high) == (9, pytest.approx(7.2), 11.25)
    assert (colour_k.last_pages, colour_k.avg_pages, colour_k.replacements) == (2400, 2300, 3)
    # the contract device's model, its primary black cartridge (not the X one, not the cyan one)
    assert (colour_k.part_number, colour_k.cartridge) == ("W2030A", "HP 415A")
    assert rows[fleet.rows["colour_c"].id].part_number == "W2031A"
    assert rows[fleet.rows["colour_drum"].id].part_number == ""  # a drum is not the toner cartridge
    mono_k = rows[fleet.rows["mono_k"].id]
    assert (mono_k.part_number, mono_k.model) == ("TK-1170", "Kyocera P2040")  # the printer's own catalogue model
    assert rows[fleet.rows["other_k"].id].part_number == ""


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "drum"}, {"colour_drum"}),
        ({"color": "cyan"}, {"colour_c", "other_nodata"}),
        ({"level_below": 10}, {"colour_drum", "mono_k", "other_empty"}),
        ({"empty_within": 7}, {"mono_k", "colour_drum", "other_empty"}),
        ({"empty_within": 10, "kind": "toner"}, {"mono_k", "colour_k", "other_empty"}),
        ({"search": "w2031"}, {"colour_c"}),
        ({"search": "beta sch"}, {"other_k", "other_empty", "other_nodata"}),
        ({"search": "10.1.0.2"}, {"mono_k", "mono_waste"}),
        ({"search": "%"}, set()),
        ({"search": "_"}, set()),
        ({"organization": "none"}, set()),
        ({"organization": "x'; drop table printer;--"}, None),  # not an id: no filter
        ({"kind": "<script>"}, None),
    ],
)
def test_filters(session, fleet, filters, expected):
    everything = set(_list(session, fleet))
    assert set(_list(session, fleet, **filters)) == (everything if expected is None else expected)


def test_organization_filter(session, fleet):
    assert set(_list(session, fleet, organization=str(fleet.beta.id))) == {"other_k", "other_empty", "other_nodata"}


@pytest.mark.parametrize("sort", list(SORTABLE))
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_pages_through_every_row_once(session, fleet, sort, descending):
    for n in range(70):  # ties and NULLs across page boundaries
        printer = make_printer(session, organization_id=fleet.beta.id if n % 2 else None)
        forecast(session, printer, "toner", "black", days=n % 5 or None, level_percent=n % 3 * 10 or None)
    session.commit()
    seen = []
    for page in (1, 2, 3, 4):
        result = list_supplies(
            session, filters=SupplyFilters(), sort=sort, descending=descending, page=page, page_size=25
        )
        seen += [r.id for r in result.rows]
    everything = list_supplies(session, filters=SupplyFilters(), page_size=200)
    assert everything.total == 78
    assert sorted(seen) == sorted(r.id for r in everything.rows)


def test_sorts_put_nulls_last_both_ways(session, fleet):
    up = _keys(fleet, list_supplies(session, filters=SupplyFilters(), sort="level").rows)
    down = _keys(fleet, list_supplies(session, filters=SupplyFilters(), sort="level", descending=True).rows)
    assert up[0] == "other_empty" and up[-1] == "other_nodata"
    assert down[0] == "mono_waste" and down[-1] == "other_nodata"
    by_part = _keys(fleet, list_supplies(session, filters=SupplyFilters(kind="toner"), sort="part").rows)
    assert by_part == ["mono_k", "colour_k", "colour_c", "other_k", "other_empty", "other_nodata"]
    by_part_down = _keys(
        fleet, list_supplies(session, filters=SupplyFilters(kind="toner"), sort="part", descending=True).rows
    )
    assert by_part_down[:3] == ["colour_c", "colour_k", "mono_k"]


def test_paging_counts_and_clamps(session, fleet):
    for n in range(60):
        printer = make_printer(session, organization_id=fleet.beta.id)
        forecast(session, printer, "toner", "black", days=100 + n)
    session.commit()
    first = list_supplies(session, filters=SupplyFilters(), page_size=25)
    assert (first.total, first.page_count, len(first.rows)) == (68, 3, 25)
    last = list_supplies(session, filters=SupplyFilters(), page=99, page_size=25)
    assert (last.page, len(last.rows)) == (3, 18)
    assert list_supplies(session, filters=SupplyFilters(), page_size=7).page_size == 50  # not an offered size


def test_what_to_order_groups_by_part_number_and_organization(session, fleet):
    twin = make_printer(
        session, serial_number="CLR-2", organization_id=fleet.alpha.id, device_model_id=fleet.mono.device_model_id
    )
    forecast(session, twin, "toner", "black", days=6)  # another TK-1170 for Alpha
    forecast(session, twin, "toner", "cyan", days=2)  # the mono model has no cyan cartridge
    session.commit()
    lines = what_to_order(session, filters=SupplyFilters(), days=14)
    got = {(line.organization, line.part_number or f"{line.model}/{line.kind}/{line.color}"): line for line in lines}
    assert {k: (v.count, v.printers) for k, v in got.items()} == {
        ("Alpha Clinic", "TK-1170"): (2, 2),
        ("Alpha Clinic", "W2030A"): (1, 1),
        ("Alpha Clinic", "/drum/black"): (1, 1),
        ("Alpha Clinic", "Kyocera P2040/toner/cyan"): (1, 1),
        ("Beta School", "/toner/black"): (1, 1),
        ("Beta School", "/toner/yellow"): (1, 1),
    }
    assert got[("Alpha Clinic", "TK-1170")].soonest_days == 3
    assert got[("Alpha Clinic", "W2030A")].cartridge == "HP 415A"
    assert lines[0].organization == "Alpha Clinic" and lines[0].count == 2  # largest first within an organization
    seven = what_to_order(session, filters=SupplyFilters(), days=7)
    assert sum(line.count for line in seven) == 5  # mono_k, twin black + cyan, drum, the empty yellow
    alpha_only = what_to_order(session, filters=SupplyFilters(organization=str(fleet.alpha.id)), days=60)
    assert sum(line.count for line in alpha_only) == 6


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("7", 7),
        (30, 30),
        ("0", 14),
        ("-3", 14),
        ("abc", 14),
        (True, 14),
        ("99999999", 14),
        (" 21 ", 21),
        ("3650", 3650),
    ],
)
def test_parse_days(value, days):
    assert parse_days(value) == days


def test_export_reopened_holds_both_tabs_with_numbers_and_formula_like_text_as_text(session, fleet):
    fleet.colour.location = ""
    fleet.rows["colour_k"].description = '=HYPERLINK("http://x")'
    session.add(fleet.rows["colour_k"])
    session.commit()
    data, count = export_supplies(session, filters=SupplyFilters(), days=14, tz=UTC, lang="en")
    assert count == 8
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Supplies", "What to order"]
    sheet = book["Supplies"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Organization", "IP address", "Serial number", "Model"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert len(rows) == 8
    first = dict(zip(header, rows[0], strict=True))
    assert (first["IP address"], first["Level, %"], first["Days to empty"], first["Part number"]) == (
        "10.1.0.20",
        4,
        3,
        "TK-1170",
    )
    formula = next(
        r
        for r in sheet.iter_rows(min_row=2)
        if r[1].value == "10.1.0.5" and r[4].value == "Toner" and r[5].value == "Black"
    )
    assert formula[6].value == '=HYPERLINK("http://x")' and formula[6].data_type == "s"
    nodata = next(dict(zip(header, r, strict=True)) for r in rows if r[5] == "Cyan" and r[1] == "10.2.0.7")
    assert (nodata["Level, %"], nodata["Days to empty"], nodata["Forecast"]) == (
        "Unknown (-2)",
        None,
        "No level reported",
    )
    order = [[c.value for c in r] for r in book["What to order"].iter_rows(min_row=2)]
    assert ["Alpha Clinic", "TK-1170", "Kyocera TK-1170", None, "Toner", "Black", 1, 1, 3] in order
    ru = load_workbook(
        io.BytesIO(export_supplies(session, filters=SupplyFilters(kind="drum"), days=14, tz=UTC, lang="ru")[0])
    )
    assert ru.sheetnames[0] == "Расходные материалы"
    assert ru.worksheets[0].max_row == 2
