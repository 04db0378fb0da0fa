"""`python -m printer_app contracts export --out FILE [--english]`: the page's Export (every device), from a shell."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from printer_app.cli.contracts import contracts


@contracts.command("export")
def export(
    out: Path = typer.Option(..., "--out", help="Where to write the workbook (.xlsx)", dir_okay=False),
    english: bool = typer.Option(False, "--english", help="English headers instead of the Russian ones"),
) -> None:
    """Write every contract device to an xlsx workbook, the same file as the page's Export without filters."""
    from printer_app.db import session_scope
    from printer_app.services.contracts.export import export_devices

    target = out.expanduser()
    if not target.parent.is_dir():
        typer.echo(f"error: folder {target.parent} does not exist", err=True)
        raise typer.Exit(2)
    fd, tmp = tempfile.mkstemp(prefix=".contracts-", suffix=".xlsx", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream, session_scope() as session:
            count = export_devices(session, stream, english=english)
        os.replace(tmp, target)  # a reader never sees half a workbook
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    typer.echo(f"Wrote {count} contract devices to {target}")
