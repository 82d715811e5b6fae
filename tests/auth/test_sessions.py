"""Sign out signs out: per-browser sessions on the server, idle and absolute timeouts, everywhere."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from app.auth.models import UserSession
from app.core.models import AuditEvent
from app.core.timeutil import utcnow
from app.core.tokens import hash_token
from tests.factories import Factories


def _sessions(db) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(select(UserSession).order_by(UserSession.id)).all()


def _login(client, user, remember: bool = False):
    data = {"email": user.email, "password": Factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302
    return response


def test_sign_out_with_keep_me_signed_in_signs_the_browser_out(client, make, db):
    user = make.user()
    _login(client, user, remember=True)
    assert client.get_cookie("remember_token") is not None
    response = client.post("/auth/logout")
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token") is None
    assert client.get("/auth/profile").status_code == 302
    assert _sessions(db) == []
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "logout"


def test_cookies_copied_before_sign_out_no_longer_work(app, client, make, db):
    user = make.user()
    _login(client, user, remember=True)
    copied = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    client.post("/auth/logout")
    for names in (("session", "remember_token"), ("remember_token",), ("session",)):
        thief = app.test_client()
        for name in names:
            thief.set_cookie(name, copied[name])
        assert thief.get("/auth/profile").status_code == 302, names


def test_remember_cookie_is_a_random_key_per_sign_in(app, make, db):
    user = make.user()
    values = []
    for _ in range(2):
        browser = app.test_client()
        _login(browser, user, remember=True)
        values.append(browser.get_cookie("remember_token").value.split("|")[0])
    assert values[0] != values[1] and str(user.id) not in values
    assert {hash_token(v) for v in values} == {row.token_hash for row in _sessions(db)}
    rows = _sessions(db)
    assert all(row.is_remembered for row in rows)
    assert all(timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30) for row in rows)


def test_idle_sessions_end_but_remembered_ones_do_not(app, make, db):
    user = make.user()
    plain, kept = app.test_client(), app.test_client()
    _login(plain, user)
    _login(kept, user, remember=True)
    for row in _sessions(db):
        row.last_seen_at = utcnow() - timedelta(minutes=121)
    db.session.commit()
    assert plain.get("/auth/profile").status_code == 302
    assert kept.get("/auth/profile").status_code == 200
    assert [row.is_remembered for row in _sessions(db)] == [True]  # the idle one is gone


@pytest.mark.parametrize("app_config", [{"SESSION_IDLE_MINUTES": 5}])
def test_idle_timeout_is_configurable(client, make, db):
    _login(client, make.user())
    row = _sessions(db)[0]
    row.last_seen_at = utcnow() - timedelta(minutes=4)
    db.session.commit()
    assert client.get("/auth/profile").status_code == 200
    row = _sessions(db)[0]
    row.last_seen_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    assert client.get("/auth/profile").status_code == 302


def test_remembered_sessions_end_after_their_absolute_lifetime(app, make, db):
    user = make.user()
    browser = app.test_client()
    _login(browser, user, remember=True)
    remember = browser.get_cookie("remember_token").value
    row = _sessions(db)[0]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    fresh = app.test_client()  # the browser was closed: only the remember cookie is left
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/auth/profile").status_code == 302
    assert browser.get("/auth/profile").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(client, make, db):
    _login(client, make.user())
    recent = utcnow() - timedelta(seconds=30)
    row = _sessions(db)[0]
    row.last_seen_at = recent
    db.session.commit()
    client.get("/auth/profile")
    assert _sessions(db)[0].last_seen_at == recent
    row = _sessions(db)[0]
    row.last_seen_at = utcnow() - timedelta(seconds=90)
    db.session.commit()
    client.get("/auth/profile")
    assert _sessions(db)[0].last_seen_at > utcnow() - timedelta(seconds=10)


def test_a_remembered_browser_is_restored_after_the_session_cookie_is_gone(app, make):
    user = make.user()
    browser = app.test_client()
    _login(browser, user, remember=True)
    remember = browser.get_cookie("remember_token").value
    restarted = app.test_client()
    restarted.set_cookie("remember_token", remember)
    assert restarted.get("/auth/profile").status_code == 200


def test_sign_out_everywhere(app, client, make, db, login):
    user, other = make.user(), make.user()
    login(user)
    second = app.test_client()
    _login(second, user, remember=True)
    bystander = app.test_client()
    _login(bystander, other)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Sign out everywhere" in page and "This browser" in page
    response = client.post("/auth/sessions/end")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert client.get("/auth/profile").status_code == 302
    assert second.get("/auth/profile").status_code == 302
    assert bystander.get("/auth/profile").status_code == 200
    assert [row.user_id for row in _sessions(db)] == [other.id]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "logout.everywhere")) == 1


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_sign_out_everywhere_needs_csrf(client, make, db):
    user = make.user()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"email": user.email, "password": Factories.PASSWORD, "csrf_token": token})
    assert client.post("/auth/sessions/end").status_code == 400
    assert len(_sessions(db)) == 1


def test_deactivation_ends_every_session(app, client, make, db, login):
    admin, user = make.admin(), make.user()
    browser = app.test_client()
    _login(browser, user, remember=True)
    login(admin)
    client.post(f"/admin/users/{user.id}", data={"role": "participant"})  # is_active unticked
    assert [row.user_id for row in _sessions(db)] == [admin.id]
    assert browser.get("/auth/profile").status_code == 302


def test_password_change_keeps_this_browser_and_ends_the_others(app, client, make, db, login):
    user = make.user()
    login(user)
    other = app.test_client()
    _login(other, user, remember=True)
    response = client.post("/auth/password", data={"current_password": Factories.PASSWORD,
                                                   "password": "a brand new secret 7", "confirm": "a brand new secret 7"})
    assert response.status_code == 302
    assert len(_sessions(db)) == 1
    assert client.get("/auth/profile").status_code == 200
    assert other.get("/auth/profile").status_code == 302


# Across processes: a real gunicorn with several workers ---------------------------------------------

def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.live
def test_copied_cookies_die_on_every_worker_after_sign_out(live_server, make, db):
    user = make.user()
    db.session.commit()
    browser = requests.Session()
    login_page = browser.get(f"{live_server.url}/auth/login", timeout=30).text
    response = browser.post(f"{live_server.url}/auth/login", timeout=30, allow_redirects=False, data={
        "email": user.email, "password": Factories.PASSWORD, "remember": "y", "csrf_token": _csrf(login_page)})
    assert response.status_code == 302
    copied = {c.name: c.value for c in browser.cookies}
    assert {"session", "remember_token"} <= set(copied)
    for _ in range(6):  # several requests: they land on different workers
        assert browser.get(f"{live_server.url}/auth/profile", timeout=30, allow_redirects=False).status_code == 200
    profile = browser.get(f"{live_server.url}/auth/profile", timeout=30).text
    browser.post(f"{live_server.url}/auth/logout", data={"csrf_token": _csrf(profile)}, timeout=30)
    assert "remember_token" not in {c.name for c in browser.cookies}
    for _ in range(6):
        thief = requests.get(f"{live_server.url}/auth/profile", cookies=copied, timeout=30, allow_redirects=False)
        assert thief.status_code == 302 and "/auth/login" in thief.headers["Location"]
