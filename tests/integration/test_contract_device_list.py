"""The contract devices list query: every filter, every sort (NULLs last, stable), paging, hostile inputs."""

from __future__ import annotations

from datetime import date

import pytest

from printer_app.services.contracts.device_list import (
    LINKED,
    NONE,
    SORTABLE,
    UNLINKED,
    DeviceFilters,
    count_devices,
    filter_options,
    iter_devices,
    list_devices,
    rows_by_ids,
)
from tests.integration.contract_devices_data import device, make_refs, polled_printer


@pytest.fixture
def data(session):
    refs = make_refs(session)
    printer = polled_printer(session, "PRN-1", total=5000, toner=(60, 12))
    devices = {
        "a1": device(
            session,
            refs,
            serial_number="PRN-1",
            address="Lenina 1",
            printer_id=printer.id,
            service_start_month=date(2025, 1, 1),
            room_number="101",
        ),
        "a2": device(
            session,
            refs,
            serial_number="ab_c%1",
            address="Karla Marksa 5",
            city_id=refs.angarsk.id,
            device_model_id=refs.kyocera.id,
            status_id=refs.repair.id,
            service_start_month=date(2025, 6, 1),
        ),
        "b1": device(
            session,
            refs,
            organization_id=refs.org_b.id,
            serial_number="XYZ",
            address="Sovetskaya 3",
            status_id=None,
            service_provider_id=refs.tonex.id,
            service_start_month=date(2026, 2, 1),
        ),
        "b2": device(
            session,
            refs,
            organization_id=refs.org_b.id,
            serial_number="",
            address="Lenina 77",
            service_provider_id=None,
            device_model_id=None,
        ),
    }
    session.commit()
    return refs, devices


def _ids(session, devices, **filters):
    page = list_devices(session, filters=DeviceFilters(**filters), page_size=200)
    names = {v.id: k for k, v in devices.items()}
    return sorted(names[r.id] for r in page.rows)


def test_filters(session, data):
    refs, devices = data
    assert _ids(session, devices) == ["a1", "a2", "b1", "b2"]
    assert _ids(session, devices, organization=str(refs.org_b.id)) == ["b1", "b2"]
    assert _ids(session, devices, city=str(refs.angarsk.id)) == ["a2"]
    assert _ids(session, devices, manufacturer=str(refs.kyocera.manufacturer_id)) == ["a2"]
    assert _ids(session, devices, model=str(refs.hp.id)) == ["a1", "b1"]
    assert _ids(session, devices, status=str(refs.repair.id)) == ["a2"]
    assert _ids(session, devices, status=NONE) == ["b1"]
    assert _ids(session, devices, provider=str(refs.tonex.id)) == ["b1"]
    assert _ids(session, devices, provider=NONE) == ["b2"]
    assert _ids(session, devices, linked=LINKED) == ["a1"]
    assert _ids(session, devices, linked=UNLINKED) == ["a2", "b1", "b2"]
    assert _ids(session, devices, search="lenina") == ["a1", "b2"]
    assert _ids(session, devices, search="  xyz ") == ["b1"]
    assert _ids(session, devices, month_from=date(2025, 6, 1)) == ["a2", "b1"]
    assert _ids(session, devices, month_to=date(2025, 6, 30)) == ["a1", "a2"]
    assert _ids(session, devices, month_from=date(2025, 2, 1), month_to=date(2026, 1, 1)) == ["a2"]
    assert _ids(session, devices, organization=str(refs.org_a.id), city=str(refs.irkutsk.id)) == ["a1"]


def test_search_takes_wildcards_literally_and_hostile_values_are_ignored(session, data):
    _refs, devices = data
    assert _ids(session, devices, search="b_c%") == ["a2"]
    assert _ids(session, devices, search="_") == ["a2"]
    assert _ids(session, devices, search="%") == ["a2"]
    assert _ids(session, devices, search="'; DROP TABLE contractdevice; --") == []
    # ids that are no id (forged URL values) filter nothing, out-of-range ids match nothing without an error
    assert _ids(session, devices, organization="1 OR 1=1", city="-3", status="x") == ["a1", "a2", "b1", "b2"]
    assert _ids(session, devices, organization="2147483647") == []
    assert _ids(session, devices, organization="99999999999999") == ["a1", "a2", "b1", "b2"]
    assert count_devices(session, DeviceFilters(linked="maybe")) == 4


def test_joined_printer_columns(session, data):
    _refs, devices = data
    rows = {r.id: r for r in list_devices(session, filters=DeviceFilters()).rows}
    linked = rows[devices["a1"].id]
    assert linked.printer_ip and linked.total == 5000 and linked.lowest_toner == 12  # the drum (1 %) is no toner
    assert linked.status == "Active" and linked.status_color == "#2e7d32" and linked.room == "101"
    assert linked.manufacturer == "HP" and linked.model == "LaserJet M404" and linked.city == "Irkutsk"
    unlinked = rows[devices["b2"].id]
    assert (unlinked.printer_ip, unlinked.total, unlinked.lowest_toner, unlinked.model) == ("", None, None, "")
    assert [r.id for r in rows_by_ids(session, [devices["b2"].id, devices["a1"].id])] == [
        devices["b2"].id,
        devices["a1"].id,
    ]


@pytest.mark.parametrize("sort", sorted(SORTABLE))
def test_every_sort_puts_nulls_last_both_ways(session, data, sort):
    for descending in (False, True):
        rows = list_devices(session, filters=DeviceFilters(), sort=sort, descending=descending).rows
        assert len(rows) == 4
        values = [_sort_value(r, sort) for r in rows]
        present = [v for v in values if v is not None]
        assert values == present + [None] * (len(values) - len(present)), (sort, descending, values)
        assert present == sorted(present, reverse=descending), (sort, descending, values)


def _sort_value(row, sort):
    value = {
        "organization": row.organization.lower(),
        "city": row.city.lower() or None,
        "address": row.address.lower(),
        "room": row.room.lower(),
        "manufacturer": row.manufacturer.lower() or None,
        "model": row.model.lower() or None,
        "serial": row.serial.lower(),
        "status": row.status.lower() or None,
        "provider": row.provider.lower() or None,
        "service_month": row.service_month,
        "printer": row.printer_ip or None,
        "total": row.total,
        "lowest_toner": row.lowest_toner,
        "comment": row.comment.lower(),
        "updated": None,
    }[sort]
    return None if sort == "updated" else value


def test_unknown_sort_falls_back_and_ties_are_stable(session, data):
    rows = list_devices(session, filters=DeviceFilters(), sort="1; DROP", descending=False).rows
    assert [r.organization for r in rows] == ["Alpha Clinic", "Alpha Clinic", "beta School", "beta School"]
    same_org = [r.id for r in rows[:2]]
    assert same_org == sorted(same_org)  # equal keys: by id


def test_paging_clamps(session, data):
    _refs, _devices = data
    first = list_devices(session, filters=DeviceFilters(), page=1, page_size=25)
    assert first.total == 4 and first.page_count == 1 and len(first.rows) == 4
    assert list_devices(session, filters=DeviceFilters(), page=99).page == 1
    assert list_devices(session, filters=DeviceFilters(), page=-5).page == 1
    assert list_devices(session, filters=DeviceFilters(), page_size=7).page_size == 50  # not an offered size
    assert len(list(iter_devices(session, filters=DeviceFilters(organization=str(data[0].org_a.id))))) == 2
    assert list_devices(session, filters=DeviceFilters(search="nothing at all")).rows == []


def test_filter_options(session, data):
    refs, _devices = data
    options = filter_options(session)
    assert [n for _i, n in options["organizations"]] == ["Alpha Clinic", "beta School"]
    assert [n for _i, n in options["models"]] == ["HP LaserJet M404", "Kyocera ECOSYS P2040"]
    assert (str(refs.kyocera.id), str(refs.kyocera.manufacturer_id)) in options["model_makers"]
    assert (str(refs.repair.id), "#ffeb3b") in options["status_colors"]


def test_search_and_sort_ignore_the_case_of_cyrillic_letters(session, data):
    refs, devices = data
    extra = device(session, refs, serial_number="СН-Ж1", address="улица ЛЕНИНА, 5")
    session.commit()
    names = {**devices, "ru": extra}
    assert _ids(session, names, search="Ленина") == ["ru"]
    assert _ids(session, names, search="сн-ж") == ["ru"]
    rows = list_devices(session, filters=DeviceFilters(), sort="address").rows
    assert [r.address for r in rows][-1] == "улица ЛЕНИНА, 5"  # sorted as "улица ленина", after the Latin ones
