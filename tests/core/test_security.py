"""Security baseline: headers, cookies, CSRF on every form, rate limits, no-store, session rotation."""
from __future__ import annotations

import re

import pytest
from flask import url_for

from app import create_app
from tests.conftest import base_config


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/api/v1/topics", "/auth/login"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts_or_styles(client, make, login):
    login(make.admin())
    for path in ("/", "/auth/profile", "/admin/", "/admin/users", "/contact", "/auth/password"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_authenticated_pages_are_not_cached(client, make, login):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(make.user())
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/profile").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags_and_rotation(client, make):
    user = make.user(language="nl")
    client.get("/")
    client.post("/language", data={"language": "en", "next": "/"})
    before = client.get_cookie("session").value
    response = client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get_cookie("session").value != before
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)  # the account's language wins


def test_production_cookies_are_secure_by_default(database_url, monkeypatch):
    monkeypatch.delenv("FLASK_SESSION_COOKIE_SECURE", raising=False)
    config = base_config(database_url)
    del config["SESSION_COOKIE_SECURE"], config["REMEMBER_COOKIE_SECURE"]
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True


def test_secret_key_is_generated_once_into_instance(tmp_path):
    from app import _instance_secret

    path = tmp_path / "secret_key"
    first = _instance_secret(path)
    assert len(first) == 64 and _instance_secret(path) == first
    assert oct(path.stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_every_html_form_requires_csrf(app, client, make, login):
    """Every POST route outside the API refuses a request without a CSRF token."""
    user = make.admin()
    with app.test_request_context():
        routes = [r for r in app.url_map.iter_rules()
                  if "POST" in r.methods and not r.rule.startswith("/api/")]
    assert len(routes) >= 10
    # Sign in with a real token first (the login form itself is CSRF-protected too).
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD}).status_code == 400
    assert client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD,
                                            "csrf_token": token}).status_code == 302
    for rule in routes:
        with app.test_request_context():
            values = {arg: 1 if "id" in arg else "x" for arg in rule.arguments}
            url = url_for(rule.endpoint, **values)
        response = client.post(url, data={"name": "x", "token-name": "x"})
        assert response.status_code == 400, f"{rule.rule} accepted a POST without a CSRF token"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
                                          "LOGIN_LIMIT_PER_ADDRESS": "5 per minute"}])
def test_login_is_rate_limited_per_account_and_per_address(client, make):
    user = make.user()
    for _ in range(3):
        assert client.post("/auth/login", data={"email": user.email, "password": "wrong pw!"}).status_code == 200
    limited = client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD})
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    # Another account from the same address: the address limit (5) still has two tries.
    other = make.user()
    for _ in range(2):
        assert client.post("/auth/login", data={"email": other.email, "password": "wrong pw!"}).status_code == 200
    assert client.post("/auth/login", data={"email": other.email, "password": "wrong"}).status_code == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "2 per minute"}])
def test_api_token_endpoint_is_rate_limited(client, make):
    user = make.user()
    for _ in range(2):
        assert client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "x"}).status_code == 401
    response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": make.PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "2 per minute"}])
def test_successful_logins_do_not_use_up_the_limit(client, make):
    user = make.user()
    for _ in range(4):
        assert client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD}).status_code == 302
        client.post("/auth/logout")
