"""`python -m printer_app reports import FILE --month YYYY-MM [--replace] [--allow-edit] [--publish] [--json]`: the
upload page's analysis and import of a month workbook (docs/reports.md §10.3) in one command, in this process.

Exit 0 when the month was imported; 2 when it was refused (an unreadable file, no recognised column, no rows,
unknown organizations, a bad month): then nothing is stored. `--json` prints one object: month, rows,
unknown_organizations [{name, hints}], columns {field: header matched}, ignored_columns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from printer_app.cli.reports import reports


def _print(as_json: bool, summary: dict[str, Any], lines: list[str], *, err: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    for line in lines:
        if err or not as_json:
            typer.echo(line, err=err)


@reports.command("import")
def import_month(
    file: Path = typer.Argument(
        ..., help="The month's .xlsx workbook (first sheet, header in the first non-empty row)"
    ),
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    replace: bool = typer.Option(False, "--replace", help="Delete the month's rows first (else the rows are added)"),
    allow_edit: bool = typer.Option(False, "--allow-edit", help="Keep the month editable until its last day"),
    publish: bool = typer.Option(False, "--publish", help="Publish the month"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object"),
) -> None:
    """Import a month workbook: the same analysis and import as the upload page."""
    from printer_app.db import session_scope
    from printer_app.services.contracts.workbook import MAX_BYTES
    from printer_app.services.reports import importing, upload
    from printer_app.services.reports.months import month_key, parse_report_month

    try:
        first = parse_report_month(month)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    summary: dict[str, Any] = {
        "month": month_key(first),
        "rows": 0,
        "unknown_organizations": [],
        "columns": {},
        "ignored_columns": [],
    }
    try:
        if file.stat().st_size > MAX_BYTES:
            raise upload.UploadRefused(f"{file.name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = file.read_bytes()
        with session_scope() as session:
            analysis = upload.analyse(session, data, file_name=file.name)
            summary |= {
                "rows": analysis.rows_read,
                "unknown_organizations": analysis.unknown_organizations,
                "columns": analysis.columns,
                "ignored_columns": analysis.ignored_columns,
            }
            if analysis.refused:
                raise upload.UploadRefused(analysis.refusal)
            options = importing.options_of(replace_month=replace, allow_edit=allow_edit, publish=publish)
            upload_id = upload.store(session, analysis, month=first, user_id=None, options=options).id
        result = importing.import_upload(upload_id, user_id=None)
    except OSError as exc:
        typer.echo(f"error: {file}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    except upload.UploadRefused as exc:
        unknown = [
            f"  {u['name']}" + (f" (did you mean: {', '.join(u['hints'])}?)" if u["hints"] else "")
            for u in summary["unknown_organizations"]
        ]
        _print(as_json, summary, [f"error: {exc.message}", *unknown], err=True)
        raise typer.Exit(2) from None
    problems = [f"row {p['row']}: {p['message']}" for p in analysis.problems]
    _print(
        as_json,
        summary,
        [
            f"{result['rows']} rows imported into {summary['month']}"
            + (f" ({result['deleted']} rows replaced)" if replace else ""),
            *problems,
        ],
    )
