"""`python -m printer_app poll HOST --json`: read a printer by SNMP without touching the database."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from printer_app.config import get_settings


def poll(
    host: str | None = typer.Argument(None, help="Printer address (IPv4 or host name)"),
    printer_id: int | None = typer.Option(None, "--printer-id", help="Poll a stored printer through the pipeline"),
    port: int = typer.Option(161, min=1, max=65535),
    community: str = typer.Option("public", help="SNMP v1/v2c community"),
    snmp_version: str = typer.Option("2c", "--snmp-version", help="1, 2c or 3"),
    v3_user: str | None = typer.Option(None, "--v3-user"),
    v3_auth_protocol: str | None = typer.Option(None, "--v3-auth-protocol", help="MD5, SHA, SHA-224..SHA-512"),
    v3_auth_key: str | None = typer.Option(None, "--v3-auth-key"),
    v3_priv_protocol: str | None = typer.Option(None, "--v3-priv-protocol", help="DES, AES, AES192, AES256"),
    v3_priv_key: str | None = typer.Option(None, "--v3-priv-key"),
    v3_context: str | None = typer.Option(None, "--v3-context"),
    timeout: float | None = typer.Option(None, help="Seconds per attempt (default SNMP_TIMEOUT)"),
    retries: int | None = typer.Option(None, min=0, help="Extra attempts (default SNMP_RETRIES)"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object"),
) -> None:
    """Poll one printer and print what it reports; exit code 2 when it does not answer.

    With --printer-id the full pipeline runs (identity, history, storage) and the stored outcome is printed.
    """
    from printer_app.services.snmp.poller import SnmpTarget, SnmpUnreachable, poll_json

    if printer_id is not None:
        _poll_stored(printer_id, as_json)
        return
    if not host:
        typer.echo("Give a HOST to poll, or --printer-id N", err=True)
        raise typer.Exit(2)

    if snmp_version not in ("1", "2c", "3"):
        typer.echo("--snmp-version must be 1, 2c or 3", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    target = SnmpTarget(
        host=host,
        port=port,
        community=community,
        version=snmp_version,
        timeout=timeout if timeout is not None else settings.snmp_timeout,
        retries=retries if retries is not None else settings.snmp_retries,
        v3_user=v3_user,
        v3_auth_protocol=v3_auth_protocol,
        v3_auth_key=v3_auth_key,
        v3_priv_protocol=v3_priv_protocol,
        v3_priv_key=v3_priv_key,
        v3_context=v3_context,
    )
    try:
        result = poll_json(target)
    except SnmpUnreachable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    counters = result["counters"]
    typer.echo(f"{result['host']}: {result['manufacturer'] or '?'} {result['model'] or '?'}")
    typer.echo(f"  serial {result['serial'] or '—'}  MAC {result['mac'] or '—'}  colour {result['is_color']}")
    typer.echo(f"  total {counters['total']}  bw_a4 {counters['bw_a4']}  color_a4 {counters['color_a4']}")
    _echo_supplies(result["supplies"])
    for err in result["errors"]:
        typer.echo(f"  ! {err}")


def _poll_stored(printer_id: int, as_json: bool) -> None:
    """The full pipeline for one stored printer under its poll lock; its result is published after the commit."""
    from printer_app.db import session_scope
    from printer_app.models import InventoryTask
    from printer_app.models.choices import TaskStatus
    from printer_app.services.polling.history import stored_outcome
    from workers import jobs

    try:
        task = jobs.poll_here(printer_id)
    except jobs.PrinterBusy as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(3) from None
    except LookupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with session_scope() as session:
        outcome = stored_outcome(session, session.get(InventoryTask, task.id))
    if as_json:
        typer.echo(json.dumps(outcome, ensure_ascii=False))
    else:
        typer.echo(f"printer #{printer_id}: {outcome['status']} {outcome['error'] or outcome['note']}".rstrip())
        for key, value in outcome["counters"].items():
            typer.echo(f"  {key}: {'—' if value is None else value}")
        _echo_supplies(outcome["supplies"])
    if outcome["status"] != TaskStatus.SUCCESS:
        raise typer.Exit(1)


def _echo_supplies(supplies: list[dict]) -> None:
    for s in supplies:
        level = f"{s['percent']}%" if s["percent"] is not None else s["state"]
        typer.echo(f"  {s['kind']:<9} {s['color'] or '':<8} {level:>15}  {s['description']}")


def poll_all(
    concurrency: int = typer.Option(64, min=1, max=1024, help="Printers read at the same time"),
    processes: int = typer.Option(1, min=0, max=64, help="Processes sharing the work (0: one per core)"),
) -> None:
    """Poll every active printer (of an active or no organization) end to end, as the Poll all button does.

    SNMP, web and hybrid printers alike; a printer being polled right now (its lock held) is left to that poll, and
    nothing is polled while a Poll all run of the workers is going (exit code 3).
    """
    from workers import jobs

    ids = jobs.printers_to_poll()
    try:
        with typer.progressbar(length=len(ids), label=f"Polling {len(ids)} printers") as bar:
            seen = 0

            def progress(stats) -> None:
                nonlocal seen
                bar.update(stats.done - seen)
                seen = stats.done

            stats = jobs.poll_all_here(ids, processes=processes or None, concurrency=concurrency, progress=progress)
    except jobs.RunGoing as exc:
        typer.echo(f"error: {exc}; its progress shows on the Printers page", err=True)
        raise typer.Exit(3) from None
    summary = ", ".join(f"{k} {v}" for k, v in sorted(stats.statuses.items()))
    typer.echo(f"Polled {stats.done} printers: {summary or 'nothing to poll'}")


def discover(
    targets: list[str] = typer.Argument(..., help="IPs, ranges (a.b.c.d-e or a.b.c.d-a.b.c.e) or CIDR"),
    community: str = typer.Option("public"),
    port: int = typer.Option(161, min=1, max=65535),
    snmp_version: str = typer.Option("2c", "--snmp-version"),
    timeout: float = typer.Option(1.0, help="Seconds per address"),
    add: bool = typer.Option(False, "--add", help="Add the printers found that are not stored yet"),
    organization_id: int | None = typer.Option(None, "--organization-id", help="Organization for added printers"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Scan addresses for printers (at most 4096 at once) and optionally add the new ones."""
    from dataclasses import asdict

    from printer_app.db import session_scope
    from printer_app.services.errors import DomainValidationError
    from printer_app.services.polling.discovery import add_found_printer
    from printer_app.services.polling.discovery import discover as run_discover

    try:
        found = run_discover(targets, community=community, port=port, version=snmp_version, timeout=timeout)
    except DomainValidationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps([asdict(f) for f in found], ensure_ascii=False))
    else:
        typer.echo(f"{len(found)} printer(s) found")
        for f in found:
            typer.echo(f"  {f.ip:<15} {f.manufacturer} {f.model}  serial {f.serial or '—'}  MAC {f.mac or '—'}")
    if not add:
        return
    for f in found:
        try:
            with session_scope() as session:
                add_found_printer(
                    session,
                    found=f,
                    community=community,
                    port=port,
                    version=snmp_version,
                    organization_id=organization_id,
                )
            typer.echo(f"  added {f.ip}")
        except DomainValidationError as exc:
            typer.echo(f"  skipped {f.ip}: {exc}")


def import_xml(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    ip: str | None = typer.Option(None, "--ip", help="Printer IP (default: from the file name, then by MAC)"),
) -> None:
    """Import one GLPI-agent / FusionInventory netinventory XML through the standard pipeline.

    The result is published after the commit; a file over the size or nesting cap is refused, nothing stored.
    """
    from printer_app.db import session_scope
    from printer_app.services.errors import DomainValidationError, NotFoundError
    from printer_app.services.polling.glpi_xml import MAX_XML_BYTES, import_glpi_xml
    from printer_app.services.polling.reading import AcquisitionError

    try:
        size = file.stat().st_size
        if size > MAX_XML_BYTES:  # refused before it is read into memory
            raise AcquisitionError(f"XML file too large: {size:,} bytes (at most {MAX_XML_BYTES:,})")
        with session_scope(write=True) as session:
            task = import_glpi_xml(session, data=file.read_bytes(), filename=file.name, ip=ip)
            status, error, printer_id = task.status, task.error_message, task.printer_id
    except (DomainValidationError, NotFoundError, AcquisitionError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"printer #{printer_id}: {status} {error}".rstrip())
    if status != "SUCCESS":
        raise typer.Exit(1)
