"""Command line: `flask --app wsgi users …`, `demo load` (CONTRACT.md)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .models import ROLES

users_cli = AppGroup("users", help="Staff accounts and API tokens.")
demo_cli = AppGroup("demo", help="The demo review workshop.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password", required=True)
@click.option("--name", default=None)
@click.option("--workshop", "workshop_code", default=None, metavar="CODE",
              help="Put the account in this workshop's team: it then acts on it only.")
def create_user_command(email: str, role: str, password: str, name: str | None,
                        workshop_code: str | None) -> None:
    """Create a staff account."""
    from .auth.services import AccountError, create_user
    from .events import team
    from .events.services import EventError, get_workshop

    workshop = None
    if workshop_code is not None:
        workshop = get_workshop(workshop_code)
        if workshop is None:
            raise click.ClickException(f"no workshop has the code {workshop_code!r}")
        if role == "organizer":
            raise click.ClickException("an organizer acts on every workshop: --workshop is "
                                       "for chair and staff accounts")
    try:
        user = create_user(email, role, password, name=name)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    if workshop is None:
        click.echo(f"{user.email} ({user.role})")
        return
    try:
        team.add_member(workshop, user.email, role)
    except EventError as error:  # checked above; kept so that a refusal is never silent
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.email} ({user.role}, {workshop.code})")


@users_cli.command("token")
@click.argument("email")
def token_command(email: str) -> None:
    """Create an API token; the token alone is printed on the last line."""
    from .auth.services import create_api_token, find_user

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    token = create_api_token(user)
    click.echo(f"API token for {user.email} ({user.role}); it is shown only once:")
    click.echo(token)


@users_cli.command("revoke-token")
@click.argument("token")
def revoke_token_command(token: str) -> None:
    """Revoke an API token at once (a lost laptop, a departed colleague)."""
    from .auth.services import revoke_api_token

    if not revoke_api_token(token.strip()):
        raise click.ClickException("no such active token")
    click.echo("Token revoked.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no workshop yet.")
def demo_load_command(if_empty: bool) -> None:
    """Load the 2014 Thai Nguyen ISO 9001 review workshop (idempotent)."""
    from .demo.services import DEMO_ACCOUNTS, load_demo

    result = load_demo(only_if_empty=if_empty)
    click.echo(result.message)
    click.echo("Demo logins:")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role:<10} {account.email:<28} {account.password}")
    if result.rehearsal_link:
        click.echo("Try the attendee side on the rehearsal workshop (answer, QR pass, questions):")
        click.echo(f"  {result.rehearsal_link}")


def register(app: Flask) -> None:
    from .backup import backup_cli
    from .outbox.cli import outbox_cli

    app.cli.add_command(backup_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
