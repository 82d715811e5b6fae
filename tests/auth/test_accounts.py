"""Accounts through the HTML forms: register, log in and out, profile, password change and reset."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.models import PasswordReset, User
from app.core.models import AuditEvent, OutboxMessage


def test_register_creates_account_and_signs_in(client, db):
    response = client.post("/auth/register", data={
        "name": "Nikos Georgiou", "email": "Nikos@Example.org", "password": "long enough pw",
        "confirm": "long enough pw", "organisation": "Region of Crete", "country": "GR",
        "com_role": "coordinator", "languages": ["el", "en"], "language": "en"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nikos@example.org"))
    assert user.timezone == "Europe/Athens"
    assert user.languages == ["el", "en"]
    assert user.password_hash.startswith("scrypt:")
    assert "Nikos Georgiou" in client.get("/auth/profile").get_data(as_text=True)


def test_register_rejects_duplicate_and_short_password(client, make):
    existing = make.user(email="taken@example.org")
    response = client.post("/auth/register", data={
        "name": "X", "email": existing.email.upper(), "password": "long enough pw", "confirm": "long enough pw",
        "country": "BE", "com_role": "other", "language": "en"})
    assert response.status_code == 200
    assert "exists already" in response.get_data(as_text=True)
    response = client.post("/auth/register", data={
        "name": "Y", "email": "y@example.org", "password": "short", "confirm": "short",
        "country": "BE", "com_role": "other", "language": "en"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_long_passwords_up_to_128_are_accepted(client, db):
    password = ("heraklion harbour lights at dusk, 7 quiet gulls and one kettle of mint tea "
                "on the balcony of a mayor who rides a blue tandem bicycle")[:128]
    assert len(password) == 128
    response = client.post("/auth/register", data={
        "name": "Long", "email": "long@example.org", "password": password, "confirm": password,
        "country": "PL", "com_role": "other", "language": "en"})
    assert response.status_code == 302


def test_login_logout_and_audit(client, make, db):
    user = make.user()
    bad = client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    assert bad.status_code == 200
    assert "not correct" in bad.get_data(as_text=True)
    good = client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD})
    assert good.status_code == 302
    assert client.get("/auth/profile").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login.failure", "login.success"]
    client.post("/auth/logout")
    assert client.get("/auth/profile").status_code == 302


def test_login_redirects_only_to_local_pages(client, make):
    user = make.user()
    response = client.post("/auth/login?next=https://evil.example/x",
                           data={"email": user.email, "password": make.PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/auth/profile", data={"email": user.email, "password": make.PASSWORD})
    assert response.headers["Location"] == "/auth/profile"


def test_deactivated_user_cannot_sign_in(client, make):
    user = make.user(is_active_account=False)
    response = client.post("/auth/login", data={"email": user.email, "password": make.PASSWORD})
    assert response.status_code == 200


def test_profile_edit_defaults_zone_from_country(client, make, login, db):
    user = make.user(country="BE")
    login(user)
    response = client.post("/auth/profile", data={
        "name": "Renamed", "organisation": "Province", "country": "GR", "com_role": "supporter",
        "timezone": "", "languages": ["el"], "language": "nl"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.timezone, user.language, user.com_role) == ("Renamed", "Europe/Athens", "nl", "supporter")
    page = client.get("/auth/profile").get_data(as_text=True)
    assert '<html lang="nl">' in page


def test_profile_rejects_unknown_timezone(client, make, login, db):
    user = make.user()
    login(user)
    response = client.post("/auth/profile", data={
        "name": "N", "country": "BE", "com_role": "other", "timezone": "Mars/Olympus", "language": "en"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.timezone == "Europe/Brussels"


def test_password_change_needs_current_and_ends_other_sessions(app, client, make, login, db):
    user = make.user()
    login(user)
    other = app.test_client()
    login(user, target=other)
    wrong = client.post("/auth/password", data={"current_password": "nope nope", "password": "new password 1",
                                                "confirm": "new password 1"})
    assert wrong.status_code == 200
    assert "not correct" in wrong.get_data(as_text=True)
    ok = client.post("/auth/password", data={"current_password": make.PASSWORD, "password": "new password 1",
                                             "confirm": "new password 1"})
    assert ok.status_code == 302
    assert client.get("/auth/profile").status_code == 200  # this session goes on
    assert other.get("/auth/profile").status_code == 302  # the other one is signed out
    db.session.refresh(user)
    assert user.check_password("new password 1")


def reset_link(db) -> str:
    """The path of the newest reset link, as the sent mail has it (the outbox keeps it hidden)."""
    from app.core.mail import reveal_secret

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
                                .order_by(OutboxMessage.id.desc()))
    text, _html = reveal_secret(message)
    return re.search(r"http://127.0.0.1:5000(/auth/reset/\S+)", text).group(1)  # PUBLIC_URL


def test_password_reset_is_single_use_and_expires(client, make, db):
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email})
    client.post("/auth/forgot", data={"email": "nobody@example.org"})  # same answer, no mail
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert len(mails) == 1 and mails[0].to_email == user.email and mails[0].kind == "password_reset"
    link = reset_link(db)
    assert db.session.scalar(select(PasswordReset.token_hash)) not in link  # only the hash is stored
    opened = client.get(link)
    assert opened.status_code == 302 and opened.headers["Location"] == "/auth/reset"  # the token leaves the URL
    response = client.post("/auth/reset", data={"password": "brand new pw", "confirm": "brand new pw"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    again = client.get(link)
    assert again.headers["Location"].endswith("/auth/forgot")
    assert client.post("/auth/reset", data={"password": "another pw 29", "confirm": "another pw 29"}
                       ).headers["Location"].endswith("/auth/forgot")
    db.session.refresh(user)
    assert user.check_password("brand new pw")


def test_expired_reset_link_is_refused(client, make, db):
    from datetime import timedelta

    from app.auth.services import request_password_reset

    user = make.user()
    request_password_reset(user.email)
    db.session.commit()
    link = reset_link(db)
    assert client.get(link).headers["Location"] == "/auth/reset"
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = reset.expires_at - timedelta(hours=2)
    db.session.commit()
    response = client.post("/auth/reset", data={"password": "brand new pw", "confirm": "brand new pw"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/forgot")
    assert client.get(link).headers["Location"].endswith("/auth/forgot")
    db.session.refresh(user)
    assert not user.check_password("brand new pw")


def test_reset_mail_is_in_the_recipients_language(client, make, db):
    user = make.user(language="nl")
    client.post("/auth/forgot", data={"email": user.email})
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.language == "nl"
    assert "wachtwoord" in mail.subject.lower()
    assert "<p>" in mail.html_body


def test_api_tokens_created_shown_once_and_revoked(client, make, login, db):
    from app.auth.models import ApiToken

    user = make.user()
    login(user)
    response = client.post("/auth/tokens", data={"token-name": "dashboard"})
    assert response.status_code == 200  # shown in the answer to the POST
    page = response.get_data(as_text=True)
    plain = re.search(r'id="new-token" class="[^"]*" readonly value="(mia_[^"]+)"', page).group(1)
    assert plain not in client.get("/auth/profile").get_data(as_text=True)  # shown once
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash != plain and plain.startswith(token.prefix)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    client.post(f"/auth/tokens/{token.id}/revoke")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_cannot_revoke_someone_elses_token(client, make, login, db):
    owner, other = make.user(), make.user()
    plain = make.token(owner)
    login(other)
    from app.auth.models import ApiToken

    token_id = db.session.scalar(select(ApiToken.id))
    assert client.post(f"/auth/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_waiting_for_a_role_is_one_rule_in_python_and_in_sql(make, db):
    people = [make.user(com_role=role, com_role_status=status)
              for role in ("coordinator", "supporter", "municipality", "other")
              for status in ("claimed", "granted", "denied")]
    waiting = set(db.session.scalars(select(User.id).where(User.is_waiting_for_role)))
    assert waiting == {u.id for u in people if u.is_waiting_for_role}
    assert len(waiting) == 3  # the three Covenant roles, claimed; "other" needs no decision
