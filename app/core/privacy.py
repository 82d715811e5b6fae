"""Personal data (GDPR): each feature registers what it holds about a person, so core imports no feature.

- `register_personal_data(app, name, export_fn, erase_fn, order)`: `export_fn(user)` returns what the
  feature holds about the person, as JSON-ready values (`<name>.json` in "Download my data");
  `erase_fn(user, request)` erases or anonymises it while keeping what others rely on consistent.
  Erasure runs in `order`: features that tell others (cancellations) first, the account itself last.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import Flask, current_app

from app.core.timeutil import utcnow
from app.extensions import db

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
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns
            if not column.info.get("secret") and column.key not in skip}


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

