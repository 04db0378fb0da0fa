"""`python -m printer_app cartridges import FILE [--primary] [--skip-existing] [--dry-run] [--json]` (DOMAIN 8.4)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from printer_app.cli.contracts import cartridges


@cartridges.command("import")
def import_command(
    file: Path = typer.Argument(..., help="The .xlsx workbook", exists=True, dir_okay=False, readable=True),
    primary: bool = typer.Option(False, "--primary", help="Mark the linked cartridges primary for their models"),
    skip_existing: bool = typer.Option(
        False, "--skip-existing", help="Leave rows whose model already has the cartridge untouched"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would change; store nothing"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object"),
) -> None:
    """Import cartridges and the models they fit from a workbook. Exit 0 when it ran, 2 when the file was refused."""
    from printer_app.db import session_scope
    from printer_app.services.contracts.cartridge_import import import_cartridges
    from printer_app.services.contracts.workbook import MAX_BYTES, WorkbookRefused

    if file.stat().st_size > MAX_BYTES:  # refused before it is read into memory
        typer.echo(f"Refused: the file is larger than {MAX_BYTES // (1024 * 1024)} MB.", err=True)
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            result = import_cartridges(
                session, file.read_bytes(), primary=primary, skip_existing=skip_existing, dry_run=dry_run
            )
    except WorkbookRefused as exc:
        typer.echo(f"Refused: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    typer.echo(
        f"{'Dry run: nothing stored. ' if dry_run else ''}Rows: {result.rows}, created: {result.created}, "
        f"updated: {result.updated}, linked: {result.linked}, skipped: {result.skipped}, "
        f"errors: {len(result.errors)}."
    )
    for error in result.errors:
        typer.echo(f"  row {error.row}: {error.message}")
