"""The foundation endpoints of docs/api.md: tokens, users, me, reference data, errors, OpenAPI."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.models import ApiToken, User


def test_token_from_email_and_password(client, make, db):
    user = make.user()
    response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": make.PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and len(stored.token_hash) == 64
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me == {"id": user.id, "name": user.name, "email": user.email, "role": "participant",
                  "com_role": user.com_role, "com_role_status": "granted", "organisation": "", "country": "BE",
                  "timezone": "Europe/Brussels",
                  "language": "en", "languages": ["en"], "is_coach": False}


def test_token_with_wrong_password_is_401_in_error_format(client, make):
    user = make.user()
    response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "wrong"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_missing_and_bad_tokens_are_401(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert set(response.get_json()["error"]) >= {"code", "message"}


def test_session_cookie_does_not_authenticate_the_api(client, make, login):
    login(make.user())
    assert client.get("/api/v1/me").status_code == 401


def test_admin_creates_users_others_are_forbidden(client, make, db):
    admin, participant = make.admin(), make.user()
    body = {"email": "new@example.org", "name": "New Person", "password": "a long enough password", "role": "trainer",
            "com_role": "other", "country": "HR", "is_coach": True}
    assert client.post("/api/v1/users", json=body, headers=make.bearer(participant)).status_code == 403
    response = client.post("/api/v1/users", json=body, headers=make.bearer(admin))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["timezone"] == "Europe/Zagreb" and created["is_coach"] is True
    duplicate = client.post("/api/v1/users", json=body, headers=make.bearer(admin))
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == "duplicate_email"
    assert db.session.scalar(select(User).where(User.email == "new@example.org")).role == "trainer"


def test_user_creation_validates_every_field(client, make):
    admin = make.admin()
    response = client.post("/api/v1/users", headers=make.bearer(admin), json={
        "email": "not-an-email", "name": "", "password": "short", "role": "king", "country": "XX",
        "timezone": "Nowhere/City"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert "role" in fields
    response = client.post("/api/v1/users", headers=make.bearer(admin), json={
        "email": "not-an-email", "name": "", "password": "short", "role": "trainer", "country": "XX",
        "timezone": "Nowhere/City"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) >= {"email", "name", "password", "country", "timezone"}


def test_unparsable_json_is_a_4xx_not_a_500(client, make):
    response = client.post("/api/v1/users", data="{not json", content_type="application/json",
                           headers=make.bearer(make.admin()))
    assert 400 <= response.status_code < 500
    assert "error" in response.get_json()


def test_reference_data_is_public(client):
    topics = client.get("/api/v1/topics").get_json()
    assert topics["total"] == 16
    assert {"code": "public-lighting", "name": "Public lighting"} in topics["items"]
    countries = client.get("/api/v1/countries").get_json()["items"]
    assert [c["code"] for c in countries[:6]] == ["BE", "HR", "GR", "IT", "PL", "ES"]
    greece = countries[2]
    assert greece == {"code": "GR", "name": "Greece", "timezone": "Europe/Athens", "languages": ["el"]}
    assert any(c["code"] == "DE" for c in countries)


def test_calendar_feed_url_rotates(client, make):
    user = make.user()
    headers = make.bearer(user)
    first = client.get("/api/v1/me/calendar", headers=headers).get_json()["feed_url"]
    assert client.get("/api/v1/me/calendar", headers=headers).get_json()["feed_url"] == first
    assert client.get(first).status_code == 200
    second = client.post("/api/v1/me/calendar/rotate", headers=headers).get_json()["feed_url"]
    assert second != first
    assert client.get(first).status_code == 404
    feed = client.get(second)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("text/calendar")
    assert feed.headers["Cache-Control"] == "no-store"
    assert b"METHOD:PUBLISH" in feed.data


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_openapi_documents_the_foundation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path, method in [("/api/v1/auth/tokens", "post"), ("/api/v1/users", "post"), ("/api/v1/me", "get"),
                         ("/api/v1/topics", "get"), ("/api/v1/countries", "get"),
                         ("/api/v1/me/calendar", "get"), ("/api/v1/me/calendar/rotate", "post")]:
        assert method in spec["paths"][path], path


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
