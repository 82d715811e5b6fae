"""API tokens (OWASP ASVS 7): expiry, list and revoke through the API, last use at most once a minute,
all revoked by a password change, and the plain token never in the session cookie."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken
from app.core.timeutil import parse_iso, utcnow
from tests.factories import Factories


def _bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}


def _new(client, user, **extra):
    return client.post("/api/v1/auth/tokens", json={"email": user.email, "password": Factories.PASSWORD, **extra})


def test_tokens_expire_after_365_days_by_default(client, make):
    response = _new(client, make.user())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "token", "expires_at"} and body["expires_at"].endswith("Z")
    left = parse_iso(body["expires_at"]) - utcnow()
    assert timedelta(days=364) < left <= timedelta(days=365)
    assert client.get("/api/v1/me", headers=_bearer(body["token"])).status_code == 200


def test_the_caller_chooses_the_lifetime_within_bounds(client, make):
    user = make.user()
    body = _new(client, user, name="dashboard", expires_in_days=30).get_json()
    assert timedelta(days=29) < parse_iso(body["expires_at"]) - utcnow() <= timedelta(days=30)
    for days in (0, 3651, "soon"):
        response = _new(client, user, expires_in_days=days)
        assert response.status_code == 422 and "expires_in_days" in response.get_json()["error"]["fields"]


def test_an_expired_token_is_refused(client, make, db):
    plain = _new(client, make.user()).get_json()["token"]
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=_bearer(plain))
    assert response.status_code == 401 and "expired" in response.get_json()["error"]["message"]


def test_the_list_shows_my_tokens_never_their_value(client, make):
    user, other = make.user(), make.user()
    mine = [_new(client, user, name=f"tool {n}").get_json() for n in range(2)]
    _new(client, other)
    client.delete(f"/api/v1/auth/tokens/{mine[1]['id']}", headers=_bearer(mine[0]["token"]))
    response = client.get("/api/v1/auth/tokens", headers=_bearer(mine[0]["token"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1 and [item["id"] for item in body["items"]] == [mine[0]["id"]]
    [item] = body["items"]
    assert set(item) == {"id", "name", "created_at", "last_used_at", "expires_at"}
    assert item["name"] == "tool 0" and item["created_at"].endswith("Z") and item["last_used_at"].endswith("Z")
    assert mine[0]["token"] not in response.get_data(as_text=True)


def test_revoking_through_the_api(client, make):
    user, other = make.user(), make.user()
    keep, drop = (_new(client, user).get_json() for _ in range(2))
    theirs = _new(client, other).get_json()
    assert client.delete(f"/api/v1/auth/tokens/{drop['id']}", headers=_bearer(keep["token"])).status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(drop["token"])).status_code == 401
    assert client.delete(f"/api/v1/auth/tokens/{theirs['id']}", headers=_bearer(keep["token"])).status_code == 404
    assert client.get("/api/v1/me", headers=_bearer(theirs["token"])).status_code == 200
    assert client.delete("/api/v1/auth/tokens/999999", headers=_bearer(keep["token"])).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{keep['id']}").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, make, db):
    plain = make.token(make.user())
    assert db.session.scalar(select(ApiToken.last_used_at)) is None
    client.get("/api/v1/me", headers=_bearer(plain))
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) > utcnow() - timedelta(seconds=10)
    token = db.session.scalar(select(ApiToken))
    recent = utcnow() - timedelta(seconds=30)
    token.last_used_at = recent
    db.session.commit()
    client.get("/api/v1/me", headers=_bearer(plain))
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) == recent
    token = db.session.scalar(select(ApiToken))
    token.last_used_at = utcnow() - timedelta(seconds=90)
    db.session.commit()
    client.get("/api/v1/me", headers=_bearer(plain))
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) > utcnow() - timedelta(seconds=10)


def test_a_password_change_revokes_every_token(client, make, login):
    user = make.user()
    plains = [make.token(user) for _ in range(2)]
    other = make.token(make.user())
    login(user)
    client.post("/auth/password", data={"current_password": Factories.PASSWORD,
                                        "password": "a brand new secret 7", "confirm": "a brand new secret 7"})
    for plain in plains:
        assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(other)).status_code == 200


def test_a_reset_revokes_every_token(client, make, db):
    from tests.auth.test_accounts import reset_link

    user = make.user()
    plain = make.token(user)
    client.post("/auth/forgot", data={"email": user.email})
    client.get(reset_link(db))
    client.post("/auth/reset", data={"password": "a brand new secret 7", "confirm": "a brand new secret 7"})
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 401


def test_the_plain_token_never_passes_through_the_session_cookie(app, client, make, login):
    login(make.user())
    response = client.post("/auth/tokens", data={"token-name": "dashboard", "token-expires_in_days": "30"})
    assert response.status_code == 200
    plain = re.search(r'id="new-token"[^>]*value="(mia_[^"]+)"', response.get_data(as_text=True)).group(1)
    serializer = app.session_interface.get_signing_serializer(app)
    for header in response.headers.getlist("Set-Cookie"):
        assert plain not in header
        if header.startswith("session="):
            assert plain not in repr(serializer.loads(header.split(";")[0].removeprefix("session=")))
    assert plain not in repr(serializer.loads(client.get_cookie("session").value))
    page = client.get("/auth/profile").get_data(as_text=True)
    assert plain not in page and "dashboard" in page
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 200


def test_the_token_form_refuses_a_bad_lifetime(client, make, login, db):
    login(make.user())
    response = client.post("/auth/tokens", data={"token-name": "x", "token-expires_in_days": "0"})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_the_token_endpoints_are_described_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/auth/tokens"])
    assert "delete" in paths["/api/v1/auth/tokens/{token_id}"]
    assert "204" in paths["/api/v1/auth/tokens/{token_id}"]["delete"]["responses"]
    listed = paths["/api/v1/auth/tokens"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["$ref"].endswith("TokenInfoList")
    info = spec["components"]["schemas"]["AuthTokenInfo"]["properties"]
    assert set(info) == {"id", "name", "created_at", "last_used_at", "expires_at"}
    created = spec["components"]["schemas"]["AuthTokenRequest"]["properties"]
    assert "expires_in_days" in created
