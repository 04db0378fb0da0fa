"""The `reports` command group (monthly billing sheets); its commands live in modules of their own
(`reports_import`, `reports_export`, ...), each adding itself to the group here."""

from __future__ import annotations

import typer

reports = typer.Typer(help="Monthly reports: import and export month workbooks.", no_args_is_help=True)


@reports.command("sync")
def sync(
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    as_json: bool = typer.Option(False, "--json", help="Print the stats as JSON."),
) -> None:
    """Fill a month's counters from the inventory polls (starts still 0, ends unless manual, auto values)."""
    from printer_app.cli.reports_sync import run_sync

    run_sync(month, as_json=as_json)
