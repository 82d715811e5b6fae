"""Password reset cannot be hijacked: older links die, the outbox holds no working link, the token
leaves the URL at once, requests are rate-limited, and the owner hears of every password change."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.delivery import deliver_outbox
from app.core.mail import SECRET_PLACEHOLDER
from app.core.models import AuditEvent, OutboxMessage
from tests.auth.test_accounts import reset_link
from tests.factories import Factories
from tests.notifications.conftest import SMTPServer

NEW = "a brand new secret 7"


def _reset_with(client, link, password=NEW):
    client.get(link)
    return client.post("/auth/reset", data={"password": password, "confirm": password})


def _actions(db, prefix: str) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))
                              .order_by(AuditEvent.id)).all()


def test_a_newer_request_ends_the_older_links(client, make, db):
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email})
    first = reset_link(db)
    client.post("/auth/forgot", data={"email": user.email})
    second = reset_link(db)
    assert first != second
    assert client.get(first).headers["Location"].endswith("/auth/forgot")
    assert _reset_with(client, second).headers["Location"] == "/auth/login"


def test_a_password_change_ends_open_reset_links(app, client, make, db, login):
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email})
    link = reset_link(db)
    login(user)
    client.post("/auth/password", data={"current_password": Factories.PASSWORD, "password": NEW, "confirm": NEW})
    stranger = app.test_client()
    assert stranger.get(link).headers["Location"].endswith("/auth/forgot")


def test_the_outbox_never_holds_a_working_link(app, client, make, db, login):
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email})
    message = db.session.scalar(select(OutboxMessage))
    token = reset_link(db).rsplit("/", 1)[1]
    assert SECRET_PLACEHOLDER in message.text_body and SECRET_PLACEHOLDER in message.html_body
    assert token not in message.text_body + message.html_body
    stored = re.search(r"http://127.0.0.1:5000(/auth/reset/\S+)", message.text_body).group(1)
    admin = app.test_client()
    login(make.admin(), target=admin)
    page = admin.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert token not in page and SECRET_PLACEHOLDER in page
    assert admin.get(stored).headers["Location"].endswith("/auth/forgot")  # the admin cannot use it


def test_the_sent_mail_carries_the_working_link(app, make, db, client):
    smtp = SMTPServer()
    smtp.start()
    try:
        app.config.update(smtp.config)
        user = make.user()
        client.post("/auth/forgot", data={"email": user.email})
        result = deliver_outbox()
        assert result.sent == 1
    finally:
        smtp.stop()
        for key in smtp.config:
            app.config[key] = None if key == "MAIL_SERVER" else app.config[key]
    [mail] = smtp.inbox.messages
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = re.search(r"http://127.0.0.1:5000(/auth/reset/[A-Za-z0-9_-]+)", text).group(1)
    assert SECRET_PLACEHOLDER not in text + html and link in html
    db.session.expire_all()
    stored = db.session.scalar(select(OutboxMessage))
    assert stored.status == "sent" and SECRET_PLACEHOLDER in stored.text_body and link not in stored.text_body
    assert _reset_with(client, link).headers["Location"] == "/auth/login"
    db.session.refresh(user)
    assert user.check_password(NEW)


def test_the_token_leaves_the_address_at_once(client, make, db):
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email})
    link = reset_link(db)
    token = link.rsplit("/", 1)[1]
    opened = client.get(link)
    assert opened.status_code == 302 and token not in opened.headers["Location"]
    page = client.get("/auth/reset").get_data(as_text=True)
    assert token not in page and "<form method=\"post\"" in page
    assert client.post("/auth/reset", data={"password": NEW, "confirm": NEW}).headers["Location"] == "/auth/login"


def test_the_reset_page_without_a_link_sends_to_forgot(client):
    assert client.get("/auth/reset").headers["Location"].endswith("/auth/forgot")
    assert client.get("/auth/reset/not-a-token").headers["Location"].endswith("/auth/forgot")


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "FORGOT_LIMIT_PER_ACCOUNT": "3 per hour",
                                          "FORGOT_LIMIT_PER_ADDRESS": "5 per hour"}])
def test_forgot_is_limited_per_account_and_per_address(client, make, db):
    user, other = make.user(), make.user()
    answers = [client.post("/auth/forgot", data={"email": user.email}).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3
    # Another account from the same address: the address limit (5) has two requests left.
    answers = [client.post("/auth/forgot", data={"email": other.email}).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert _actions(db, "ratelimit.") == ["ratelimit.forgot", "ratelimit.forgot"]
    refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ratelimit.forgot"))
    assert refusal.target == user.email and refusal.ip == "127.0.0.1"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "1 per minute"}])
def test_login_and_token_refusals_are_audited(client, make, db):
    user = make.user()
    client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    assert client.post("/auth/login", data={"email": user.email, "password": "wrong"}).status_code == 429
    other = make.user()
    client.post("/api/v1/auth/tokens", json={"email": other.email, "password": "wrong"})
    assert client.post("/api/v1/auth/tokens", json={"email": other.email, "password": "x"}).status_code == 429
    assert _actions(db, "ratelimit.") == ["ratelimit.login", "ratelimit.token"]


def test_the_owner_hears_of_a_password_change_and_a_reset(client, make, db, login):
    user = make.user(language="nl")
    login(user)
    client.post("/auth/password", data={"current_password": Factories.PASSWORD, "password": NEW, "confirm": NEW})
    client.post("/auth/logout")
    client.post("/auth/forgot", data={"email": user.email})
    _reset_with(client, reset_link(db), password="yet another secret 8")
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_changed")).all()
    assert [m.to_email for m in mails] == [user.email, user.email]
    assert "wachtwoord" in mails[0].subject.lower()
    assert "http://127.0.0.1:5000/auth/forgot" in mails[0].text_body


def test_the_changed_mail_says_what_to_do_if_it_was_not_you(client, make, db, login):
    user = make.user()
    login(user)
    client.post("/auth/password", data={"current_password": Factories.PASSWORD, "password": NEW, "confirm": NEW})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_changed"))
    assert "If it was not you" in mail.text_body and "was changed" in mail.subject
