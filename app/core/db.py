"""Database wiring: SQLite pragmas and write transactions that really lock (docs/domain.md)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _wants_write_lock() -> bool:
    """Writes take the SQLite write lock when their transaction begins, reads do not.

    Outside a request (CLI, scheduler) every transaction may write, so it locks too; the test
    process turns that off (SQLITE_LOCK_OUTSIDE_REQUESTS) so its reads never block a live server.
    """
    if has_request_context():
        return request.method not in SAFE_METHODS or g.get("write_apart", False)
    return not has_app_context() or current_app.config.get("SQLITE_LOCK_OUTSIDE_REQUESTS", True)


def configure_engine(engine: Engine) -> None:
    """pysqlite's legacy mode starts no transaction before a SELECT, so check-then-write races.

    We take over BEGIN ourselves: `BEGIN IMMEDIATE` for requests that write, WAL so readers
    never wait for writers, and a busy timeout so writers queue instead of failing.
    """
    if not is_sqlite(engine):
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


@contextmanager
def write_apart() -> Iterator[None]:
    """A small write of its own inside a reading request (a GET noting when a session was last seen).

    On SQLite a reading request's transaction starts with a plain BEGIN: turning it into a write after
    another worker has committed fails at once with "database is locked" (its snapshot is stale, no
    busy timeout helps). So the read so far is ended, and the write runs in a transaction that takes
    the write lock when it begins, then commits. The caller must have nothing pending.
    """
    from app.extensions import db

    db.session.commit()  # ends the reading transaction; nothing is pending
    g.write_apart = True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        g.write_apart = False
