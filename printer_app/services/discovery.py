"""Find printers on address ranges: every address answering SNMP with a Printer-MIB is reported."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from printer_app.models import Printer
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError
from printer_app.services.printers import PrinterInput, create_printer
from printer_app.services.snmp import SnmpTarget, SnmpUnreachable, poll_many

MAX_ADDRESSES = 4096


@dataclass
class Found:
    ip: str
    manufacturer: str
    model: str
    serial: str
    mac: str
    total_pages: int | None
    sys_descr: str


def expand_targets(specs: list[str]) -> list[str]:
    """IPs from "a.b.c.d", "a.b.c.d-a.b.c.e", "a.b.c.d-e" or CIDR "a.b.c.0/24"; refuses more than 4096."""
    addresses: list[str] = []
    for raw in specs:
        for spec in filter(None, (part.strip() for part in raw.replace(",", " ").split())):
            try:
                if "/" in spec:
                    net = ipaddress.IPv4Network(spec, strict=False)
                    hosts = list(net.hosts()) if net.num_addresses > 2 else list(net)
                    _check_size(len(addresses) + len(hosts))
                    addresses += [str(h) for h in hosts]
                elif "-" in spec:
                    first_s, last_s = spec.split("-", 1)
                    first = ipaddress.IPv4Address(first_s)
                    last = (
                        ipaddress.IPv4Address(last_s)
                        if "." in last_s
                        else ipaddress.IPv4Address(f"{first_s.rsplit('.', 1)[0]}.{int(last_s)}")
                    )
                    if last < first:
                        raise DomainValidationError({"targets": f"Range {spec} ends before it starts"})
                    _check_size(len(addresses) + int(last) - int(first) + 1)
                    addresses += [str(ipaddress.IPv4Address(n)) for n in range(int(first), int(last) + 1)]
                else:
                    addresses.append(str(ipaddress.IPv4Address(spec)))
            except DomainValidationError:
                raise
            except ValueError as exc:
                msg = f"'{spec}' is not an IPv4 address, range or CIDR ({exc})"
                raise DomainValidationError({"targets": msg}) from None
    _check_size(len(set(addresses)))
    return list(dict.fromkeys(addresses))


def _check_size(n: int) -> None:
    if n > MAX_ADDRESSES:
        raise DomainValidationError(
            {"targets": f"{n} addresses requested; at most {MAX_ADDRESSES} can be scanned in one go"}
        )


def discover_in_chunks(
    specs: list[str],
    *,
    chunk_size: int = 256,
    progress: Callable[[int, int, list[Found]], None] | None = None,
    **options,
) -> list[Found]:
    """Like `discover`, reporting (scanned, total, found so far) after each chunk of addresses."""
    ips = expand_targets(specs)
    found: list[Found] = []
    for start in range(0, len(ips), chunk_size):
        found += discover(ips[start : start + chunk_size], **options)
        if progress:
            progress(min(start + chunk_size, len(ips)), len(ips), found)
    return found


def discover(
    specs: list[str],
    *,
    community: str = "public",
    port: int = 161,
    version: str = "2c",
    timeout: float = 1.0,
    retries: int = 0,
    concurrency: int = 128,
) -> list[Found]:
    """Scan the addresses concurrently; unreachable ones and non-printers are left out."""
    ips = expand_targets(specs)
    targets = [
        SnmpTarget(host=ip, port=port, community=community, version=version, timeout=timeout, retries=retries)
        for ip in ips
    ]
    results = asyncio.run(poll_many(targets, concurrency=concurrency))
    found = []
    for ip, result in zip(ips, results, strict=True):
        if isinstance(result, SnmpUnreachable):
            continue
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
            )
        )
    return found


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
    """Store a printer the scan found, with the SNMP settings that reached it (validated like the form), linked to
    the catalogue model it reported when the catalogue has it (the model text is kept either way)."""
    from printer_app.services.device_models import find_device_model

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
            snmp_community=community,
            snmp_port=port,
            snmp_version=version,
            organization_id=organization_id,
            device_model_id=catalogued.id if catalogued else None,
            model=model.strip()[:200],
        ),
    )
