"""Cached page fragments that stay correct across processes and servers (docs/caching.md).

A feature says which models a kind of data is made of (`watch_changes("catalogue", Module, …)`); any
transaction that changes one of them writes a new row in `data_changes` just before it commits, in the
same transaction. `version(kind)` reads the newest row's random token, and `cached(key, render)` keeps
rendered fragments per process under (kind, version, the caller's key): a change anywhere is seen by
every process at its next request. Entries also expire after `ttl` seconds, for what depends on the
clock only ("next sessions", "in the next 30 days").
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from itertools import chain

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from app.core.i18n import viewer_timezone
from app.core.models import DataChange
from app.core.timeutil import utcnow
from app.extensions import db

KEEP_CHANGES = timedelta(days=1)


class LRU:
    """A bounded, thread-safe map that forgets the least recently used entry first (per process)."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_WATCHED: list[tuple[str, tuple[type, ...], Callable[[object], bool] | None]] = []
_FRAGMENTS = LRU(2000)  # (kind, version, key) -> (expires at, value)


def watch_changes(kind: str, *classes: type, when: Callable[[object], bool] | None = None) -> None:
    """Changes to instances of `classes` (for which `when(obj)` holds, if given) change `kind`'s version."""
    entry = (kind, tuple(classes), when)
    if entry not in _WATCHED:
        _WATCHED.append(entry)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context) -> None:
    if not _WATCHED:
        return
    kinds = session.info.setdefault("changed_kinds", set())
    for obj in chain(session.new, session.dirty, session.deleted):
        for kind, classes, when in _WATCHED:
            if kind not in kinds and isinstance(obj, classes) and (when is None or when(obj)):
                kinds.add(kind)


@event.listens_for(Session, "before_commit")
def _write_versions(session) -> None:
    session.flush()  # what is still pending is noted first
    kinds = session.info.pop("changed_kinds", None)
    if kinds:
        # Last in the transaction, and an INSERT: concurrent transactions never wait on each other here.
        session.execute(insert(DataChange), [{"kind": k, "token": secrets.token_hex(8), "created_at": utcnow()}
                                             for k in sorted(kinds)])


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session, _previous) -> None:
    session.info.pop("changed_kinds", None)


def watched_kinds() -> list[str]:
    return sorted({kind for kind, _classes, _when in _WATCHED})


def bump(kind: str) -> None:
    """A new version by hand, for writes that bypass the ORM's unit of work (bulk inserts, imports)."""
    db.session.execute(insert(DataChange).values(kind=kind, token=secrets.token_hex(8), created_at=utcnow()))


def version(kind: str) -> str:
    token = db.session.scalar(select(DataChange.token).where(DataChange.kind == kind)
                              .order_by(DataChange.id.desc()).limit(1))
    return token or "none"


def cached(kind: str, key: tuple, render: Callable[[], object], ttl: float = 60.0):
    """`render()`'s result for this key and the current version of `kind`, kept per process."""
    full_key = (kind, version(kind), *key)
    now = time.monotonic()
    hit = _FRAGMENTS.get(full_key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = render()
    _FRAGMENTS.put(full_key, (now + ttl, value))
    return value


_CSRF_SLOT = "csrf-slot-" + secrets.token_hex(16)  # stands for each visitor's own form token in a stored page
_MAX_QUERY = 1000  # longer query strings are rendered, not stored


def page_key(*parts) -> tuple:
    """What a visitor's page depends on besides the data: language, zone and the exact query string."""
    return (request.path, str(get_locale()), viewer_timezone(), request.query_string, *parts)


def visitor_page(kind: str, render: Callable[[], str], ttl: float = 60.0) -> str:
    """A whole page for visitors, stored per process like `cached`, with each visitor's own CSRF token.

    Only for people who are not signed in and have no message waiting (a flash is theirs alone); the
    stored page holds a slot where the form token goes, filled in for each request, so a visitor's
    language form works and no one's token is ever shown to another.
    """
    if current_user.is_authenticated or session.get("_flashes") or len(request.query_string) > _MAX_QUERY:
        return render()
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

    def render_with_slot() -> str:
        own = g.pop(field, None)
        setattr(g, field, _CSRF_SLOT)  # Flask-WTF's generate_csrf returns what g holds
        try:
            return str(render())
        finally:
            g.pop(field, None)
            if own is not None:
                setattr(g, field, own)

    page = cached(kind, page_key(), render_with_slot, ttl)
    return page.replace(_CSRF_SLOT, generate_csrf()) if _CSRF_SLOT in page else page


def clear() -> None:
    _FRAGMENTS.clear()


def prune_changes() -> int:
    """Scheduler job: rows older than a day go, the newest of each kind stays (it is the version)."""
    newest = select(func.max(DataChange.id)).group_by(DataChange.kind)
    result = db.session.execute(delete(DataChange).where(DataChange.created_at < utcnow() - KEEP_CHANGES,
                                                         DataChange.id.not_in(newest)))
    return result.rowcount or 0
