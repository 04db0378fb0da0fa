"""Contracts reference data: validation, case-insensitive uniqueness, refusal to delete a row in use, the change
log, the listing, the cartridges of a model and the seeded service providers."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from printer_app.i18n import use_language
from printer_app.models import (
    City,
    ContractStatus,
    DeviceModel,
    DeviceModelCartridge,
    EntityChangeLog,
    Manufacturer,
    ServiceProvider,
)
from printer_app.services.audit import Actor
from printer_app.services.contracts import reference
from printer_app.services.contracts.model_cartridges import (
    link_cartridge,
    model_cartridges,
    set_primary,
    unlink_cartridge,
)
from printer_app.services.contracts.reference import create_row, delete_row, update_row, usage
from printer_app.services.contracts.reference_list import choices, list_rows
from printer_app.services.contracts.seed import seed_service_providers
from printer_app.services.errors import DomainValidationError, NotFoundError
from tests.factories import make_contract_device, make_model, make_printer
from tests.integration.cli_runner import app_cli  # noqa: F401


def _count(engine: Engine, model) -> int:
    with Session(engine) as fresh:
        return fresh.exec(select(func.count()).select_from(model)).one()


def _refusal(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def test_a_duplicate_name_is_refused_ignoring_case_and_nothing_is_stored(session: Session, engine: Engine) -> None:
    create_row(session, "city", {"name": "  Иркутск "})
    session.commit()

    errors = _refusal(create_row, session, "city", {"name": "иркутск"})

    assert errors == {"name": "A city named “Иркутск” already exists"}
    assert _count(engine, City) == 1


def test_renaming_onto_another_name_is_refused_but_keeping_ones_own_name_is_not(session: Session) -> None:
    create_row(session, "manufacturer", {"name": "HP"})
    kyocera = create_row(session, "manufacturer", {"name": "Kyocera"})

    assert _refusal(update_row, session, "manufacturer", kyocera.id, {"name": "hp"}) == {
        "name": "A manufacturer named “HP” already exists"
    }
    assert update_row(session, "manufacturer", kyocera.id, {"name": "KYOCERA"}).name == "KYOCERA"


def test_the_unique_index_answers_a_race_with_the_same_message(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two saves that both passed the check: the second insert meets the unique index and gets the clear error."""
    session.add(City(name="Angarsk"))
    session.flush()
    unchecked = dataclasses.replace(reference.KINDS["city"], check=lambda _session, values, _row: dict(values))
    monkeypatch.setitem(reference.KINDS, "city", unchecked)

    assert _refusal(create_row, session, "city", {"name": "ANGARSK"}) == {
        "name": "A city named “ANGARSK” already exists"
    }


@pytest.mark.parametrize(
    ("key", "values", "fields"),
    [
        ("city", {"name": "  "}, {"name"}),
        ("city", {"name": "x" * 129}, {"name"}),
        ("devicemodel", {"name": "M404", "manufacturer_id": "999"}, {"manufacturer_id"}),
        ("devicemodel", {"name": "", "manufacturer_id": ""}, {"name", "manufacturer_id"}),
        ("cartridge", {"name": "CF259A", "color": "purple"}, {"color"}),
        ("cartridge", {"name": "CF259A", "part_number": "p" * 101, "capacity": "c" * 101}, {"part_number", "capacity"}),
        ("contractstatus", {"name": "Active", "color": "red"}, {"color"}),
        ("contractstatus", {"name": "", "color": "#12345"}, {"name", "color"}),
        ("serviceprovider", {"name": "X", "code": "Bad Code!"}, {"code"}),
        ("serviceprovider", {"name": "X", "code": "x", "support_email": "not-an-address"}, {"support_email"}),
        ("serviceprovider", {"name": "X", "code": "x", "issue_tracker": "jira"}, {"issue_tracker"}),
    ],
)
def test_invalid_input_is_refused_field_by_field(session: Session, key: str, values: dict, fields: set) -> None:
    assert set(_refusal(create_row, session, key, values)) == fields


def test_a_status_colour_is_validated_and_stored_in_lower_case(session: Session) -> None:
    status = create_row(session, "contractstatus", {"name": "На обслуживании", "color": "#1A2B3C"})
    assert status.color == "#1a2b3c"
    assert (
        "six hex digits"
        in _refusal(update_row, session, "contractstatus", status.id, {"name": "X", "color": "#GGG000"})["color"]
    )
    assert create_row(session, "contractstatus", {"name": "Default"}).color == "#6c757d"


def test_a_model_name_is_unique_per_manufacturer(session: Session) -> None:
    hp = create_row(session, "manufacturer", {"name": "HP"})
    canon = create_row(session, "manufacturer", {"name": "Canon"})
    create_row(session, "devicemodel", {"name": "LaserJet 400", "manufacturer_id": hp.id})

    assert _refusal(create_row, session, "devicemodel", {"name": "laserjet 400", "manufacturer_id": str(hp.id)}) == {
        "name": "A model named “LaserJet 400” of HP already exists"
    }
    other = create_row(
        session,
        "devicemodel",
        {
            "name": "LaserJet 400",
            "manufacturer_id": str(canon.id),
            "device_type": "scanner",
            "has_network_port": "false",
        },
    )
    assert (other.device_type, other.has_network_port) == ("scanner", False)


def test_a_provider_code_is_a_unique_slug(session: Session) -> None:
    create_row(session, "serviceprovider", {"name": "Alpha", "code": "alpha", "support_email": "help@alpha.example"})

    assert _refusal(create_row, session, "serviceprovider", {"name": "Beta", "code": "ALPHA"}) == {
        "code": "The code alpha is already used by Alpha"
    }


def test_a_row_in_use_is_not_deleted_and_the_refusal_says_where_it_is_used(session: Session, engine: Engine) -> None:
    model = make_model(session, "HP", "M404")
    make_printer(session, device_model_id=model.id)
    for _ in range(2):
        make_contract_device(session, device_model_id=model.id)
    session.commit()

    errors = _refusal(delete_row, session, "devicemodel", model.id)
    assert errors == {"form": "“M404” cannot be deleted: it is used by 2 contract devices and 1 printer."}
    maker_errors = _refusal(delete_row, session, "manufacturer", model.manufacturer_id)
    assert maker_errors == {"form": "“HP” cannot be deleted: it is used by 1 device model."}
    assert _count(engine, DeviceModel) == 1
    assert _count(engine, Manufacturer) == 1


def test_usage_counts_statuses_cities_and_providers(session: Session) -> None:
    city = create_row(session, "city", {"name": "Братск"})
    status = create_row(session, "contractstatus", {"name": "Active"})
    provider = create_row(session, "serviceprovider", {"name": "Tonex2", "code": "tonex2"})
    make_contract_device(session, city_id=city.id, status_id=status.id, service_provider_id=provider.id)

    assert usage(session, "city", city.id) == "1 contract device"
    assert usage(session, "contractstatus", status.id) == "1 contract device"
    assert "1 contract device" in _refusal(delete_row, session, "serviceprovider", provider.id)["form"]


def test_create_update_delete_are_written_to_the_change_log(session: Session) -> None:
    actor = Actor(user_id=None, ip="10.0.0.9", user_agent="test")
    city = create_row(session, "city", {"name": "Шелехов"}, actor=actor)
    update_row(session, "city", city.id, {"name": "Шелехов"}, actor=actor)  # unchanged: no row
    update_row(session, "city", city.id, {"name": "Шелехово"}, actor=actor)
    city_id = city.id
    assert delete_row(session, "city", city_id, actor=actor) == "Шелехово"

    entries = session.exec(
        select(EntityChangeLog).where(EntityChangeLog.object_type == "city").order_by(EntityChangeLog.id)
    ).all()
    assert [(e.action, e.object_id, e.ip_address) for e in entries] == [
        ("create", city_id, "10.0.0.9"),
        ("update", city_id, "10.0.0.9"),
        ("delete", city_id, "10.0.0.9"),
    ]
    assert entries[1].changes["name"]["old"] == "Шелехов"
    assert entries[1].changes["name"]["new"] == "Шелехово"


def test_a_missing_row_or_table_is_a_clear_error(session: Session) -> None:
    with pytest.raises(NotFoundError, match="City #42 does not exist"):
        update_row(session, "city", 42, {"name": "X"})
    with pytest.raises(NotFoundError, match="no reference table"):
        create_row(session, "printer", {"name": "X"})


def test_the_list_searches_sorts_pages_and_counts_uses(session: Session) -> None:
    for name in ("Ангарск", "Братск", "Иркутск", "Усолье-Сибирское"):
        create_row(session, "city", {"name": name})
    irkutsk = session.exec(select(City).where(City.name == "Иркутск")).one()
    make_contract_device(session, city_id=irkutsk.id)

    page = list_rows(session, "city", sort="devices", descending=True, page_size=25)
    assert (page.total, page.rows[0]["name"], page.rows[0]["devices"]) == (4, "Иркутск", 1)
    assert [r["name"] for r in list_rows(session, "city", search="Ирк").rows] == ["Иркутск"]
    assert list_rows(session, "city", search="ск").total == 4
    assert list_rows(session, "city", search="%").total == 0
    second = list_rows(session, "city", page=2, page_size=25)
    assert second.page == 1  # clamped to the pages there are
    model = make_model(session, "Kyocera", "ECOSYS P2040")
    models = list_rows(session, "devicemodel", search="kyocera")
    assert [(r["manufacturer"], r["name"]) for r in models.rows] == [("Kyocera", model.name)]


def test_names_sort_ignoring_case_in_every_alphabet(session: Session) -> None:
    for name in ("Братск", "ангарск", "Zima", "abakan"):
        create_row(session, "city", {"name": name})

    assert [r["name"] for r in list_rows(session, "city").rows] == ["abakan", "Zima", "ангарск", "Братск"]
    assert [n for _, n in choices(session, "city")] == ["abakan", "Zima", "ангарск", "Братск"]
    assert [r["name"] for r in list_rows(session, "city", search="БРАТ").rows] == ["Братск"]


def test_the_cartridges_of_a_model(session: Session, engine: Engine) -> None:
    model = make_model(session, "HP", "M404")
    black = create_row(session, "cartridge", {"name": "CF259A", "part_number": "CF259A"})
    drum = create_row(session, "cartridge", {"name": "CF232A", "color": "other"})
    link_cartridge(session, model_id=model.id, cartridge_id=drum.id, is_primary=False)
    link = link_cartridge(session, model_id=model.id, cartridge_id=black.id, is_primary=True)

    assert [(c.name, c.is_primary) for c in model_cartridges(session, model.id)] == [
        ("CF259A", True),
        ("CF232A", False),
    ]
    assert "1 device model" in _refusal(delete_row, session, "cartridge", black.id)["form"]
    set_primary(session, link_id=link.id, is_primary=False)
    unlink_cartridge(session, link_id=link.id)
    assert [c.name for c in model_cartridges(session, model.id)] == ["CF232A"]
    assert _refusal(link_cartridge, session, model_id=model.id, cartridge_id="nope", is_primary=False) == {
        "cartridge_id": "Choose the cartridge"
    }
    session.commit()
    actions = session.exec(
        select(EntityChangeLog.action).where(EntityChangeLog.object_type == "devicemodelcartridge")
    ).all()
    assert sorted(actions) == ["create", "create", "delete", "update"]
    assert _count(engine, DeviceModelCartridge) == 1


def test_seeding_the_providers_is_idempotent_and_keeps_a_users_edits(session: Session) -> None:
    assert seed_service_providers(session) == 2
    amb = session.exec(select(ServiceProvider).where(ServiceProvider.code == "amb")).one()
    assert (amb.name, amb.issue_tracker, amb.support_email) == ("АМБ", "okdesk", "servicedesk@amb.example")
    update_row(session, "serviceprovider", amb.id, {"name": "АМБ-Сервис", "code": "amb", "issue_tracker": "okdesk"})

    assert seed_service_providers(session) == 0
    assert session.get(ServiceProvider, amb.id).name == "АМБ-Сервис"
    tonex = session.exec(select(ServiceProvider).where(ServiceProvider.code == "tonex")).one()
    assert tonex.issue_tracker == "none"


def test_statuses_list_with_their_colour(session: Session) -> None:
    create_row(session, "contractstatus", {"name": "Active", "color": "#198754", "is_active": True})
    rows = list_rows(session, "contractstatus").rows
    assert rows[0]["color"] == "#198754"
    assert session.exec(select(ContractStatus)).one().is_active


def test_init_db_seeds_the_providers_once(app_cli, session: Session) -> None:  # noqa: F811
    first = app_cli("init-db")
    assert first.exit_code == 0, first.output
    assert "Service providers: 2 created." in first.stdout
    second = app_cli("init-db")
    assert "Service providers" not in second.stdout
    codes = session.exec(select(ServiceProvider.code).order_by(ServiceProvider.code)).all()
    assert codes == ["amb", "tonex"]


def test_the_in_use_refusal_in_russian_uses_the_plural_forms(session: Session) -> None:
    city = create_row(session, "city", {"name": "Иркутск"})
    for _ in range(2):
        make_contract_device(session, city_id=city.id)

    with use_language("ru"):
        errors = _refusal(delete_row, session, "city", city.id)
        duplicate = _refusal(create_row, session, "city", {"name": "ИРКУТСК"})
    assert errors == {"form": "«Иркутск» нельзя удалить: используется в 2 устройствах по договору."}
    assert duplicate == {"name": "Город «Иркутск» уже существует"}
