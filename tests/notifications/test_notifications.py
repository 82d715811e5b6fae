"""In-app notifications (bell, list, mark read), mail preferences and the weekly trainer digest."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.delivery import deliver_outbox
from app.core.mail import queue_mail, register_digest_section
from app.core.models import OutboxMessage
from app.notifications.digest import send_weekly_digest
from app.notifications.models import Notification
from app.notifications.services import notify
from tests.notifications.conftest import NOW


def _mail(user, kind, subject, url=None, **kwargs):
    return queue_mail(user, kind, "password_reset", subject=subject, url=url,
                      context={"minutes": 60, "link": "https://example.org/x"}, **kwargs)


def _bell(html: str) -> str | None:
    match = re.search(r'data-unread="(\d+)"', html)
    return match.group(1) if match else None


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_important_mail_is_mirrored_in_app(app, db, make):
    user = make.user()
    _mail(user, "enrolment", "You are enrolled", url="http://localhost/courses/1?x=1")
    _mail(user, "password_reset", "Reset your password")  # secrets stay in the mail
    _mail(user, "digest", "Your week")
    db.session.commit()
    [item] = db.session.scalars(select(Notification))
    assert (item.kind, item.text, item.url, item.read_at) == ("enrolment", "You are enrolled", "/courses/1?x=1", None)
    assert _count(db, OutboxMessage) == 3


def test_switched_off_mail_still_notifies_and_essential_mail_always_goes(app, db, make):
    user = make.user(notification_prefs=["enrolment", "cancellation"])
    assert _mail(user, "enrolment", "Enrolled") is None
    assert _mail(user, "cancellation", "Cancelled") is not None  # essential: cannot be switched off
    db.session.commit()
    assert [m.subject for m in db.session.scalars(select(OutboxMessage))] == ["Cancelled"]
    assert sorted(n.text for n in db.session.scalars(select(Notification))) == ["Cancelled", "Enrolled"]


def test_in_app_text_in_the_users_language(app, db, make):
    from flask_babel import lazy_gettext as _l

    dutch = make.user(language="nl")
    notify(dutch, "test", _l("Notifications"))
    _mail(dutch, "enrolment", _l("Mail preferences"), in_app=True)
    db.session.commit()
    assert sorted(n.text for n in db.session.scalars(select(Notification))) == ["Mailvoorkeuren", "Meldingen"]


def test_bell_list_and_mark_read(app, db, make, client, login):
    user, other = make.user(), make.user()
    first = notify(user, "enrolment", "You are enrolled", "/courses/")
    notify(user, "exchange", "A peer proposed an exchange")
    theirs = notify(other, "enrolment", "Not yours")
    db.session.commit()
    login(user)
    assert _bell(client.get("/").get_data(as_text=True)) == "2"
    page = client.get("/notifications/").get_data(as_text=True)
    assert "You are enrolled" in page and "A peer proposed an exchange" in page and "Not yours" not in page

    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302 and response.location.endswith("/courses/")
    assert _bell(client.get("/").get_data(as_text=True)) == "1"
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404

    client.post("/notifications/read-all")
    assert _bell(client.get("/notifications/").get_data(as_text=True)) is None
    db.session.expire_all()
    assert _count(db, Notification, Notification.read_at.is_(None)) == 1  # only the other user's


def test_bell_costs_one_query(app, db, make, client, login, count_queries):
    user = make.user()
    for n in range(30):
        notify(user, "enrolment", f"Item {n}")
    db.session.commit()
    login(user)
    client.get("/")
    with count_queries() as queries:
        client.get("/contact")
    assert sum("notifications" in s for s in queries.statements) == 1
    with count_queries() as queries:
        assert client.get("/notifications/").status_code == 200
    assert queries.count <= 6


def test_pages_need_a_login(client):
    for path in ("/notifications/", "/notifications/preferences"):
        assert client.get(path).status_code == 302
    assert client.post("/notifications/read-all").status_code == 302


def test_preferences_switch_mail_off_and_on(app, db, make, client, login):
    participant = make.user(notification_prefs=["someone-elses-kind"])
    login(participant)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Reminders before my training sessions" in page
    assert "Weekly digest" not in page  # trainers only
    assert 'id="essential-cancellation" checked disabled' in page

    assert client.post("/notifications/preferences", data={"sent": "1"}).status_code == 302  # everything off
    db.session.refresh(participant)
    kinds = [k.kind for k in app.extensions["mail_kinds"].values() if not k.trainers_only]
    assert "reminder" in kinds and "digest" not in kinds
    assert set(participant.notification_prefs) == {*kinds, "someone-elses-kind"}
    client.post("/notifications/preferences", data={"receive": kinds})
    db.session.refresh(participant)
    assert participant.notification_prefs == ["someone-elses-kind"]

    # Essential kinds are not offered, so they cannot be switched off.
    response = client.post("/notifications/preferences", data={"receive": ["password_reset"]})
    assert response.status_code == 200 and "not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(participant)
    assert participant.notification_prefs == ["someone-elses-kind"]


def test_trainer_switches_the_digest_off(app, db, make, client, login):
    trainer = make.trainer()
    login(trainer)
    assert "Weekly digest" in client.get("/notifications/preferences").get_data(as_text=True)
    everything_but_digest = [k for k in app.extensions["mail_kinds"] if k != "digest"]
    client.post("/notifications/preferences", data={"receive": everything_but_digest})
    db.session.refresh(trainer)
    assert trainer.notification_prefs == ["digest"]


def test_profile_links_to_preferences(app, make, client, login):
    login(make.user())
    assert "/notifications/preferences" in client.get("/auth/profile").get_data(as_text=True)


@pytest.fixture
def digest_sections(app):
    def sessions(user):
        if user.name.startswith("Busy"):
            return [f"Session for {user.name}", "Waitlist: 3 people"]
        return None

    def approvals(user):
        return ["2 enrolments wait for your approval"] if user.name == "Busy Both" else []

    register_digest_section(app, sessions, title="Your sessions")
    register_digest_section(app, approvals, title="Approvals")


def test_weekly_digest_once_per_week_to_trainers_with_news(app, db, make, smtp, digest_sections):
    make.trainer(name="Busy Trainer", email="busy@example.org")
    make.trainer(name="Busy Both", email="both@example.org", language="nl")
    make.trainer(name="Quiet Trainer")  # nothing to say: no digest
    make.trainer(name="Busy But Off", notification_prefs=["digest"])
    make.user(name="Busy Participant")  # not a trainer
    make.trainer(name="Busy Gone", is_active_account=False)
    db.session.commit()

    monday = NOW.replace(hour=0)
    assert send_weekly_digest(now=monday + timedelta(hours=5)) == 0  # before Monday 06:00 UTC
    assert send_weekly_digest(now=monday + timedelta(hours=6)) == 2
    db.session.commit()
    assert send_weekly_digest(now=monday + timedelta(days=3)) == 0  # once a week
    db.session.commit()
    deliver_outbox(now=monday + timedelta(hours=7))
    assert smtp.inbox.recipients() == ["both@example.org", "busy@example.org"]
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp.inbox.messages}
    english = by_to["busy@example.org"].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert str(by_to["busy@example.org"]["Subject"]) == "Your week on Mayors in Action"
    assert "Your sessions\n- Session for Busy Trainer\n- Waitlist: 3 people" in english
    assert "Approvals" not in english
    dutch = by_to["both@example.org"]
    assert str(dutch["Subject"]) == "Jouw week op Mayors in Action"
    assert "- 2 enrolments wait for your approval" in dutch.get_body(("plain",)).get_content()
    assert "/notifications/preferences" in dutch.get_body(("plain",)).get_content()
    assert _count(db, Notification) == 0  # the digest is mail only

    assert send_weekly_digest(now=monday + timedelta(days=7, hours=6)) == 2  # next week again


def test_digest_without_sections_sends_nothing(app, db, make):
    make.trainer()
    db.session.commit()
    assert send_weekly_digest(now=NOW) == 0


def test_api_notifications_and_preferences(app, db, make, client):
    user, other = make.user(), make.user()
    first = notify(user, "enrolment", "Enrolled", "/courses/")
    notify(user, "exchange", "Exchange proposed")
    theirs = notify(other, "enrolment", "Not yours")
    db.session.commit()
    auth = make.bearer(user)
    body = client.get("/api/v1/me/notifications", headers=auth).get_json()
    assert body["total"] == 2 and [i["text"] for i in body["items"]] == ["Exchange proposed", "Enrolled"]
    assert body["items"][0]["created_at"].endswith("Z") and body["items"][0]["read_at"] is None
    read = client.post(f"/api/v1/me/notifications/{first.id}/read", headers=auth).get_json()
    assert read["read_at"].endswith("Z")
    assert client.get("/api/v1/me/notifications?unread=true", headers=auth).get_json()["total"] == 1
    assert client.post(f"/api/v1/me/notifications/{theirs.id}/read", headers=auth).status_code == 404
    assert client.post("/api/v1/me/notifications/read-all", headers=auth).get_json() == {"marked": 1}
    assert client.get("/api/v1/me/notifications").status_code == 401

    prefs = client.get("/api/v1/me/notification-preferences", headers=auth).get_json()
    assert "reminder" in prefs["receive"] and "digest" not in prefs["receive"]
    assert "cancellation" in prefs["essential"]
    changed = client.put("/api/v1/me/notification-preferences", json={"receive": []}, headers=auth).get_json()
    assert sorted(changed["switched_off"]) == sorted(prefs["receive"])
    refused = client.put("/api/v1/me/notification-preferences", json={"receive": ["cancellation"]}, headers=auth)
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["receive"]


@pytest.mark.parametrize("app_config", [{"SERVER_NAME": None, "PUBLIC_URL": "https://mia.example.eu"}])
def test_mail_queued_outside_a_request_links_to_public_url(app, db, make, app_config):
    """A CLI command or demo loader queues mail in a bare app context: links use PUBLIC_URL."""
    message = _mail(make.user(), "enrolment", "From the command line")
    assert "https://mia.example.eu/notifications/preferences" in message.text_body


def test_old_read_notifications_are_pruned(app, db, make):
    from app.notifications.services import mark_all_read, prune_notifications

    user = make.user()
    notify(user, "enrolment", "Old and read")
    db.session.commit()
    mark_all_read(user, now=NOW)
    notify(user, "enrolment", "Old but unread")
    db.session.commit()
    assert prune_notifications(now=NOW + timedelta(days=179)) == 0
    assert prune_notifications(now=NOW + timedelta(days=181)) == 1
    assert [n.text for n in db.session.scalars(select(Notification))] == ["Old but unread"]
