"""Find printers on address ranges: every address answering SNMP with a Printer-MIB is reported.

A scan may try several communities: each address is asked with them in order and the first that answers is the
one reported (and stored on a printer added from the find).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlmodel import Session, select

from printer_app.i18n import format_number, gettext
from printer_app.models import InventoryTask, Printer
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printers import PrinterInput, create_printer
from printer_app.services.snmp.poller import SnmpTarget, SnmpUnreachable, poll_many
from printer_app.services.validators import check_community

MAX_ADDRESSES = 4096
MAX_COMMUNITIES = 8  # each one costs a timeout per silent address
_COMMUNITY_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass
class Found:
    ip: str
    manufacturer: str
    model: str
    serial: str
    mac: str
    total_pages: int | None
    sys_descr: str
    community: str = ""  # the community the device answered to


def parse_communities(text: str) -> list[str]:
    """The communities of a scan as typed (separated by commas, semicolons, spaces or lines), in order, each once;
    DomainValidationError naming the bad one(s)."""
    names = list(dict.fromkeys(part for part in _COMMUNITY_SEPARATORS.split(text or "") if part))
    if not names:
        raise DomainValidationError({"community": gettext("Enter at least one SNMP community")})
    if len(names) > MAX_COMMUNITIES:
        raise DomainValidationError(
            {"community": gettext("At most {n} communities per scan", n=format_number(MAX_COMMUNITIES))}
        )
    bad = []
    for name in names:
        try:
            check_community(name)
        except ValueError:
            bad.append(name[:40])
    if bad:
        raise DomainValidationError(
            {
                "community": gettext(
                    "Not a valid SNMP community: {names} (letters, digits, '_' and '-' only, 1-64 characters)",
                    names=", ".join(bad),
                )
            }
        )
    return names


@dataclass(frozen=True)
class _Block:
    """The addresses of one spec as an inclusive range of integers: nothing is built per address."""

    first: int
    last: int


def count_targets(specs: list[str]) -> int:
    """How many distinct addresses the specs cover; refuses more than MAX_ADDRESSES before building anything."""
    return _distinct(_blocks(specs))


def expand_targets(specs: list[str]) -> list[str]:
    """IPs from "a.b.c.d", "a.b.c.d-a.b.c.e", "a.b.c.d-e" or CIDR "a.b.c.0/24", in input order, each once."""
    return list(iter_targets(specs))


def iter_targets(specs: list[str]) -> Iterator[str]:
    """Like `expand_targets`, one address at a time (the specs are checked at once, before the first)."""
    blocks = _blocks(specs)
    _distinct(blocks)

    def addresses() -> Iterator[str]:
        seen: set[int] = set()  # at most MAX_ADDRESSES of them
        for block in blocks:
            for n in range(block.first, block.last + 1):
                if n not in seen:
                    seen.add(n)
                    yield str(ipaddress.IPv4Address(n))

    return addresses()


def _blocks(specs: list[str]) -> list[_Block]:
    parts = (part for raw in specs for part in raw.replace(",", " ").split())
    blocks = [_block(spec) for spec in islice(parts, MAX_ADDRESSES + 1)]
    if len(blocks) > MAX_ADDRESSES:
        raise DomainValidationError(
            {
                "targets": gettext(
                    "At most {max} addresses or ranges can be entered at once", max=format_number(MAX_ADDRESSES)
                )
            }
        )
    return blocks


def _block(spec: str) -> _Block:
    """One spec's range (a CIDR block's hosts), refused above the limit."""
    if "/" in spec:
        return _cidr_block(spec)
    try:
        first_s, dash, last_s = spec.partition("-")
        first = ipaddress.IPv4Address(first_s)
        if not dash:
            last = first
        elif "." in last_s:
            last = ipaddress.IPv4Address(last_s)
        else:
            last = ipaddress.IPv4Address(f"{first_s.rsplit('.', 1)[0]}.{int(last_s)}")
    except ValueError as exc:
        raise DomainValidationError({"targets": _not_an_address(spec, exc)}) from None
    if last < first:
        raise DomainValidationError({"targets": gettext("Range {spec} ends before it starts", spec=spec)})
    _check_size(int(last) - int(first) + 1, spec)
    return _Block(int(first), int(last))


def _cidr_block(spec: str) -> _Block:
    try:
        net = ipaddress.IPv4Network(spec, strict=False)
    except ValueError as exc:
        raise DomainValidationError({"targets": _not_an_address(spec, exc)}) from None
    _check_size(net.num_addresses, str(net))
    first, last = int(net.network_address), int(net.broadcast_address)
    return _Block(first + 1, last - 1) if net.num_addresses > 2 else _Block(first, last)


def _distinct(blocks: list[_Block]) -> int:
    """How many addresses the blocks cover together (overlaps once), refused above the limit."""
    total, reach = 0, -1
    for block in sorted(blocks, key=lambda b: b.first):
        if block.last > reach:
            total += block.last - max(block.first, reach + 1) + 1
            reach = block.last
    _check_size(total, "")
    return total


def _not_an_address(spec: str, exc: ValueError) -> str:
    return gettext("'{spec}' is not an IPv4 address, range or CIDR ({reason})", spec=spec, reason=exc)


def _check_size(n: int, spec: str) -> None:
    """Refuse more than MAX_ADDRESSES in one spec, or (`spec` empty) in all of them together."""
    if n > MAX_ADDRESSES:
        values = {"n": format_number(n), "max": format_number(MAX_ADDRESSES)}
        msg = (
            gettext("{spec} has {n} addresses; at most {max} can be scanned at once", spec=spec, **values)
            if spec
            else gettext("These ranges have {n} addresses together; at most {max} can be scanned at once", **values)
        )
        raise DomainValidationError({"targets": msg})


def discover_in_chunks(
    specs: list[str],
    *,
    chunk_size: int = 256,
    progress: Callable[[int, int, list[Found]], None] | None = None,
    **options,
) -> list[Found]:
    """Like `discover`, reporting (scanned, total, found so far) after each chunk of addresses."""
    total = count_targets(specs)
    addresses = iter_targets(specs)
    found: list[Found] = []
    scanned = 0
    while chunk := list(islice(addresses, chunk_size)):
        found += discover(chunk, **options)
        scanned += len(chunk)
        if progress:
            progress(scanned, total, found)
    return found


def discover(
    specs: list[str],
    *,
    community: str | Sequence[str] = "public",
    port: int = 161,
    version: str = "2c",
    timeout: float = 1.0,
    retries: int = 0,
    concurrency: int = 128,
) -> list[Found]:
    """Scan the addresses concurrently, with each community in turn for the addresses no earlier one reached;
    unreachable addresses and non-printers are left out."""
    communities = [community] if isinstance(community, str) else list(community)
    ips = expand_targets(specs)
    answered: dict[str, tuple[str, object]] = {}  # ip -> (community, poll result)
    for name in communities:
        waiting = [ip for ip in ips if ip not in answered]
        if not waiting:
            break
        targets = [
            SnmpTarget(host=ip, port=port, community=name, version=version, timeout=timeout, retries=retries)
            for ip in waiting
        ]
        results = asyncio.run(poll_many(targets, concurrency=concurrency))
        for ip, result in zip(waiting, results, strict=True):
            if not isinstance(result, SnmpUnreachable):
                answered[ip] = (name, result)
    found = []
    for ip in ips:
        if ip not in answered:
            continue
        name, result = answered[ip]
        if result.counters.get("total") is None and not result.supplies:
            continue  # answers SNMP but has no Printer-MIB
        found.append(
            Found(
                ip=ip,
                manufacturer=result.manufacturer or "",
                model=result.model or "",
                serial=result.serial or "",
                mac=result.mac or "",
                total_pages=result.counters.get("total"),
                sys_descr=result.sys_descr or "",
                community=name,
            )
        )
    return found


def known_addresses(session: Session, port: int = 161) -> set[str]:
    """The IP addresses of the active printers polled on SNMP `port` (the scan's): a device found there is already in
    the inventory (one found on an IP whose printers use other ports may be another device behind a print server)."""
    return set(session.exec(select(Printer.ip_address).where(Printer.is_active, Printer.snmp_port == port)).all())


def added_since(
    session: Session, ips: list[str], since: datetime, port: int = 161
) -> dict[str, tuple[int, str | None]]:
    """The active printers at `ips` (on SNMP `port`, the scan's) created at or after `since` (added from a scan's
    page), each with the status of its latest poll (None before its first): what the page shows beside its finds
    after a reload."""
    if not ips:
        return {}
    latest = (
        select(InventoryTask.status)
        .where(InventoryTask.printer_id == Printer.id)
        .order_by(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Printer.ip_address, Printer.id, latest).where(
            Printer.is_active, Printer.ip_address.in_(ips), Printer.snmp_port == port, Printer.created_at >= since
        )
    ).all()
    return {ip: (printer_id, status) for ip, printer_id, status in rows}


def add_found_printer(
    session: Session,
    *,
    found: Found,
    community: str,
    port: int,
    version: str,
    organization_id: int | None,
    actor: Actor | None = None,
) -> Printer:
    """Store a printer the scan found, with the SNMP settings that reached it (the community it answered to, else
    `community`), validated like the form, linked to the catalogue model it reported when the catalogue has it (the
    model text is kept either way)."""
    from printer_app.services.inventory.device_models import find_device_model

    catalogued = find_device_model(session, manufacturer=found.manufacturer, model=found.model)
    model = (
        found.model
        if found.model.lower().startswith(found.manufacturer.lower())
        else f"{found.manufacturer} {found.model}"
    )
    return create_printer(
        session,
        actor=actor,
        data=PrinterInput(
            ip_address=found.ip,
            serial_number=found.serial,
            mac_address=found.mac,
            snmp_community=found.community or community,
            snmp_port=port,
            snmp_version=version,
            organization_id=organization_id,
            device_model_id=catalogued.id if catalogued else None,
            model=model.strip()[:200],
        ),
    )
