"""The `supplies` command group: `python -m printer_app supplies refresh [--printer-id N ...] [--json]` recomputes
the supply forecasts and cartridge lifetimes from the stored polls (what the daily maintenance does), in this
process. `--json` prints the stats object (printers, supplies, inserted, updated, deleted, changed_printers,
seconds)."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer

supplies = typer.Typer(help="Supplies: forecasts and cartridge lifetimes.", no_args_is_help=True)


@supplies.command("refresh")
def refresh(
    printer_ids: list[int] = typer.Option(None, "--printer-id", help="Only this printer (repeatable)."),
    batch: int = typer.Option(500, min=1, max=10_000, help="Printers per transaction."),
    as_json: bool = typer.Option(False, "--json", help="Print the stats as JSON."),
) -> None:
    """Recompute every printer's supply forecasts and cartridge lifetimes from its polls."""
    from printer_app.services.supplies.refresh import refresh_fleet

    stats = refresh_fleet(batch=batch, printer_ids=printer_ids or None)
    if as_json:
        data = asdict(stats)
        data["changed_printers"] = len(stats.changed_printers)
        data["seconds"] = round(stats.seconds, 3)
        typer.echo(json.dumps(data))
        return
    typer.echo(
        f"{stats.printers} printers, {stats.supplies} supplies: {stats.inserted} rows inserted, {stats.updated} "
        f"updated, {stats.deleted} deleted ({len(stats.changed_printers)} printers changed) in {stats.seconds:.1f} s"
    )
