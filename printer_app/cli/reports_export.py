"""`python -m printer_app reports export --month YYYY-MM --out FILE`: the month's workbook as the page exports it."""

from __future__ import annotations

from pathlib import Path

import typer

from printer_app.cli.reports import reports


@reports.command("export")
def export(
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    out: Path = typer.Option(..., "--out", help="Where to write the .xlsx file."),
    english: bool = typer.Option(False, "--english", help="English headers instead of the Russian file contract."),
) -> None:
    """Write monthly_report_YYYY-MM.xlsx of a month (every row, in the export's order)."""
    from sqlmodel import select

    from printer_app.db import session_scope
    from printer_app.models import MonthlyReport
    from printer_app.services.reports.export import export_month
    from printer_app.services.reports.months import month_key, parse_report_month

    try:
        first = parse_report_month(month)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if not out.parent.is_dir():
        typer.echo(f"The folder {out.parent} does not exist; nothing written.", err=True)
        raise typer.Exit(2)
    with session_scope() as session:
        if not session.exec(select(MonthlyReport.id).where(MonthlyReport.month == first).limit(1)).first():
            typer.echo(f"Month {month_key(first)} has no rows; nothing written.", err=True)
            raise typer.Exit(2)
        with out.open("wb") as handle:
            count = export_month(session, first, handle, english=english)
    typer.echo(f"{count} rows written to {out}")
