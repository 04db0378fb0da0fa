"""Plausible demo data: organizations, models, printers and days of poll history (idempotent, bulk-inserted).

Demo printers live on loopback addresses (127.20.0.0/16) so a scheduled poll never leaves the machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from printer_app.models import (
    DeviceModel,
    InventoryTask,
    Manufacturer,
    Organization,
    PageCounter,
    Printer,
    SupplyLevel,
)
from printer_app.models.base import utcnow
from printer_app.models.choices import DataSource, MatchRule, TaskStatus, TriggeredBy
from printer_app.services.contracts.demo import load_contracts_demo
from printer_app.services.validators import ip_to_int

ORGANIZATIONS = [
    ("Baikal Medical Center", "BMC"),
    ("Angara Logistics", "ANG"),
    ("Irkutsk Energy Retail", "IER"),
    ("Siberian Polytechnic College", "SPC"),
    ("City Administration", "ADM"),
    ("Old Tenant (archived)", "OLD"),
]
# (manufacturer, model, colour) — the devices of the SNMP test recordings.
MODELS = [
    ("Brother", "HL-5370DW", False),
    ("Canon", "LBP6670", False),
    ("Epson", "WF-C5790", True),
    ("HP", "LaserJet MFP M130nw", False),
    ("HP", "Color LaserJet Pro M252dw", True),
    ("HP", "Color LaserJet flow MFP M880", True),
    ("OKI", "MC873", True),
    ("Ricoh", "Aficio MP C3002", True),
    ("Samsung", "M4080FX", False),
    ("Xerox", "AltaLink C8045", True),
]
COLOURS = ("black", "cyan", "magenta", "yellow")
FAILURES = [
    "No SNMP response from {ip}:161 within 2.0 s x 2 attempts",
    "Identity mismatch: serial differs and MAC differs",
]


@dataclass
class DemoStats:
    organizations: int = 0
    printers: int = 0
    polls: int = 0


_LETTERS = {"black": "K", "cyan": "C", "magenta": "M", "yellow": "Y"}
TONER_YIELD = {"black": 4_000, "cyan": 2_500, "magenta": 2_500, "yellow": 2_500}  # small cartridges: replacements show
DRUM_YIELD = 60_000


def _get_or_create(session: Session, model, lookup: dict, **extra):
    query = select(model)
    for key, value in lookup.items():
        col = getattr(model, key)
        query = query.where(func.lower(col) == value.lower() if isinstance(value, str) else col == value)
    obj = session.exec(query).first()
    if obj is None:
        obj = model(**lookup, **extra)
        session.add(obj)
        session.flush()
        return obj, True
    return obj, False


def load_demo_data(
    session: Session,
    *,
    printers: int = 60,
    days: int = 30,
    polls_per_day: int = 2,
    seed: int = 42,
    progress: Callable[[int, int], None] | None = None,
) -> DemoStats:
    """Create what is missing; printers that already have history get no more."""
    rng = random.Random(seed)
    stats = DemoStats()
    orgs = []
    for i, (name, code) in enumerate(ORGANIZATIONS):
        org, created = _get_or_create(session, Organization, {"name": name}, code=code, active=i < 5)
        orgs.append(org)
        stats.organizations += created
    models = []
    for maker, name, colour in MODELS:
        manufacturer, _ = _get_or_create(session, Manufacturer, {"name": maker})
        model, _ = _get_or_create(session, DeviceModel, {"manufacturer_id": manufacturer.id, "name": name})
        models.append((model, colour))

    existing = set(session.exec(select(Printer.ip_address).where(Printer.ip_address.like("127.20.%"))).all())
    new_rows = []
    for n in range(printers):
        ip = f"127.20.{n // 250}.{n % 250 + 1}"
        if ip in existing:
            continue
        model, _colour = models[n % len(models)]
        org = orgs[n % 5] if n % 13 else None
        new_rows.append(
            {
                "ip_address": ip,
                "ip_numeric": ip_to_int(ip),
                "serial_number": f"DEMO{n:06d}",
                "mac_address": "02:00:{:02X}:{:02X}:{:02X}:{:02X}".format(*(n.to_bytes(4, "big"))),
                "device_model_id": model.id,
                "organization_id": org.id if org else None,
                "is_active": n % 97 != 5,
            }
        )
    if new_rows:
        session.execute(insert(Printer), new_rows)
        stats.printers = len(new_rows)
    session.flush()

    todo = session.exec(
        select(Printer).where(Printer.ip_address.like("127.20.%"), Printer.last_poll_at.is_(None)).order_by(Printer.id)
    ).all()
    colour_of = {m.id: c for m, c in models}
    for i, printer in enumerate(todo):
        stats.polls += _history(session, printer, rng, days, polls_per_day, colour_of.get(printer.device_model_id))
        if progress and (i % 100 == 0 or i == len(todo) - 1):
            progress(i + 1, len(todo))
    load_contracts_demo(session)
    return stats


def _history(session: Session, printer: Printer, rng: random.Random, days: int, per_day: int, colour: bool) -> int:
    """Insert one printer's history in three bulk statements and point the printer at its latest poll."""
    if days * per_day == 0:  # `demo-data --days 0`: printers only (an empty bulk insert would add one blank row)
        return 0
    now = utcnow().replace(second=0, microsecond=0)
    total = rng.randint(2_000, 250_000)
    levels = {c: float(rng.randint(20, 100)) for c in (COLOURS if colour else COLOURS[:1])}
    replace_at = {c: rng.uniform(2, 12) for c in levels}  # people change a cartridge somewhere around "low"
    drum = float(rng.randint(30, 100))
    flaky = rng.random() < 0.08
    tasks, counters, supplies = [], [], []
    steps = days * per_day
    for step in range(steps):
        at = now - timedelta(hours=24 / per_day * (steps - 1 - step), minutes=rng.randint(0, 20))
        failed = rng.random() < (0.35 if flaky else 0.03)
        status = TaskStatus.FAILED if failed else TaskStatus.SUCCESS
        tasks.append(
            {
                "printer_id": printer.id,
                "task_timestamp": at,
                "status": status,
                "error_message": rng.choice(FAILURES).format(ip=printer.ip_address) if failed else "",
                "match_rule": None if failed else MatchRule.SN_MAC,
                "data_source": DataSource.SNMP_LOCAL,
                "triggered_by": TriggeredBy.AUTO_POLL,
            }
        )
        if failed:
            counters.append(None)
            continue
        printed = int(rng.expovariate(1 / (180 / per_day)))
        total += printed
        for c in levels:  # each page uses its share of a cartridge's rated yield
            share = 1.0 if c == "black" else rng.uniform(0.2, 0.4)
            levels[c] -= printed * share * 100 / TONER_YIELD[c]
            if levels[c] <= replace_at[c]:
                levels[c], replace_at[c] = 100.0, rng.uniform(2, 12)
        drum -= printed * 100 / DRUM_YIELD
        if drum <= 3:
            drum = 100.0
        counters.append(
            {
                "printer_id": printer.id,
                "recorded_at": at,
                "total_pages": total,
                "bw_a4": 0 if colour else total,
                "color_a4": total if colour else 0,
                "bw_a3": 0,
                "color_a3": 0,
                **{f"toner_{c}": str(int(v)) for c, v in levels.items()},
                "drum_black": str(int(drum)),
            }
        )
        supplies.append(
            [
                {
                    "description": f"TK-5240{_LETTERS[c]} ({c})",  # as Kyocera devices name them
                    "kind": "toner",
                    "color": c,
                    "level": int(v),
                    "max_capacity": 100,
                    "percent": int(v),
                    "state": "ok",
                    "supply_index": k + 1,
                }
                for k, (c, v) in enumerate(levels.items())
            ]
            + [
                {
                    "description": "DK-5231 drum unit",
                    "kind": "drum",
                    "color": "black",
                    "level": int(drum),
                    "max_capacity": 100,
                    "percent": int(drum),
                    "state": "ok",
                    "supply_index": len(levels) + 1,
                }
            ]
        )
    ids = session.scalars(insert(InventoryTask).returning(InventoryTask.id, sort_by_parameter_order=True), tasks).all()
    ok_rows = [(tid, c) for tid, c in zip(ids, counters, strict=True) if c is not None]
    counter_ids = []
    if ok_rows:
        counter_ids = session.scalars(
            insert(PageCounter).returning(PageCounter.id, sort_by_parameter_order=True),
            [{"task_id": tid, **c} for tid, c in ok_rows],
        ).all()
        session.execute(
            insert(SupplyLevel),
            [{"task_id": tid, **s} for (tid, _), group in zip(ok_rows, supplies, strict=True) for s in group],
        )
    last = tasks[-1]
    printer.last_poll_at = last["task_timestamp"]
    printer.last_poll_status = last["status"]
    printer.last_error = last["error_message"] or None
    if counter_ids:
        printer.last_counter_id = counter_ids[-1]
        printer.last_success_at = ok_rows[-1][1]["recorded_at"]
        printer.last_match_rule = MatchRule.SN_MAC
    session.add(printer)
    return len(tasks)
