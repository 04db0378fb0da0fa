"""Management commands: `python -m printer_app --help`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from printer_app.cli import (
    cartridges_import,  # noqa: F401  (adds `cartridges import`)
    contracts_export,  # noqa: F401  (adds `contracts export`)
    contracts_import,  # noqa: F401  (adds `contracts import`)
    reports_export,  # noqa: F401  (adds `reports export`)
    reports_import,  # noqa: F401  (adds `reports import`)
)
from printer_app.cli.access import roles, users, whitelist
from printer_app.cli.contracts import cartridges, contracts
from printer_app.cli.contracts_link import link as contracts_link  # noqa: F401  (adds `contracts link`)
from printer_app.cli.legacy_import import import_legacy
from printer_app.cli.messages import messages
from printer_app.cli.poll import discover, import_xml, poll, poll_all
from printer_app.cli.reports import reports
from printer_app.cli.supplies import supplies
from printer_app.config import PROJECT_ROOT, get_settings

app = typer.Typer(
    help="Printer Inventory management commands.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def alembic_config(url: str | None = None):
    """Alembic config pointing at this project's migrations (URL from settings unless given)."""
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["configure_logging"] = False
    if url:
        cfg.cmd_opts = None
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade_database(url: str | None = None) -> None:
    """Bring the schema to the newest revision (what `init-db` does)."""
    from alembic import command
    from printer_app.db import make_engine

    cfg = alembic_config()
    engine = make_engine(url or get_settings().db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()


@app.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (alembic upgrade head) and bootstrap the role groups."""
    from printer_app.db import session_scope
    from printer_app.services.access.roles import bootstrap_roles
    from printer_app.services.contracts.seed import seed_service_providers

    upgrade_database()
    with session_scope() as session:
        roles = bootstrap_roles(session)
        providers = seed_service_providers(session)
    typer.echo(f"Database is at the newest schema: {_safe_url()}")
    if roles.groups_created or roles.grants_added or roles.grants_removed:
        typer.echo(f"Role groups: {roles.groups_created} created, {roles.grants_added} grants added.")
    if providers:
        typer.echo(f"Service providers: {providers} created.")


@app.command("demo-data")
def demo_data(
    printers: int = typer.Option(60, min=1, max=100_000, help="How many demo printers"),
    days: int = typer.Option(30, min=0, max=3650, help="Days of poll history per printer"),
    polls_per_day: int = typer.Option(2, min=1, max=24, help="Polls per day in the history"),
    only_if_empty: bool = typer.Option(False, help="Do nothing when the database already has printers"),
) -> None:
    """Load organizations, models, printers and plausible poll history (idempotent)."""
    from sqlmodel import func, select

    from printer_app.db import session_scope
    from printer_app.models import Printer
    from printer_app.services.inventory.demo import load_demo_data
    from printer_app.services.reports.demo import demo_month, load_reports_demo
    from printer_app.services.supplies.refresh import refresh_fleet

    with session_scope() as session:
        if only_if_empty and session.exec(select(func.count(Printer.id))).one():
            typer.echo("Database already has printers; demo data not loaded.")
            return
        with typer.progressbar(length=printers, label="Poll history") as bar:
            done = 0

            def progress(n: int, _total: int) -> None:
                nonlocal done
                bar.update(n - done)
                done = n

            stats = load_demo_data(
                session, printers=printers, days=days, polls_per_day=polls_per_day, progress=progress
            )
        report_rows = load_reports_demo(session)
    supplies = refresh_fleet()  # the supplies page and the printer's chart show forecasts and cartridge lifetimes
    typer.echo(f"Demo data: {stats.organizations} organizations, {stats.printers} printers, {stats.polls} polls added.")
    typer.echo(f"Supply forecasts: {supplies.supplies} supplies of {supplies.printers} printers refreshed.")
    if report_rows:
        typer.echo(f"Monthly report {demo_month():%Y-%m}: {report_rows} rows from the demo contracts.")


@app.command("check")
def check() -> None:
    """Can the app reach its database and, if configured, Redis? Exit code 0 = yes."""
    settings = get_settings()
    ok = True
    try:
        from sqlalchemy import text

        from printer_app.db import get_engine

        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        typer.echo(f"database: ok ({_safe_url()})")
    except Exception as exc:
        ok = False
        typer.echo(f"database: FAILED ({_safe_url()}): {exc}", err=True)
    if settings.redis_url:
        try:
            from printer_app.redis_client import shared_client

            shared_client(settings.redis_url).ping()
            typer.echo("redis: ok")
        except Exception as exc:
            ok = False
            typer.echo(f"redis: FAILED: {exc}", err=True)
    else:
        typer.echo("redis: not configured (embedded mode)")
    raise typer.Exit(0 if ok else 1)


app.command("poll")(poll)
app.command("poll-all")(poll_all)
app.command("messages")(messages)
app.command("discover")(discover)
app.command("import-xml")(import_xml)
app.command("import-legacy")(import_legacy)
app.add_typer(users, name="users")
app.add_typer(whitelist, name="whitelist")
app.add_typer(roles, name="roles")
app.add_typer(contracts, name="contracts")
app.add_typer(cartridges, name="cartridges")
app.add_typer(reports, name="reports")
app.add_typer(supplies, name="supplies")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().db_url).render_as_string(hide_password=True)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
