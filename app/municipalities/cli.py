"""`flask municipalities import FILE`: CSV, TSV or JSON with the columns of POST /municipalities.

Exit codes: 0 every row imported; 1 some rows rejected (each printed with its line and reason; the
good rows are imported all the same); 2 the file cannot be read, or the importing account is unknown.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import User
from app.core.cli import UsageError
from app.core.errors import DomainError
from app.extensions import db
from app.municipalities import services

municipalities_cli = AppGroup("municipalities", help="The registry of municipalities.")


@municipalities_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "as_email", default=None,
              help="Import as this account (a coordinator then follows what it imports); default: the first admin.")
def import_command(file: Path, as_email: str | None):
    """Import municipalities; rejected rows are reported with their line and reason, the rest imported."""
    try:
        data = file.read_bytes()
    except OSError as error:
        raise UsageError(f"Cannot read {file}: {error.strerror}.") from None
    if as_email:
        actor = db.session.scalar(select(User).where(User.email == as_email.strip().lower()))
    else:
        actor = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    if actor is None:
        raise UsageError(f"No account {as_email}." if as_email else "No administrator account; pass --as EMAIL.")
    try:
        result = services.import_municipalities(actor, data)
    except services.UnreadableFile as error:
        db.session.rollback()
        raise UsageError(f"{file} is not a CSV, TSV or JSON file we can read: {error}") from None
    except DomainError as error:
        db.session.rollback()
        raise UsageError(error.message) from None
    db.session.commit()
    where = "item" if result.format in ("JSON", "NL") else "line"
    for number, reason in result.rejected:
        click.echo(f"{file.name}: {where} {number}: rejected: {reason}", err=True)
    click.echo(f"Imported {len(result.imported)} municipalities ({result.format}); "
               f"rejected {len(result.rejected)} rows.")
    raise SystemExit(result.exit_code)


factors_cli = AppGroup("factors", help="Emission factors (national electricity factors).")


@factors_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_factors_command(file: Path):
    """Import national electricity factors from CSV (columns country, year, approach, factor, source).

    All or nothing: any bad line is reported with its number and nothing is imported (exit 2)."""
    from app.municipalities import inventories

    try:
        data = file.read_bytes()
    except OSError as error:
        raise UsageError(f"Cannot read {file}: {error.strerror}.") from None
    result = inventories.import_factors(None, data)
    if result.errors:
        db.session.rollback()
        for number, reason in result.errors:
            click.echo(f"{file.name}: line {number}: {reason}", err=True)
        raise UsageError(f"Nothing imported: {len(result.errors)} bad lines in {file.name}.")
    db.session.commit()
    click.echo(f"Imported {len(result.rows)} national electricity factors.")
