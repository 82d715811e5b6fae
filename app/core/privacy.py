"""Personal data (GDPR): each feature registers what it holds about a person, so core imports no feature.

- `register_personal_data(app, name, export_fn, erase_fn, order)`: `export_fn(user)` returns what the
  feature holds about the person, as JSON-ready values (`<name>.json` in "Download my data");
  `erase_fn(user, request)` erases or anonymises it while keeping what others rely on consistent.
  Erasure runs in `order`: features that tell others (cancellations) first, the account itself last.
- `register_retention(app, name, prune_fn)`: `prune_fn(cutoff)` removes what is older than the retention
  period (RETENTION_MONTHS); the daily `prune_personal_data` job runs each in its own savepoint.
"""
from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import Flask, current_app

from app.core.timeutil import utcnow
from app.extensions import db

log = logging.getLogger("app.privacy")

FORMER_PARTICIPANT = "Former participant"  # the stored name of an erased account (shown translated)


@dataclass
class ErasureRequest:
    """What the person (or the admin acting on their request) chose when asking for erasure."""

    actor: object  # who asked: the person, or an administrator
    keep_name_on_practices: bool = False  # consent to stay credited by name on good practices
    notes: list[str] = field(default_factory=list)  # what each feature did, for the audit entry


@dataclass
class PersonalDataSource:
    name: str
    export: Callable[[object], object]
    erase: Callable[[object, ErasureRequest], object] | None
    order: int = 50


def register_personal_data(app: Flask, name: str, export_fn: Callable[[object], object],
                           erase_fn: Callable[[object, ErasureRequest], object] | None = None,
                           order: int = 50) -> None:
    app.extensions.setdefault("personal_data", {})[name] = PersonalDataSource(name, export_fn, erase_fn, order)


def personal_data_sources(app: Flask | None = None) -> list[PersonalDataSource]:
    found = (app or current_app).extensions.get("personal_data", {}).values()
    return sorted(found, key=lambda source: (source.order, source.name))


def register_retention(app: Flask, name: str, prune_fn: Callable[[datetime], int]) -> None:
    app.extensions.setdefault("retention", {})[name] = prune_fn


# Export -------------------------------------------------------------------------------------------

def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def row_dict(obj, *, skip: tuple[str, ...] = ()) -> dict:
    """The columns of a model row, without the secret ones (info={"secret": True}) and `skip`."""
    mapper = obj.__mapper__
    return {column.name: getattr(obj, mapper.get_property_by_column(column).key)
            for column in obj.__table__.columns if not column.info.get("secret") and column.name not in skip}


def export_personal_data(user) -> dict[str, object]:
    return {source.name: source.export(user) for source in personal_data_sources()}


def personal_data_zip(user) -> bytes:
    """One JSON file per feature, plus a short README, in a ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names = []
        for name, data in export_personal_data(user).items():
            archive.writestr(f"{name}.json", json.dumps(data, default=_json_default, indent=2,
                                                        ensure_ascii=False, sort_keys=True))
            names.append(f"{name}.json")
        archive.writestr("README.txt", "Mayors in Action: the personal data held about you, exported "
                                       f"{utcnow():%Y-%m-%d %H:%M} UTC.\nFiles: {', '.join(names)}\n")
    return buffer.getvalue()


# Erasure ------------------------------------------------------------------------------------------

def erase_personal_data(user, request: ErasureRequest) -> list[str]:
    """Every feature erases its part, in order, in the caller's transaction (the caller commits)."""
    for source in personal_data_sources():
        if source.erase is None:
            continue
        result = source.erase(user, request)
        if result:
            request.notes.append(f"{source.name}: {result}")
        db.session.flush()
    return request.notes


# Retention ----------------------------------------------------------------------------------------

def retention_cutoff(now: datetime | None = None, months: int | None = None) -> datetime:
    months = int(current_app.config.get("RETENTION_MONTHS", 12) if months is None else months)
    return (now or utcnow()) - timedelta(days=round(months * 30.44))


def prune_personal_data(now: datetime | None = None) -> dict[str, object]:
    """The daily job: each registered source prunes in its own savepoint; one failure stops no other."""
    cutoff = retention_cutoff(now)
    results: dict[str, object] = {}
    for name, prune in current_app.extensions.get("retention", {}).items():
        try:
            with db.session.begin_nested():
                results[name] = prune(cutoff)
        except Exception as error:
            log.exception("retention %s failed", name)
            results[name] = f"failed: {type(error).__name__}"
    return results


def delete_rows_before(model, id_column, date_column, cutoff: datetime, *, where=None, batch: int = 500) -> int:
    """Delete old rows in batches; when a batch fails, row by row, skipping (and logging) the bad ones."""
    from sqlalchemy import delete, select

    deleted = 0
    last_id = 0
    while True:
        query = select(id_column).where(date_column < cutoff, id_column > last_id)
        if where is not None:
            query = query.where(where)
        ids = list(db.session.scalars(query.order_by(id_column).limit(batch)))
        if not ids:
            return deleted
        last_id = ids[-1]
        try:
            with db.session.begin_nested():
                deleted += db.session.execute(delete(model).where(id_column.in_(ids))
                                              .execution_options(synchronize_session=False)).rowcount
        except Exception:
            for row_id in ids:
                try:
                    with db.session.begin_nested():
                        deleted += db.session.execute(delete(model).where(id_column == row_id)
                                                      .execution_options(synchronize_session=False)).rowcount
                except Exception:
                    log.exception("retention: could not delete %s %s", model.__tablename__, row_id)


def prune_outbox(cutoff: datetime) -> int:
    """Mail sent (or given up on) before the cutoff: addresses and texts are not kept longer."""
    from app.core.models import OutboxMessage

    return delete_rows_before(OutboxMessage, OutboxMessage.id, OutboxMessage.created_at, cutoff,
                              where=OutboxMessage.status != "queued")
