"""`flask data export PATH.sqlite`: the archive of all platform data (see app/results/archive.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.cli import UsageError

data_cli = AppGroup("data", help="The archive of the platform's data.")


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
