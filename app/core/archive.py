"""What goes into the data archive (`flask data export`, Admin › archive): an allow-list.

Each feature registers its tables with the columns it is willing to publish:

    register_archive_table(app, "course_modules", ("id", "title", "summary", ...), fts=("title", "summary"))

A table nobody registered stays out (a new table is private until its feature says otherwise), and
so does every column not listed. Columns marked `info={"secret": True}` or `{"private": True}` stay out
even when listed, so a slip in a list cannot leak a password hash or a meeting link.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app


@dataclass
class ArchiveTable:
    name: str
    columns: tuple[str, ...]
    fts: tuple[str, ...] = ()
    clean: Callable[[dict], dict] | None = None  # tidies each exported row (a dict of the kept columns)


def register_archive_table(app, table: str, columns: tuple[str, ...], *, fts: tuple[str, ...] = (),
                           clean: Callable[[dict], dict] | None = None) -> None:
    app.extensions.setdefault("archive_tables", {})[table] = ArchiveTable(table, tuple(columns), tuple(fts), clean)


def register_archive_fts(app, table: str, columns: tuple[str, ...]) -> None:
    """Full-text search on text columns of a registered table."""
    app.extensions["archive_tables"][table].fts = tuple(columns)


def archive_tables() -> dict[str, ArchiveTable]:
    return current_app.extensions.get("archive_tables", {})
