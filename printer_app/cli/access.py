"""Access management commands: `users`, `whitelist` and `roles` (registered on the main CLI in cli.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer
from sqlmodel import func, select

from printer_app.db import session_scope
from printer_app.models import AllowedUser, User
from printer_app.services.access import auth
from printer_app.services.access import whitelist as allow_list
from printer_app.services.access.roles import bootstrap_roles, user_group_names
from printer_app.services.errors import DomainValidationError, NotFoundError

users = typer.Typer(help="Local accounts.", no_args_is_help=True)
whitelist = typer.Typer(help="Who may sign in with SSO (the AllowedUser list).", no_args_is_help=True)
roles = typer.Typer(help="Role groups and permissions.", no_args_is_help=True)


def _run(action: Callable[[], str]) -> None:
    """Run one command; domain errors become a message on stderr and exit code 1."""
    try:
        typer.echo(action())
    except (DomainValidationError, NotFoundError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


@users.command("create-admin")
def create_admin(
    username: str = typer.Option("admin", help="Login name"),
    email: str = typer.Option("", help="E-mail address"),
    password: str | None = typer.Option(None, help="Password (visible in shell history; prefer the prompt)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input"),
) -> None:
    """Create a superuser who signs in with a password (at least 10 characters)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    def action() -> str:
        with session_scope() as session:
            user = auth.create_local_user(session, username=username, password=password, email=email, is_superuser=True)
            return f"Superuser '{user.username}' created."

    _run(action)


@users.command("first-admin")
def first_admin(username: str = typer.Option("admin", help="Login name")) -> None:
    """On a database without any account: create a superuser with a generated password, print it and keep it in
    DATA_DIR/admin-password.txt (readable by the owner only). Does nothing once any account exists."""
    import secrets

    from printer_app.config import get_settings

    with session_scope() as session:
        if session.exec(select(func.count(User.id))).one():
            typer.echo("Accounts exist; no first admin created.")
            return
        password = secrets.token_urlsafe(12)
        auth.create_local_user(session, username=username, password=password, is_superuser=True)
    path = get_settings().data_dir / "admin-password.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(f"{username}\n{password}\n")
    typer.echo(f"First superuser created: sign in as '{username}' with password {password} (also in {path}).")


@users.command("list")
def list_users() -> None:
    """Every account with its flags and groups."""
    with session_scope() as session:
        for user in session.exec(select(User).order_by(func.lower(User.username))).all():
            flags = [name for name, on in (("inactive", not user.is_active), ("superuser", user.is_superuser)) if on]
            if user.password_hash:
                flags.append("local password")
            groups = ", ".join(user_group_names(session, user.id)) or "-"
            typer.echo(f"{user.username}\t{' '.join(flags) or 'active'}\t{groups}")


@whitelist.command("add")
def whitelist_add(
    username: str,
    email: str = typer.Option("", help="E-mail address"),
    full_name: str = typer.Option("", help="Full name"),
    group: list[str] = typer.Option([], "--group", "-g", help="Initial group for a new user (repeatable)"),
    notes: str = typer.Option("", help="Free text"),
) -> None:
    """Allow a user to sign in with SSO; new users get the given groups (default: Viewer)."""

    def action() -> str:
        with session_scope() as session:
            entry, _ = allow_list.save_allowed_user(
                session, username=username, email=email, full_name=full_name, initial_groups=group, notes=notes
            )
            return f"'{entry.username}' added to the whitelist."

    _run(action)


@whitelist.command("remove")
def whitelist_remove(username: str) -> None:
    """Remove a user from the whitelist; their SSO sessions end at once."""

    def action() -> str:
        with session_scope() as session:
            allow_list.remove_allowed_user(session, username=username)
        return f"'{auth.normalize_username(username)}' removed from the whitelist."

    _run(action)


def _set_active(username: str, active: bool) -> None:
    def action() -> str:
        with session_scope() as session:
            entry = allow_list.set_allowed_user_active(session, username=username, active=active)
            return f"'{entry.username}' {'activated' if active else 'deactivated'}."

    _run(action)


@whitelist.command("activate")
def whitelist_activate(username: str) -> None:
    """Let a whitelisted user sign in again (re-enables a deactivated account)."""
    _set_active(username, True)


@whitelist.command("deactivate")
def whitelist_deactivate(username: str) -> None:
    """Keep the entry but refuse sign-in; open SSO sessions end at once."""
    _set_active(username, False)


@whitelist.command("list")
def whitelist_list() -> None:
    """Every entry: username, status, e-mail, full name, initial groups."""
    with session_scope() as session:
        for e in allow_list.list_allowed_users(session):
            status = "active" if e.is_active else "inactive"
            typer.echo(f"{e.username}\t{status}\t{e.email}\t{e.full_name}\t{';'.join(e.initial_groups or [])}")


@whitelist.command("import-csv")
def whitelist_import_csv(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Add or update entries from a CSV with columns username,email,full_name,groups (groups split by ";")."""

    def action() -> str:
        with session_scope() as session:
            result = allow_list.import_allowed_users_csv(session, file.read_text(encoding="utf-8-sig"))
        return f"Whitelist import: {result.created} added, {result.updated} updated."

    _run(action)


@whitelist.command("import-existing")
def whitelist_import_existing() -> None:
    """Put every active account that is not on the whitelist yet on it (for switching an existing site to SSO)."""

    def action() -> str:
        with session_scope() as session:
            listed = select(AllowedUser.id).where(func.lower(AllowedUser.username) == func.lower(User.username))
            missing = session.exec(select(User).where(User.is_active, ~listed.exists())).all()
            for user in missing:
                allow_list.save_allowed_user(
                    session, username=user.username, email=user.email, full_name=user.full_name
                )
        return f"Whitelist: {len(missing)} existing account(s) added."

    _run(action)


@roles.command("bootstrap")
def roles_bootstrap() -> None:
    """Create or update the permission catalogue and the role groups (safe to run again)."""
    with session_scope() as session:
        r = bootstrap_roles(session)
    typer.echo(
        f"Roles: {r.permissions_created} permissions and {r.groups_created} groups created, "
        f"{r.grants_added} grants added, {r.grants_removed} removed."
    )
