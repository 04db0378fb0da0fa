"""`python -m printer_app import-legacy PATH.sqlite [--dry-run] [--json]`: the legacy Flask database's printers,
polls and counters with their original timestamps (services/inventory/legacy_import.py has the contract)."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

ROWS = (
    ("Printers created", "printers_created"),
    ("Printers updated", "printers_updated"),
    ("Printers unchanged", "printers_unchanged"),
    ("Printers skipped", "printers_skipped"),
    ("Polls imported", "tasks_imported"),
    ("Polls already present", "tasks_already_present"),
    ("Polls orphaned (printer not imported)", "tasks_orphaned"),
    ("Polls with an unknown status (stored as failed)", "tasks_unknown_status"),
    ("Polls with an unreadable time (skipped)", "tasks_bad_timestamp"),
    ("Counters imported", "counters_imported"),
    ("Counters orphaned (no such poll)", "counters_orphaned"),
    ("Counters of failed polls (skipped)", "counters_of_failed_polls"),
)


def import_legacy(
    path: Path = typer.Argument(..., help="The legacy application's SQLite database file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be imported; store nothing."),
    naive_tz: str = typer.Option(
        "UTC", "--naive-timezone", help="Time zone of timestamps stored without one (the legacy app wrote UTC)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (stable keys)."),
) -> None:
    """Import printers (upserted by IP), their polls and counters from the legacy database; run twice, stored once."""
    from printer_app.db import session_scope
    from printer_app.services.inventory.legacy_import import LegacyRefused
    from printer_app.services.inventory.legacy_import import import_legacy as run

    try:
        zone = ZoneInfo(naive_tz)
    except (ZoneInfoNotFoundError, ValueError):
        typer.echo(f"Unknown time zone: {naive_tz}", err=True)
        raise typer.Exit(2) from None
    try:
        with session_scope(write=True) as session:
            summary = run(session, path, dry_run=dry_run, naive_tz=zone)
            if dry_run:
                session.rollback()
    except LegacyRefused as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    values = summary.as_dict()
    width = max(len(label) for label, _key in ROWS)
    typer.echo("Dry run: nothing was stored." if dry_run else f"Imported from {path}:")
    for label, key in ROWS:
        typer.echo(f"  {label:<{width}}  {values[key]:>9,}")
    for item in summary.skipped[:50]:
        typer.echo(f"  skipped printer {item['ip'] or '(no IP)'}: {item['reason']}")
    if len(summary.skipped) > 50:
        typer.echo(f"  ... and {len(summary.skipped) - 50:,} more skipped printers")
