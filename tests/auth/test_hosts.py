"""Links in mail come from PUBLIC_URL; forged Host headers are refused; ProxyFix for the client address."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.models import AuditEvent, OutboxMessage


def test_forged_host_is_refused_and_queues_no_mail(client, make, db):
    user = make.user()
    response = client.post("/auth/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    # The error page itself renders (its links come from PUBLIC_URL).
    assert "evil.example" not in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:5000", "127.0.0.1", "[::1]:8000",
                                  "mia.example.eu", "MIA.example.eu:443"])
@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://mia.example.eu"}])
def test_public_host_and_loopback_are_trusted_on_any_port(client, host):
    assert client.get("/auth/login", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "mia.example.eu.evil.example",
                                  "[::2]:8000", "127.0.0.2"])
@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://mia.example.eu"}])
def test_other_hosts_get_400(client, host):
    assert client.get("/auth/login", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://mia.example.eu",
                                          "TRUSTED_HOSTS": ["alias.example", ".intranet.example", "localhost"]}])
def test_mail_links_use_public_url_even_from_a_trusted_alias(client, make, db):
    user = make.user()
    response = client.post("/auth/forgot", data={"email": user.email}, headers={"Host": "www.intranet.example"})
    assert response.status_code == 302
    body = db.session.scalar(select(OutboxMessage.text_body))
    assert re.search(r"https://mia\.example\.eu/auth/reset/\S+", body)
    assert "intranet" not in body and "localhost" not in body
    assert client.get("/auth/login", headers={"Host": "alias.example"}).status_code == 200
    assert client.get("/auth/login", headers={"Host": "mia.example.eu"}).status_code == 400  # not in the list


def _failed_login_ip(client, db, **headers) -> str:
    client.post("/auth/login", data={"email": "x@example.org", "password": "wrong password"}, headers=headers)
    return db.session.scalar(select(AuditEvent.ip).order_by(AuditEvent.id.desc()))


def test_forwarded_for_is_ignored_without_proxy_fix(client, db):
    assert _failed_login_ip(client, db, **{"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.1"


@pytest.mark.parametrize("app_config", [{"PROXY_FIX_X_FOR": 1}])
def test_proxy_fix_takes_the_client_address_from_the_proxy(client, db):
    assert _failed_login_ip(client, db, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}) == "203.0.113.7"


@pytest.mark.parametrize("app_config", [{"PROXY_FIX_X_FOR": 1, "RATELIMIT_ENABLED": True,
                                          "LOGIN_LIMIT_PER_ADDRESS": "2 per minute"}])
def test_address_limits_see_the_forwarded_client(client):
    def attempt(address):
        return client.post("/auth/login", data={"email": f"{address}@example.org", "password": "wrong password"},
                           headers={"X-Forwarded-For": address}).status_code
    assert [attempt("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert attempt("203.0.113.8") == 200  # another client behind the same proxy
