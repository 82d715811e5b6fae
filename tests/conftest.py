"""Fixtures: a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), factories,
a query counter, and a live multi-worker gunicorn for concurrency and browser tests."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from app import create_app
from app.core import cache
from app.extensions import db as _db
from app.extensions import limiter
from tests.factories import TEST_PASSWORD_HASH_METHOD, Factories

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-key-not-for-production"


def pytest_sessionstart(session):
    """Plain `pytest` works after `make install`: compile the catalogues when a .po is newer than its .mo."""
    stale = [po for po in (ROOT / "app").rglob("LC_MESSAGES/messages.po")
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "compile"], check=True, cwd=ROOT)


def pytest_collection_modifyitems(items):
    """Every test that talks to the live server is a live test (`make unit` leaves them out)."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PREFERRED_URL_SCHEME": "http",
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,  # cheap scrypt: the strong default takes 128 MiB
        "SCHEDULER_IN_PROCESS": False,
        # The test process only reads and sets up data: its transactions must not take SQLite's
        # write lock, or a live server waiting for it would stall (production keeps the lock).
        "SQLITE_LOCK_OUTSIDE_REQUESTS": False,
    }


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the tables once per run, from the models (migrations are tested on their own)."""
    app = create_app(base_config(database_url))
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    return True


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production (fresh g, session, locale).

    The test's own database session commits first, so it holds no lock and sees the request's writes.
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


_APPS: dict[str, object] = {}


@pytest.fixture
def app(database_url, _schema, app_config):
    """The app for this configuration (built once per run and reused), over emptied tables."""
    key = repr(sorted(app_config.items(), key=lambda item: item[0]))
    if key not in _APPS:
        _APPS[key] = create_app({**base_config(database_url), **app_config})
        _APPS[key].test_client_class = IsolatedClient
    app = _APPS[key]
    saved_config = dict(app.config)  # a test may change the shared app's config: it gets it back after
    with app.app_context():
        _truncate_all()
        cache.clear()  # fragments of the previous test's data (versions are random tokens: belt and braces)
        if app.config["RATELIMIT_ENABLED"]:
            limiter.reset()
        yield app
        _db.session.remove()
    app.config.clear()
    app.config.update(saved_config)


def _truncate_all() -> None:
    """Empty every table, children first. DELETE is much cheaper than TRUNCATE on small tables."""
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app) -> Factories:
    """Factories with sensible defaults: make.user(country="GR"), make.token(user)…"""
    return Factories()


@pytest.fixture
def login(client):
    """Sign a test client in through the real login form."""
    def _login(user, password: str = Factories.PASSWORD, target=client):
        # Signing in again must switch people: the login page sends a signed-in browser home with a 302
        # too, so without this a second login() kept the first person and tests passed for the wrong one.
        for cookie in list(target._cookies.values()):
            target.delete_cookie(cookie.key, domain=cookie.domain, path=cookie.path)
        response = target.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return target
    return _login


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as q: ...; assert q.count <= N` counts SQL statements sent."""
    @contextlib.contextmanager
    def _counting():
        counter = QueryCounter()
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)
    return _counting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real gunicorn with several workers on loopback, against the test database."""

    def __init__(self, database_url: str, workers: int = 4, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=database_url, FLASK_SECRET_KEY=TEST_SECRET,
                   FLASK_RATELIMIT_ENABLED="false", FLASK_SESSION_COOKIE_SECURE="false",
                   FLASK_REMEMBER_COOKIE_SECURE="false", FLASK_SERVER_NAME_FOR_UIDS="test.mayors-in-action.eu",
                   FLASK_PASSWORD_HASH_METHOD=TEST_PASSWORD_HASH_METHOD,
                   **(extra_env or {}))
        env.pop("FLASK_SCHEDULER_IN_PROCESS", None)
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"gunicorn-{self.port}.log", "w+")  # noqa: SIM115
        # --preload: the app is built once and forked (create_app opens no connection), not once per worker
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--preload", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket",
             "app:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 90  # generous: a loaded 2-core machine boots workers slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        output = self.log.read()[-3000:]
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + output)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: no waiting on idle keep-alives
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def live_server(database_url, _schema):
    server = LiveServer(database_url)
    yield server
    server.stop()
