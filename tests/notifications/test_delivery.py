"""Delivering the outbox to a real SMTP server on loopback: what arrives, once, and what happens on failure."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.config import Defaults
from app.core.delivery import deliver_outbox, retry_message
from app.core.mail import calendar_attachment, queue_mail
from app.core.models import OutboxMessage
from tests.notifications.conftest import NOW

ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
       "UID:appointment-1@test\r\nDTSTAMP:20260302T090000Z\r\nDTSTART:20260303T090000Z\r\n"
       "DTEND:20260303T100000Z\r\nSUMMARY:Coaching – Réunion\r\nSEQUENCE:{seq}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def _mail(user, subject="Test mail", kind="enrolment", **kwargs):
    return queue_mail(user, kind, "password_reset", subject=subject,
                      context={"minutes": 60, "link": "https://example.org/reset"}, **kwargs)


def _statuses(db):
    return sorted(db.session.execute(select(OutboxMessage.status)).scalars())


def test_without_mail_server_mail_stays_queued_for_admins(app, db, make, client, login):
    app.config["MAIL_SERVER"] = None
    user = make.user()
    _mail(user, "Stays here")
    db.session.commit()
    assert deliver_outbox(now=NOW) == "no MAIL_SERVER: mail stays in the outbox"
    assert _statuses(db) == ["queued"]
    login(make.admin())
    page = client.get("/admin/outbox?status=queued").get_data(as_text=True)
    assert "Stays here" in page and user.email in page


def test_multipart_text_html_and_calendar_methods_arrive_once(app, db, make, smtp):
    anna = make.user(name="Anna Kowalska", email="anna@example.org")
    bart = make.user(name="Bart Peeters", email="bart@example.org")
    _mail(anna, "Invitation", attachments=[calendar_attachment(ICS.format(method="REQUEST", seq=0).encode(),
                                                               "REQUEST")])
    _mail(bart, "Cancelled", kind="cancellation",
          attachments=[calendar_attachment(ICS.format(method="CANCEL", seq=1).encode(), "CANCEL")])
    _mail(bart, "Plain")
    db.session.commit()

    result = deliver_outbox(now=NOW)
    assert (result.sent, result.failed) == (3, 0)
    assert smtp.inbox.subjects() == ["Cancelled", "Invitation", "Plain"]
    assert smtp.inbox.recipients() == ["anna@example.org", "bart@example.org", "bart@example.org"]
    assert len(set(smtp.inbox.message_ids())) == 3

    by_subject = {str(m["Subject"]): m for m in smtp.inbox.messages}
    invitation = by_subject["Invitation"]
    assert invitation["To"].addresses[0].display_name == "Anna Kowalska"
    assert invitation["From"].addresses[0].addr_spec == "no-reply@mayors-in-action.eu"
    types = [part.get_content_type() for part in invitation.walk()]
    assert types[:5] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]
    calendar = next(p for p in invitation.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert "Coaching – Réunion" in calendar.get_content()
    ics_file = next(p for p in invitation.walk() if p.get_filename() == "invite.ics")
    assert b"METHOD:REQUEST" in ics_file.get_content()
    cancel = next(p for p in by_subject["Cancelled"].walk() if p.get_content_type() == "text/calendar")
    assert cancel.get_param("method") == "CANCEL"
    plain = by_subject["Plain"]
    assert plain.get_content_type() == "multipart/alternative"
    assert "/notifications/preferences" in plain.get_body(("plain",)).get_content()

    # Nothing left: a second run sends nothing again.
    assert deliver_outbox(now=NOW + timedelta(minutes=5)).sent == 0
    assert len(smtp.inbox.messages) == 3
    assert _statuses(db) == ["sent"] * 3
    assert all(m.sent_at is not None and m.claimed_until is None
               for m in db.session.scalars(select(OutboxMessage)))


def test_mail_in_the_recipients_language_with_preferences_link(app, db, make, smtp):
    from app.auth.services import request_password_reset

    dutch = make.user(language="nl", email="jan@example.be")
    request_password_reset(dutch.email)
    db.session.commit()
    deliver_outbox(now=NOW)
    [message] = smtp.inbox.messages
    assert str(message["Subject"]) != "Reset your Mayors in Action password"  # Dutch, from the catalogue
    body = message.get_body(("plain",)).get_content()
    assert "Kies welke mails je ontvangt: http://127.0.0.1:5000/notifications/preferences" in body  # PUBLIC_URL
    assert message["Content-Language"] == "nl"


@pytest.mark.parametrize("language", [lang for lang in Defaults.LANGUAGES if lang != "en"])
def test_each_interface_language_arrives_in_its_own_words(app, db, make, smtp, language):
    """Through a real SMTP server, in every offered language: the subject and the body's footer are the
    catalogue's, not English, and the message says its language."""
    from flask_babel import gettext

    from app.auth.services import request_password_reset
    from app.core.i18n import in_language

    person = make.user(language=language, email=f"reader-{language}@example.eu")
    request_password_reset(person.email)
    db.session.commit()
    deliver_outbox(now=NOW)
    [message] = smtp.inbox.messages
    with in_language(language):
        subject = gettext("Reset your Mayors in Action password")
        footer = gettext("Choose which mails you receive: %(url)s",
                         url="http://127.0.0.1:5000/notifications/preferences")
    assert subject != "Reset your Mayors in Action password"
    assert str(message["Subject"]) == subject
    assert footer in message.get_body(("plain",)).get_content()
    assert message["Content-Language"] == language


def test_outage_loses_nothing_and_doubles_nothing(app, db, make, smtp):
    users = [make.user() for _ in range(4)]
    for n, user in enumerate(users):
        _mail(user, f"Mail {n}")
    db.session.commit()

    smtp.inbox.accept_only = 2  # the server starts refusing half-way through the run
    first = deliver_outbox(now=NOW)
    assert (first.sent, first.failed) == (2, 2)
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")).all()
    assert len(waiting) == 2
    for message in waiting:
        assert message.attempts == 1 and "421" in message.last_error
        assert message.next_attempt_at == NOW + timedelta(seconds=60)

    smtp.stop()  # and then it is gone altogether
    smtp.inbox.accept_only = None
    assert deliver_outbox(now=NOW + timedelta(seconds=30)).sent == 0  # backoff: not due yet
    down = deliver_outbox(now=NOW + timedelta(seconds=61))
    assert (down.sent, down.failed) == (0, 2)
    db.session.expire_all()
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")):
        assert message.attempts == 2 and "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at == NOW + timedelta(seconds=61 + 120)  # doubled

    smtp.start()  # back
    back = deliver_outbox(now=NOW + timedelta(seconds=61 + 120))
    assert (back.sent, back.failed) == (2, 0)
    assert smtp.inbox.subjects() == ["Mail 0", "Mail 1", "Mail 2", "Mail 3"]
    assert deliver_outbox(now=NOW + timedelta(hours=1)).sent == 0
    assert len(smtp.inbox.messages) == 4
    assert _statuses(db) == ["sent"] * 4


def test_gives_up_after_max_attempts_and_admin_retries(app, db, make, smtp, client, login):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    user = make.user(email="far@example.org")
    _mail(user, "Persistent")
    db.session.commit()
    smtp.stop()
    now = NOW
    for _attempt in range(3):
        deliver_outbox(now=now)
        now += timedelta(hours=7)  # beyond any backoff
    message = db.session.scalar(select(OutboxMessage))
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("failed", 3)
    assert deliver_outbox(now=now).failed == 0  # failed messages are left alone

    login(make.admin())
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Persistent" in page and "Retry" in page
    response = client.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 302
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("queued", 0)

    smtp.start()
    assert deliver_outbox(now=now + timedelta(minutes=1)).sent == 1
    assert smtp.inbox.recipients() == ["far@example.org"]


def test_retry_needs_an_admin(app, db, make, smtp, client, login):
    message = _mail(make.user(), "Not yours")
    message.status = "failed"
    db.session.commit()
    login(make.trainer())
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code == 403
    assert retry_message(message) is True
    assert retry_message(message) is False  # only failed messages


def test_permanent_refusal_fails_at_once(app, db, make, smtp):
    gone = make.user(email="gone@example.org")
    fine = make.user(email="fine@example.org")
    _mail(gone, "To nobody")
    _mail(fine, "To someone")
    db.session.commit()
    smtp.inbox.refuse.add("gone@example.org")
    result = deliver_outbox(now=NOW)
    assert (result.sent, result.gave_up) == (1, 1)
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "gone@example.org"))
    assert failed.status == "failed" and "550" in failed.last_error
    assert smtp.inbox.recipients() == ["fine@example.org"]


def test_a_claimed_message_is_not_sent_by_another_run(app, db, make, smtp):
    """A second scheduler sees the lease of the first and keeps its hands off until it expires."""
    from app.core.delivery import _claim

    _mail(make.user(), "Claimed")
    db.session.commit()
    claimed = _claim(NOW, 10, timedelta(minutes=10))
    assert len(claimed) == 1
    assert deliver_outbox(now=NOW + timedelta(minutes=1)).sent == 0  # the other process's run
    assert smtp.inbox.messages == []
    # The first process died without sending: after the lease someone else delivers it.
    assert deliver_outbox(now=NOW + timedelta(minutes=11)).sent == 1


@pytest.mark.parametrize("lazy", [True, False])
def test_subject_lazy_or_plain(app, db, make, smtp, lazy):
    _mail(make.user(language="nl"), _l("Reset your Mayors in Action password") if lazy else "Plain subject")
    db.session.commit()
    assert deliver_outbox(now=NOW).sent == 1


@pytest.fixture
def tls_smtp(tmp_path):
    """aiosmtpd that requires STARTTLS and a login, with a throwaway certificate for 127.0.0.1."""
    import ssl
    import subprocess

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.notifications.conftest import SMTPServer

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
        return AuthResult(success=ok)

    server = SMTPServer()
    server.controller = Controller(server.inbox, hostname="127.0.0.1", port=server.port, tls_context=context,
                                   require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    server.controller.start()
    server.cert, server.logins = str(cert), logins
    yield server
    server.stop()


def test_starttls_and_login(app, db, make, tls_smtp):
    app.config.update(MAIL_PORT=tls_smtp.port, MAIL_USE_TLS=True, MAIL_CA_FILE=tls_smtp.cert,
                      MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret")
    _mail(make.user(email="secure@example.org"), "Over TLS")
    db.session.commit()
    assert deliver_outbox(now=NOW).sent == 1
    assert tls_smtp.inbox.recipients() == ["secure@example.org"]
    assert [login[1:] for login in tls_smtp.logins] == [(b"mailer", b"s3cret")]

    # A wrong password is a configuration problem: the mail waits, it is not given up.
    app.config.update(MAIL_PASSWORD="wrong", MAIL_TIMEOUT=2)  # aiosmtpd answers a bad login slowly
    _mail(make.user(), "Waits")
    db.session.commit()
    result = deliver_outbox(now=NOW)
    assert (result.sent, result.failed, result.gave_up) == (0, 1, 0)
