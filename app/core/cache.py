"""Cached page fragments that stay correct across processes and servers (docs/caching.md).

A feature says which models a kind of data is made of (`watch_changes("catalogue", Module, …)`); any
transaction that changes one of them, through the unit of work or a bulk INSERT, UPDATE or DELETE, writes
a new row in `data_changes` just before it commits, in the same transaction. `versions(kinds)` reads the
newest row's random token of every kind in one query (kept for the rest of the request, until it commits),
and `cached(kinds, key, render)` keeps rendered fragments per process under (kinds, their versions, the
caller's key): a change anywhere is seen by every process at its next request. Entries also expire after
`ttl` seconds, for what depends on the clock only ("next sessions", "in the next 30 days").
`personal(...)` does the same for one signed-in person's fragment (their home's sections).
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from itertools import chain

from flask import current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Table, delete, event, func, insert, select
from sqlalchemy.orm import Session

from app.core.i18n import viewer_timezone
from app.core.models import DataChange
from app.core.timeutil import utcnow
from app.extensions import db

KEEP_CHANGES = timedelta(days=1)


class LRU:
    """A bounded, thread-safe map that forgets the least recently used entry first (per process).

    It holds at most `maxsize` entries and, with `max_chars`, at most that many characters of text in
    its values (a kept page can be 100 kB: a count alone would not bound the memory)."""

    def __init__(self, maxsize: int, max_chars: int | None = None):
        self.maxsize, self.max_chars = maxsize, max_chars
        self._items: OrderedDict = OrderedDict()
        self._sizes: dict = {}
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        size = _chars(value) if self.max_chars else 0
        with self._lock:
            self._chars += size - self._sizes.get(key, 0)
            self._items[key], self._sizes[key] = value, size
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize or (self.max_chars and self._chars > self.max_chars
                                                      and len(self._items) > 1):
                old, _value = self._items.popitem(last=False)
                self._chars -= self._sizes.pop(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self._chars = 0


def _chars(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(_chars(item) for item in value)
    return 0


_WATCHED: list[tuple[str, tuple[type, ...], frozenset[Table], Callable[[object], bool] | None]] = []
_FRAGMENTS = LRU(5000, max_chars=20_000_000)  # (kinds, versions, key) -> (expires at, value); ~40 MB


def watch_changes(kind: str, *watched: type | Table, when: Callable[[object], bool] | None = None) -> None:
    """Changes to instances of these mapped classes (for which `when(obj)` holds, if given, when they are
    changed rather than added or deleted), and any bulk statement on their tables or on the plain tables
    given, change `kind`'s version."""
    classes = tuple(w for w in watched if isinstance(w, type))
    tables = frozenset(w if isinstance(w, Table) else w.__table__ for w in watched)
    entry = (kind, classes, tables, when)
    if entry not in _WATCHED:
        _WATCHED.append(entry)


def watch_models(kind: str, module, *more: type | Table) -> None:
    """Every mapped class and plain table (of a relationship) defined in a feature's `models` module, and
    those in `more`, are part of `kind`."""
    found = [c for c in vars(module).values() if isinstance(c, Table) or (
        isinstance(c, type) and c.__module__ == module.__name__ and hasattr(c, "__table__"))]
    watch_changes(kind, *found, *more)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context) -> None:
    if not _WATCHED:
        return
    kinds = session.info.setdefault("changed_kinds", set())
    changed = set(session.dirty)
    for obj in chain(session.new, session.dirty, session.deleted):
        for kind, classes, _tables, when in _WATCHED:
            if kind not in kinds and isinstance(obj, classes) and (when is None or obj not in changed or when(obj)):
                kinds.add(kind)


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state) -> None:
    """Bulk INSERT, UPDATE and DELETE statements bypass the unit of work: they are noted by their table."""
    if not (_WATCHED and (state.is_insert or state.is_update or state.is_delete)):
        return
    table = getattr(state.statement, "table", None)
    kinds = {kind for kind, _classes, tables, _when in _WATCHED if table in tables}
    if kinds:
        state.session.info.setdefault("changed_kinds", set()).update(kinds)


@event.listens_for(Session, "before_commit")
def _write_versions(session) -> None:
    session.flush()  # what is still pending is noted first
    kinds = session.info.pop("changed_kinds", None)
    if kinds:
        # Last in the transaction, and an INSERT: concurrent transactions never wait on each other here.
        session.execute(insert(DataChange), [{"kind": k, "token": secrets.token_hex(8), "created_at": utcnow()}
                                             for k in sorted(kinds)])


def forget_versions() -> None:
    """The data versions are read again at their next use (before each request, and after a commit)."""
    if has_app_context():
        g.pop("data_versions", None)


@event.listens_for(Session, "after_commit")
def _forget_versions(_session) -> None:
    forget_versions()  # what this request wrote (or saw others write) is read again


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session, _previous) -> None:
    session.info.pop("changed_kinds", None)


def watched_kinds() -> list[str]:
    return sorted({kind for kind, _classes, _tables, _when in _WATCHED})


def bump(kind: str) -> None:
    """A new version by hand, for writes that bypass the ORM's unit of work (bulk inserts, imports)."""
    db.session.execute(insert(DataChange).values(kind=kind, token=secrets.token_hex(8), created_at=utcnow()))


def versions(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The current version of each kind. The first call in a request reads every watched kind's newest
    token in one query (an index lookup each); later calls use it until the request commits."""
    known = g.setdefault("data_versions", {}) if has_app_context() else {}
    if any(kind not in known for kind in kinds):
        wanted = sorted(set(watched_kinds()) | set(kinds))
        row = db.session.execute(select(*[
            select(DataChange.token).where(DataChange.kind == kind).order_by(DataChange.id.desc()).limit(1)
            .scalar_subquery() for kind in wanted])).one()
        known.update(zip(wanted, (token or "none" for token in row), strict=True))
    return tuple(known[kind] for kind in kinds)


def version(kind: str) -> str:
    return versions((kind,))[0]


def cached(kinds: str | tuple[str, ...], key: tuple, render: Callable[[], object], ttl: float = 60.0):
    """`render()`'s result for this key and the current versions of `kinds`, kept per process."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    full_key = (kinds, versions(kinds), *key)
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


def _with_token_slot(render: Callable[[], object]):
    """`render()` with a slot wherever the viewer's own CSRF token goes (`own_tokens` fills it in)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    own = g.pop(field, None)
    setattr(g, field, _CSRF_SLOT)  # Flask-WTF's generate_csrf returns what g holds
    try:
        return render()
    finally:
        g.pop(field, None)
        if own is not None:
            setattr(g, field, own)


def own_tokens(html: str) -> str:
    """A stored fragment with this viewer's own form token where the slot is."""
    return html.replace(_CSRF_SLOT, generate_csrf()) if _CSRF_SLOT in html else html


def visitor_page(kind: str, render: Callable[[], str], ttl: float = 60.0) -> str:
    """A whole page for visitors, stored per process like `cached`, with each visitor's own CSRF token.

    Only for people who are not signed in and have no message waiting (a flash is theirs alone); the
    stored page holds a slot where the form token goes, filled in for each request, so a visitor's
    language form works and no one's token is ever shown to another.
    """
    if current_user.is_authenticated or session.get("_flashes") or len(request.query_string) > _MAX_QUERY:
        return render()
    return own_tokens(cached(kind, page_key(), lambda: str(_with_token_slot(render)), ttl))


def fragment(kinds: tuple[str, ...], key: tuple, render: Callable[[], object]):
    """`render()` kept per process under the versions of `kinds` (everything the fragment is read from),
    the viewer's language and zone, the page, the current minute (what changes with the clock alone:
    "today", a Join link 30 minutes before, a report falling due) and `key`: whatever else of the viewer
    it shows (their rights on the object, or who they are). Form tokens in it are stored as the slot:
    pass the HTML through `own_tokens` before sending it."""
    minute = utcnow().strftime("%Y%m%d%H%M")
    return cached(kinds, ("fragment", str(get_locale()), viewer_timezone(), request.path, minute, *key),
                  lambda: _with_token_slot(render), ttl=60.0)


def personal(user, kinds: tuple[str, ...], key: tuple, render: Callable[[], object]):
    """A `fragment` of one signed-in person's own (their home's sections, their dashboard)."""
    return fragment(kinds, ("personal", user.id, *key), render)


def fragment_html(kinds: tuple[str, ...], key: tuple, render: Callable[[], str]) -> Markup:
    """`fragment` for a template's HTML, with this browser's own form tokens: ready to go in a page."""
    return Markup(own_tokens(fragment(kinds, key, lambda: str(render()))))  # noqa: S704 (escaped by its template)


def personal_html(user, kinds: tuple[str, ...], key: tuple, render: Callable[[], str]) -> Markup:
    """`personal` for a template's HTML, with this browser's own form tokens: ready to go in a page."""
    return fragment_html(kinds, ("personal", user.id, *key), render)


def clear() -> None:
    _FRAGMENTS.clear()


def prune_changes() -> int:
    """Scheduler job: rows older than a day go, the newest of each kind stays (it is the version)."""
    newest = select(func.max(DataChange.id)).group_by(DataChange.kind)
    result = db.session.execute(delete(DataChange).where(DataChange.created_at < utcnow() - KEEP_CHANGES,
                                                         DataChange.id.not_in(newest)))
    return result.rowcount or 0
