"""`flask data export PATH.sqlite`: the archive of all platform data (see app/results/archive.py);
`data backup PATH` and `data restore PATH`: the database itself (see app/core/backup.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.cli import UsageError

data_cli = AppGroup("data", help="The archive of the platform's data, backups and restores.")


@data_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export(path: Path):
    """Write every table of platform data, without secrets, to a standalone SQLite file."""
    from app.results.archive import export_archive

    if not path.parent.exists():
        raise UsageError(f"The folder {path.parent} does not exist.")
    counts = export_archive(path)
    from app.core import audit
    from app.extensions import db

    audit.record("archive.export", None, target="archive", detail=str(path))
    db.session.commit()
    click.echo(f"Archive written to {path}: {len(counts)} tables, {sum(counts.values())} rows.")


@data_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path):
    """A consistent backup of the database while the platform runs (SQLite backup API, or pg_dump -Fc)."""
    from app.core.backup import BackupError
    from app.core.backup import backup as make_backup
    from app.extensions import db

    if not path.parent.exists():
        raise UsageError(f"The folder {path.parent} does not exist.")
    try:
        how = make_backup(db.engine, path)
    except BackupError as error:
        raise UsageError(str(error)) from error
    click.echo(f"Backup written to {path} ({how}, {path.stat().st_size} bytes).")


@data_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the content of a database that is not empty.")
def restore(path: Path, force: bool):
    """Put a backup back into an empty database (stop the web and scheduler processes first)."""
    from app.core.backup import BackupError, non_empty_tables
    from app.core.backup import restore as put_back
    from app.extensions import db

    try:
        how = put_back(db.engine, path, force=force)
    except BackupError as error:
        raise UsageError(str(error)) from error
    click.echo(f"Restored {path} ({how}); run `flask --app app db upgrade` if the backup is from an older version.")
    click.echo(f"{len(non_empty_tables(db.engine))} tables hold rows.")
