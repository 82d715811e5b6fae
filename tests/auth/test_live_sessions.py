"""Many signed-in browsers reading pages at once, against a multi-worker gunicorn.

Each request notes when its session was last seen (at most once a minute). On SQLite a reading
request that turns into a writer after another worker committed fails at once ("database is
locked"), so that note is written in a short transaction of its own: no request may fail.
"""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.auth.models import UserSession
from app.auth.services import start_user_session
from app.core.timeutil import utcnow

pytestmark = pytest.mark.live

PEOPLE = 24
ROUNDS = 3


def _get(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_many_signed_in_requests_at_once_note_their_sessions_without_an_error(live_server, app, db, make):
    users = [make.user(email=f"reader{n}@example.org", commit=False) for n in range(PEOPLE)]
    db.session.flush()
    keys = [start_user_session(user, remember=False) for user in users]
    db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookies = [f"{cookie_name}={serializer.dumps({'_user_id': key, '_fresh': True})}" for key in keys]
    url = f"{live_server.url}/auth/profile"
    started = utcnow()

    for _ in range(ROUNDS):
        # every session last seen five minutes ago: each request below writes its note
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        start = threading.Barrier(PEOPLE)

        def read(cookie: str, start: threading.Barrier = start) -> int:
            start.wait()
            return _get(url, cookie)

        with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
            codes = list(pool.map(read, cookies))
        assert codes == [200] * PEOPLE, codes  # signed in, and no "database is locked" 500

    db.session.expire_all()
    seen = db.session.scalars(select(UserSession.last_seen_at)).all()
    assert len(seen) == PEOPLE
    assert all(moment >= started for moment in seen)  # every request noted its session
