"""The `reports` command group (monthly billing sheets); its commands live in modules of their own
(`reports_import`, `reports_export`, ...), each adding itself to the group here."""

from __future__ import annotations

import typer

reports = typer.Typer(help="Monthly reports: import and export month workbooks.", no_args_is_help=True)

from printer_app.cli import reports_sync  # noqa: E402, F401  (adds `reports sync`; it needs `reports` above)
