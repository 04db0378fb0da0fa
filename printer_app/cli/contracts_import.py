"""`python -m printer_app contracts import FILE... --status NAME --provider CODE`: the import page's two phases
(DOMAIN 8.3) in one command — analyse the workbooks into an import session, then apply it.

Exit code 0 when the import ran (rows in error are reported, not fatal), 2 when the input was refused: a file
that is not a readable workbook or has no header in row 1, an unknown status, provider or user, unknown cities
without --create-cities. A refused import leaves nothing behind (its session is deleted), as does --dry-run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from printer_app.cli.contracts import contracts


def _refuse(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@contracts.command("import")
def import_devices(
    files: list[Path] = typer.Argument(..., help="One or several .xlsx workbooks (header in row 1)"),
    status: str = typer.Option(..., "--status", help="Contract status the devices get (its name)"),
    provider: str = typer.Option(..., "--provider", help="Service provider code (e.g. amb); 'none' keeps theirs"),
    create_cities: bool = typer.Option(False, "--create-cities", help="Create the cities the files name"),
    apply_conflicts: bool = typer.Option(
        False, "--apply-conflicts", help="Also apply MOVED rows and serials that appear more than once"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Analyse only: nothing is stored"),
    user: str | None = typer.Option(None, "--user", help="Username the change log records"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object"),
) -> None:
    """Import contract devices from Excel workbooks: analyse, then create or update the devices."""
    from sqlalchemy import delete
    from sqlmodel import select

    from printer_app.db import session_scope
    from printer_app.models import User
    from printer_app.models.contracts import ContractImportSession, ContractStatus, ServiceProvider
    from printer_app.services.contracts import importing
    from printer_app.services.contracts.workbook import MAX_BYTES

    with session_scope() as session:  # names compared in Python: SQLite's lower() leaves Cyrillic alone
        statuses = {
            importing.name_key(name): sid for sid, name in session.exec(select(ContractStatus.id, ContractStatus.name))
        }
        target_id = statuses.get(importing.name_key(status))
        if target_id is None:
            names = ", ".join(sorted(session.exec(select(ContractStatus.name)).all())) or "none"
            raise _refuse(f"unknown status {status!r} (statuses: {names})")
        provider_id = None
        if provider.strip().lower() != "none":
            codes = {code.lower(): pid for pid, code in session.exec(select(ServiceProvider.id, ServiceProvider.code))}
            provider_id = codes.get(provider.strip().lower())
            if provider_id is None:
                raise _refuse(
                    f"unknown provider code {provider!r} (codes: {', '.join(sorted(codes)) or 'none'}, or 'none')"
                )
        user_id = None
        if user:
            users = {name.lower(): uid for uid, name in session.exec(select(User.id, User.username))}
            user_id = users.get(user.strip().lower())
            if user_id is None:
                raise _refuse(f"unknown user {user!r}")

    payloads: list[tuple[str, bytes]] = []
    for path in files:
        try:
            if path.stat().st_size > MAX_BYTES:  # refused before reading it into memory
                raise _refuse(f"{path.name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
            payloads.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise _refuse(f"{path}: {exc.strerror or exc}") from None

    import_id: int | None = None
    applying = False  # once the apply started, its session stays as the record of what happened
    try:
        with session_scope() as session:
            imp = importing.open_session(session, user_id=user_id)
            for name, data in payloads:
                try:
                    importing.add_workbook(session, imp.id, name, data)
                except importing.ImportRefused as exc:
                    raise _refuse(f"{name}: {exc.message}") from None
            importing.set_options(
                session,
                imp.id,
                target_status_id=target_id,
                service_provider_id=provider_id,
                create_cities=create_cities,
            )
            if apply_conflicts:
                importing.set_class_decision(session, imp.id, "MOVED", "apply")
                importing.set_class_decision(session, imp.id, "DUP_IN_FILE", "apply")
            import_id = imp.id
        with session_scope() as session:
            report = _report(session, import_id)
            to_apply = importing.rows_to_apply(session, import_id)
            cities = [] if create_cities else importing.unknown_cities(session, import_id, to_apply_only=True)
        if cities:
            message = f"unknown cities: {', '.join(cities)} (confirm with --create-cities)"
            if not dry_run:
                raise _refuse(message)
            typer.echo(f"note: {message}", err=True)
        applied: dict[str, int] | None = None
        stats: dict[str, int] = {}
        if not dry_run:
            applying = True
            if to_apply:
                stats = importing.apply_session(import_id, user_id=user_id)
                report["missing_devices"] = stats["missing_devices"]
            else:
                stats = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0, "total": 0}
            applied = {key: stats[key] for key in ("created", "updated", "failed", "total")}
    except BaseException:
        if import_id is not None and not applying:
            with session_scope() as session:
                session.execute(delete(ContractImportSession).where(ContractImportSession.id == import_id))
        raise
    if dry_run or not to_apply:  # nothing written: no open session is left for the import page to pick up
        with session_scope() as session:
            session.execute(delete(ContractImportSession).where(ContractImportSession.id == import_id))
    report["applied"] = applied
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _print_summary(report, unchanged=stats.get("unchanged", 0), dry_run=dry_run)


def _report(session, import_id: int) -> dict[str, Any]:
    """The --json object of the analysis: rows, classes, errors and warnings by file and row, missing devices."""
    from sqlmodel import select

    from printer_app.models.contracts import ContractImportFile, ContractImportRow
    from printer_app.services.contracts import importing

    names = dict(
        session.exec(
            select(ContractImportFile.id, ContractImportFile.file_name).where(
                ContractImportFile.session_id == import_id
            )
        ).all()
    )
    rows = session.exec(
        select(
            ContractImportRow.file_id,
            ContractImportRow.row_number,
            ContractImportRow.errors,
            ContractImportRow.warnings,
        )
        .where(ContractImportRow.session_id == import_id)
        .order_by(ContractImportRow.file_id, ContractImportRow.row_number)
    ).all()
    return {
        "rows": len(rows),
        "classes": importing.class_counts(session, import_id),
        "errors": [{"file": names[f], "row": n, "codes": list(e)} for f, n, e, _w in rows if e],
        "warnings": [{"file": names[f], "row": n, "codes": list(w)} for f, n, _e, w in rows if w],
        "applied": None,
        "missing_devices": len(importing.missing_devices(session, import_id)),
    }


def _print_summary(report: dict[str, Any], *, unchanged: int | None, dry_run: bool) -> None:
    typer.echo(f"Rows read: {report['rows']}")
    width = max(len(k) for k in report["classes"])
    for name, count in report["classes"].items():
        typer.echo(f"  {name:<{width}}  {count:>7}")
    for kind in ("errors", "warnings"):
        entries = report[kind]
        if entries:
            typer.echo(f"{kind.capitalize()} ({len(entries)} rows):")
            for entry in entries[:50]:
                typer.echo(f"  {entry['file']} row {entry['row']}: {', '.join(entry['codes'])}")
            if len(entries) > 50:
                typer.echo(f"  ... and {len(entries) - 50} more (--json lists them all)")
    applied = report["applied"]
    if dry_run or applied is None:
        typer.echo("Dry run: nothing was stored.")
    else:
        typer.echo(
            f"Applied: {applied['created']} created, {applied['updated']} updated, {unchanged or 0} unchanged, "
            f"{applied['failed']} failed, {applied['total']} rows."
        )
    typer.echo(f"Devices of these organizations not in the files: {report['missing_devices']}")
