"""`flask users …`: create accounts and API tokens from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth import services
from app.core.cli import UsageError
from app.core.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Create accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(["admin", "trainer", "participant"]), default="participant",
              show_default=True)
@click.option("--com-role", "com_role", type=click.Choice(["coordinator", "supporter", "municipality", "other"]),
              default="other", show_default=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. GR")
@click.option("--coach", is_flag=True, help="The account coaches participants.")
@click.option("--timezone", default=None, help="IANA zone; defaults to the country's.")
@click.option("--language", default=None, help="Interface language, e.g. en or nl.")
def create(email, name, password, role, com_role, country, coach, timezone, language):
    """Create an account."""
    try:
        user = services.create_user(email=email, name=name, password=password, role=role, com_role=com_role,
                                    country=country, is_coach=coach, timezone=timezone, language=language)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.fields.items())
        raise UsageError(f"{error.message} {details}".strip()) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True)
def token(email, name):
    """Create an API token; the token is the last line printed."""
    user = services.find_user_by_email(email)
    if user is None:
        raise UsageError(f"No account with the email address {email}.")
    _token, plain = services.create_api_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once):")
    click.echo(plain)
