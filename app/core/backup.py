"""Backups of the running platform's database, and restores into an empty one.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database in one step from a read
transaction, so the copy is the state at one instant while writers go on (WAL). PostgreSQL: `pg_dump
-Fc` (a consistent snapshot) and `pg_restore`, found on PATH. A restore refuses a database that holds
any row unless forced; the backup file says which kind it is, and a SQLite backup never goes into
PostgreSQL or back.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason for people."""


def _kind(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {url.get_backend_name()}")


def _file_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `data backup` (neither SQLite nor pg_dump -Fc)")


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client) in the version of the server or newer")
    return found


def _pg_command(url: URL) -> tuple[list[str], dict]:
    """libpq connection arguments without the password (it goes in PGPASSWORD, never on the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [f"--dbname={conninfo}"], env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def backup(engine: Engine, path: Path) -> str:
    """Write a consistent backup of the database to `path` (replaced atomically); return how."""
    url = engine.url
    kind = _kind(url)
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        if kind == "sqlite":
            source = sqlite3.connect(f"file:{Path(url.database).resolve()}?mode=ro", uri=True)
            target = sqlite3.connect(temporary)
            try:
                with target:
                    source.backup(target)  # one step: the database as of one read transaction
            finally:
                target.close()
                source.close()
            how = "SQLite online backup"
        else:
            arguments, env = _pg_command(url)
            _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={temporary}", *arguments], env)
            how = "pg_dump -Fc"
        os.chmod(temporary, 0o600)  # the backup holds everything, password hashes included
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return how


def non_empty_tables(engine: Engine) -> list[str]:
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    preparer = engine.dialect.identifier_preparer
    with engine.connect() as conn:
        return [name for name in names
                if conn.execute(text(f"SELECT 1 FROM {preparer.quote(name)} LIMIT 1")).first() is not None]


def restore(engine: Engine, path: Path, force: bool = False) -> str:
    """Put a backup back into the database of `engine`, which must hold no row unless `force`."""
    url = engine.url
    kind = _kind(url)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    if _file_kind(path) != kind:
        raise BackupError(f"{path} is a {_file_kind(path)} backup; the database is {kind}")
    if not force:
        filled = non_empty_tables(engine)
        if filled:
            raise BackupError(f"the database is not empty ({', '.join(filled[:5])}"
                              f"{'…' if len(filled) > 5 else ''} hold rows): restore into an empty "
                              "database, or pass --force to replace its content")
    engine.dispose()  # no pooled connection may see the database change under it
    if kind == "sqlite":
        database = Path(url.database).resolve()
        database.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        target = sqlite3.connect(database)
        try:
            source.backup(target)  # replaces every page of the target, under its write lock
        finally:
            target.close()
            source.close()
        return "SQLite backup API"
    arguments, env = _pg_command(url)
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", *arguments, str(path)], env)
    return "pg_restore"
