"""/healthz names each dependency: the database, and Redis when it holds the rate limits."""
from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import base_config


def test_database_only_when_limits_stay_in_memory(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_redis_reported_when_it_holds_the_limits(redis_server, database_url, _schema):
    app = create_app({**base_config(database_url), "RATELIMIT_STORAGE_URI": redis_server.url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_redis_down_is_a_503_naming_it(database_url, _schema):
    from tests.conftest import free_port

    app = create_app({**base_config(database_url), "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "error"}


def test_sign_in_keeps_working_and_limited_while_redis_is_down(database_url, _schema, make):
    """The limits fall back to the worker's memory: no 500 at the sign-in form, and still a limit."""
    from tests.conftest import free_port

    app = create_app({**base_config(database_url), "RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "3 per hour",
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"})
    with app.app_context():
        user = make.user(email="redis-down@example.org")
        from app.extensions import db

        db.session.commit()
        client = app.test_client()
        codes = [client.post("/auth/login", data={"email": user.email, "password": "wrong password"}).status_code
                 for _ in range(5)]
        assert 500 not in codes and codes[:3] == [200, 200, 200] and codes[-1] == 429, codes
        db.session.remove()


@pytest.mark.parametrize("broken", ["sqlite:////nonexistent-folder/mia/db.sqlite"])
def test_database_down_is_a_503_naming_it(broken, tmp_path, _schema, database_url):
    app = create_app({**base_config(database_url), "SQLALCHEMY_DATABASE_URI": broken})
    with app.app_context():
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
