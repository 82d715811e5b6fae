"""The archive: every table of platform data as one standalone SQLite file (sqlite-utils), for Datasette.

An allow-list: each feature registers its tables and the columns it publishes (app/core/archive.py);
anything not registered stays out. Secrets stay out even when listed: columns marked
`info={"secret": True}` are dropped, and so are tables in DENIED_TABLES. Private data stays out too:
columns marked `info={"private": True}` (online meeting links, free-text audit details) and any column
named like an address or a browser (PRIVATE_COLUMN_NAMES); audit targets are kept only when they name an
object (`user:12`), never raw login input such as the email address typed in a failed sign-in.
Full-text search is enabled where a registration asks for it.
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import sqlite_utils
from sqlalchemy import Boolean, Float, Integer, LargeBinary, Numeric, String, Text, select

from app.core.archive import archive_tables
from app.extensions import db

# Tables that hold credentials, or mail bodies carrying password-reset links and calendar feed addresses.
DENIED_TABLES = frozenset({"api_tokens", "password_resets", "outbox_messages", "outbox_attachments",
                           "user_sessions", "alembic_version"})
# Columns about people's connections, whatever table they are in.
PRIVATE_COLUMN_NAMES = frozenset({"ip", "ip_address", "remote_addr", "user_agent", "client_ip"})


def _sqlite_type(column):
    kind = column.type
    if isinstance(kind, Boolean | Integer):
        return int
    if isinstance(kind, Float | Numeric):
        return float
    if isinstance(kind, LargeBinary):
        return bytes
    return str


def _value(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def _descriptions() -> dict[str, str]:
    """Each table's model docstring (first paragraph), for the `_tables` table."""
    out = {}
    for mapper in db.Model.registry.mappers:
        table = getattr(mapper, "local_table", None)
        doc = (mapper.class_.__doc__ or "").strip()
        if table is not None and doc and not doc.startswith(("A simple constructor", "Base class")):
            out.setdefault(table.name, " ".join(doc.split("\n\n")[0].split()))
    return out


def _left_out(column) -> bool:
    return bool(column.info.get("secret") or column.info.get("private")
                or column.name.lower() in PRIVATE_COLUMN_NAMES)


def kept_tables() -> list[tuple[object, list]]:
    """(table, kept columns) in dependency order: the registered tables and columns, never a secret."""
    registered = archive_tables()
    kept = []
    for table in db.metadata.sorted_tables:
        entry = registered.get(table.name)
        if entry is None or table.name in DENIED_TABLES:
            continue
        columns = [c for c in table.columns if c.name in entry.columns and not _left_out(c)]
        if columns:
            kept.append((table, columns))
    return kept


def export_archive(path: str | os.PathLike) -> dict[str, int]:
    """Write the archive to `path` (replaced atomically); returns the row count of each table."""
    path = Path(path)
    handle, tmp_name = tempfile.mkstemp(suffix=".sqlite", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        counts = _write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


def _write(path: Path) -> dict[str, int]:
    out = sqlite_utils.Database(str(path), recreate=True)
    out.execute("PRAGMA foreign_keys=OFF")
    # A temporary file renamed into place at the end: no need to sync every batch to disk.
    out.execute("PRAGMA synchronous=OFF")
    out.execute("PRAGMA journal_mode=MEMORY")
    descriptions = _descriptions()
    tables = kept_tables()
    names = {t.name for t, _ in tables}
    kept_columns = {t.name: {c.name for c in cols} for t, cols in tables}
    counts: dict[str, int] = {}
    meta_rows = []
    for table, columns in tables:
        pks = [c.name for c in table.primary_key.columns if c.name in kept_columns[table.name]]
        foreign_keys = []
        for column in columns:
            for fk in column.foreign_keys:
                target = fk.column
                if target.table.name in names and target.name in kept_columns[target.table.name]:
                    foreign_keys.append((str(column.name), str(target.table.name), str(target.name)))
        out[str(table.name)].create({str(c.name): _sqlite_type(c) for c in columns},
                               pk=(str(pks[0]) if len(pks) == 1 else tuple(map(str, pks))) if pks else None,
                               foreign_keys=foreign_keys,
                               not_null={str(c.name) for c in columns if not c.nullable and c.name not in pks})
        names_in_order = [str(c.name) for c in columns]
        counts[table.name] = 0
        batch = []
        result = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).yield_per(2000)
        clean = archive_tables()[table.name].clean or (lambda r: r)
        for row in result:
            batch.append(clean({n: _value(v) for n, v in zip(names_in_order, row, strict=True)}))
            if len(batch) >= 2000:
                out[table.name].insert_all(batch, batch_size=500)
                counts[table.name] += len(batch)
                batch = []
        if batch:
            out[table.name].insert_all(batch, batch_size=500)
            counts[table.name] += len(batch)
        dropped = [c.name for c in table.columns if c.name not in kept_columns[table.name]]
        meta_rows.append({"name": str(table.name), "description": descriptions.get(table.name, ""),
                          "rows": counts[table.name], "columns": ", ".join(names_in_order),
                          "omitted_columns": ", ".join(dropped), "full_text_search": ""})
    for row in meta_rows:
        wanted = archive_tables()[row["name"]].fts
        if not wanted:
            continue
        table = next(t for t, _ in tables if t.name == row["name"])
        text_columns = [c for c in wanted if c in kept_columns[row["name"]]
                        and isinstance(table.columns[c].type, String | Text)]
        if text_columns:
            out[row["name"]].enable_fts(text_columns, create_triggers=True)
            row["full_text_search"] = ", ".join(text_columns)
    stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    out["_tables"].create({"name": str, "description": str, "rows": int, "columns": str, "omitted_columns": str,
                           "full_text_search": str, "exported_at": str}, pk="name")
    out["_tables"].insert_all([dict(row, exported_at=stamp) for row in meta_rows])
    out.conn.commit()
    out.execute("PRAGMA foreign_keys=ON")
    out.vacuum()
    out.close() if hasattr(out, "close") else out.conn.close()
    return counts


