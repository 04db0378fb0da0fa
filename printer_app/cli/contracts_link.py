"""`python -m printer_app contracts link [--json]`: the daily linking of contract devices to printers, run by hand."""

from __future__ import annotations

import json

import typer

from printer_app.cli.contracts import contracts


@contracts.command("link")
def link(as_json: bool = typer.Option(False, "--json", help="Print the stats as one JSON object")) -> None:
    """Link every unlinked contract device to the first printer with its serial (case and spaces ignored)."""
    from printer_app.db import session_scope
    from printer_app.services.contracts.devices import autolink_devices

    with session_scope(write=True) as session:
        stats = autolink_devices(session)
    if as_json:
        typer.echo(json.dumps(stats))
        return
    typer.echo(
        "Devices without a printer: {total}; linked {linked}, no printer with the serial {not_found}, "
        "serial on several printers {multiple_found}, printer already taken {conflicts}, refused {errors}.".format(
            **stats
        )
    )
