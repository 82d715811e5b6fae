"""Passwords (OWASP ASVS 6): common and breached-style ones are refused everywhere with a reason,
unknown accounts cost a hash check too, scrypt at OWASP's cost with re-hashing of older hashes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from app.auth import services
from app.auth.models import User
from tests.conftest import base_config
from tests.factories import TEST_PASSWORD_HASH_METHOD, Factories

COMMON = ["password123", "Welkom01", "qwertyuiop", "iloveyou2024", "P@ssw0rd!", "12345678", "aaaaaaaaaa"]
STRONG = "a brand new secret 7"


def _register(client, password, **values):
    data = {"name": "Maria Papadaki", "email": "maria@heraklion.gr", "password": password, "confirm": password,
            "country": "GR", "com_role": "other", "language": "en", **values}
    return client.post("/auth/register", data=data)


def _error(html: str) -> str:
    return " ".join(re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', html))


@pytest.mark.parametrize("password", COMMON)
def test_the_register_form_refuses_common_passwords_and_says_why(client, db, password):
    response = _register(client, password)
    assert response.status_code == 200
    message = _error(response.get_data(as_text=True))
    assert "too easy to guess" in message
    assert db.session.scalar(select(User)) is None


def test_the_reason_names_the_most_used_passwords_and_the_own_name(client):
    assert "most used passwords" in _error(_register(client, "password123").get_data(as_text=True))
    assert "your name or email address" in _error(_register(client, "papadaki2026!").get_data(as_text=True))
    assert _register(client, STRONG).status_code == 302


def test_the_reason_is_in_dutch_for_dutch_visitors(client):
    client.post("/language", data={"language": "nl", "next": "/"})
    response = _register(client, "password123", language="nl")
    assert "te makkelijk te raden" in _error(response.get_data(as_text=True))


def test_password_change_refuses_common_passwords(client, make, login, db):
    user = make.user()
    login(user)
    response = client.post("/auth/password", data={"current_password": Factories.PASSWORD,
                                                   "password": "password123", "confirm": "password123"})
    assert response.status_code == 200 and "too easy to guess" in _error(response.get_data(as_text=True))
    db.session.refresh(user)
    assert user.check_password(Factories.PASSWORD)


def test_reset_refuses_common_passwords(client, make, db):
    from tests.auth.test_accounts import reset_link

    user = make.user(name="Jan Peeters")
    client.post("/auth/forgot", data={"email": user.email})
    client.get(reset_link(db))
    response = client.post("/auth/reset", data={"password": "peeters2026!", "confirm": "peeters2026!"})
    assert response.status_code == 200
    assert "your name or email address" in _error(response.get_data(as_text=True))
    assert client.post("/auth/reset", data={"password": STRONG, "confirm": STRONG}).status_code == 302


def test_the_api_refuses_common_passwords(client, make):
    body = {"email": "new@example.org", "name": "New Person", "password": "Welkom01", "role": "trainer",
            "country": "NL"}
    response = client.post("/api/v1/users", json=body, headers=make.bearer(make.admin()))
    assert response.status_code == 422
    assert "too easy to guess" in response.get_json()["error"]["fields"]["password"][0]
    response = client.post("/api/v1/users", json={**body, "password": STRONG}, headers=make.bearer(make.admin()))
    assert response.status_code == 201


def test_the_command_line_refuses_common_passwords(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "x@example.org", "--name", "X",
                                                "--password", "iloveyou2024", "--country", "BE"])
    assert result.exit_code == 2 and "too easy to guess" in result.output


@pytest.mark.parametrize("app_config", [{"PASSWORD_MIN_SCORE": 0}])
def test_the_check_can_be_switched_off(client):
    assert _register(client, "password123").status_code == 302


class _Spy:
    """Counts calls to Werkzeug's check_password_hash (and calls it)."""

    def __init__(self, real):
        self.real, self.hashes = real, []

    def __call__(self, pwhash, password):
        self.hashes.append(pwhash)
        return self.real(pwhash, password)


def test_unknown_accounts_cost_a_hash_check_like_known_ones(app, client, make, monkeypatch):
    spy = _Spy(services.check_password_hash)
    monkeypatch.setattr(services, "check_password_hash", spy)
    user = make.user()
    client.post("/auth/login", data={"email": "nobody@example.org", "password": "wrong password"})
    client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    client.post("/api/v1/auth/tokens", json={"email": "nobody@example.org", "password": "wrong password"})
    assert len(spy.hashes) == 2  # the known account is checked through User.check_password
    assert all(h.startswith(app.config["PASSWORD_HASH_METHOD"] + "$") for h in spy.hashes)


def test_a_known_account_is_checked_through_the_same_function(client, make, monkeypatch):
    import app.auth.models as models

    spy = _Spy(models.check_password_hash)
    monkeypatch.setattr(models, "check_password_hash", spy)
    client.post("/auth/login", data={"email": make.user(is_active_account=False).email, "password": "wrong pw"})
    assert len(spy.hashes) == 1  # a deactivated account is checked too: same time


def test_the_default_cost_is_owasp_guidance(database_url, monkeypatch):
    monkeypatch.delenv("FLASK_PASSWORD_HASH_METHOD", raising=False)
    config = base_config(database_url)
    del config["PASSWORD_HASH_METHOD"]
    app = create_app(config)
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt:131072:8:1"
    with app.app_context():
        user = User(email="x@example.org", name="X", country="BE", timezone="UTC")
        user.set_password(STRONG)
        assert user.password_hash.startswith("scrypt:131072:8:1$") and user.check_password(STRONG)
        assert not user.password_needs_rehash()


def test_tests_hash_cheaply():
    assert base_config("sqlite://")["PASSWORD_HASH_METHOD"] == TEST_PASSWORD_HASH_METHOD


@pytest.mark.parametrize("app_config", [{"PASSWORD_HASH_METHOD": "scrypt:2048:8:1"}])
def test_older_hashes_are_made_again_at_sign_in(client, make, db):
    user = make.user()
    assert user.password_hash.startswith(TEST_PASSWORD_HASH_METHOD + "$")
    client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    db.session.refresh(user)
    assert user.password_hash.startswith(TEST_PASSWORD_HASH_METHOD + "$")  # not on a failure
    assert client.post("/auth/login", data={"email": user.email, "password": Factories.PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:2048:8:1$") and user.check_password(Factories.PASSWORD)
