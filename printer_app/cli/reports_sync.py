"""`python -m printer_app reports sync --month YYYY-MM [--json]`: the month sync of the "Sync month" button, run in
this process (no worker): the same service, lock and stats. `--json` prints exactly the stats object (keys
updated_rows, groups_recomputed, skipped_serials, duplicate_groups, errors); a month that does not exist, is closed,
has auto-sync off or is being synced exits with code 2 and the reason on stderr."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer


def run_sync(month: str, *, as_json: bool) -> None:
    """The command's body (its options are declared in `cli/reports.py`, which only imports this when it runs)."""
    from printer_app.services.reports.months import month_key, parse_report_month
    from printer_app.services.reports.sync_month import sync_month
    from printer_app.services.reports.sync_run import SyncRefused

    try:
        first = parse_report_month(month)
        stats = sync_month(first)
    except (ValueError, SyncRefused) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(asdict(stats), ensure_ascii=False))
        return
    typer.echo(
        f"{month_key(first)}: {stats.updated_rows} rows updated, {stats.groups_recomputed} groups recomputed, "
        f"{stats.duplicate_groups} duplicate groups, {len(stats.skipped_serials)} serials skipped, "
        f"{len(stats.errors)} errors"
    )
    for skipped in stats.skipped_serials:
        typer.echo(f"  skipped {skipped['serial']}: {skipped['reason']}")
    for error in stats.errors:
        typer.echo(f"  error: {error}", err=True)
