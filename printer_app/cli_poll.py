"""`python -m printer_app poll HOST --json`: read a printer by SNMP without touching the database."""

from __future__ import annotations

import json

import typer

from printer_app.config import get_settings


def poll(
    host: str = typer.Argument(..., help="Printer address (IPv4 or host name)"),
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
    """Poll one printer and print what it reports; exit code 2 when it does not answer."""
    from printer_app.services.snmp import SnmpTarget, SnmpUnreachable, poll_json

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
    for s in result["supplies"]:
        level = f"{s['percent']}%" if s["percent"] is not None else s["state"]
        typer.echo(f"  {s['kind']:<9} {s['color'] or '':<8} {level:>15}  {s['description']}")
    for err in result["errors"]:
        typer.echo(f"  ! {err}")
