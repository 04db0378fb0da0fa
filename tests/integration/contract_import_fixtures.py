"""Shared helpers of the contract-import tests: real xlsx files built with openpyxl and the reference data.

from tests.integration.contract_import_fixtures import app_database_fixture, reference_fixture, xlsx  # noqa: F401
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import Workbook
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models import Organization
from printer_app.models.contracts import City, ContractStatus, DeviceModel, Manufacturer, ServiceProvider
from tests.factories import make_org

HEADERS = (
    "№",
    "Организация",
    "Город",
    "Адрес",
    "№ кабинета",
    "Производитель",
    "Модель оборудования",
    "Серийный номер",
    "Месяц обслуживания",
    "Комментарий",
)


def xlsx(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[Any] | None = HEADERS,
    *,
    merges: Sequence[str] = (),
    before: Sequence[Sequence[Any]] = (),
    number_formats: dict[str, str] | None = None,
) -> bytes:
    """A real workbook: `before` rows (e.g. a title), the header row, then `rows`; `merges` like "B2:B4"."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Устройства"
    for row in before:
        sheet.append(list(row))
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    for ref, fmt in (number_formats or {}).items():
        sheet[ref].number_format = fmt
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(
    serial: Any = "SN-1",
    *,
    org: Any = "Alpha",
    city: Any = "Иркутск",
    address: Any = "ул. Ленина, 1",
    room: Any = "101",
    maker: Any = "HP",
    model: Any = "LaserJet M404",
    month: Any = "03.2024",
    comment: Any = "",
    num: Any = 1,
) -> list[Any]:
    """One data row in the order of HEADERS."""
    return [num, org, city, address, room, maker, model, serial, month, comment]


@dataclass
class Reference:
    alpha: Organization
    beta: Organization
    hp: Manufacturer
    kyocera: Manufacturer
    m404: DeviceModel
    fs: DeviceModel
    irkutsk: City
    status: ContractStatus
    other_status: ContractStatus
    provider: ServiceProvider


@pytest.fixture(name="reference")
def reference_fixture(session: Session) -> Reference:
    """Two organizations, two manufacturers with a model each, a city, two statuses and a provider (committed)."""
    alpha = make_org(session, name="Alpha")
    beta = make_org(session, name="Beta  Corp")
    hp = Manufacturer(name="HP")
    kyocera = Manufacturer(name="Kyocera")
    session.add_all([hp, kyocera])
    session.flush()
    m404 = DeviceModel(manufacturer_id=hp.id, name="LaserJet M404")
    fs = DeviceModel(manufacturer_id=kyocera.id, name="FS-1040")
    irkutsk = City(name="Иркутск")
    status = ContractStatus(name="На обслуживании", color="#00aa00")
    other = ContractStatus(name="Снят", color="#aa0000")
    provider = ServiceProvider(name="АМБ", code="amb", issue_tracker="okdesk")
    session.add_all([m404, fs, irkutsk, status, other, provider])
    session.commit()
    return Reference(alpha, beta, hp, kyocera, m404, fs, irkutsk, status, other, provider)


@pytest.fixture(name="app_database")
def app_database_fixture(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app's own engine (`session_scope`, which `apply_session` uses) at the test database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield db_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
