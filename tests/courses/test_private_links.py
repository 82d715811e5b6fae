"""A session's online meeting link reaches only people with a seat, its trainers and admins (issue 10).

Every way out is tried: the session page, the module page and catalogue, the JSON API, the two .ics
downloads, the personal calendar feed, and the mail (bodies and invitations) of each enrolment status.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.core.calendar import feed_url
from app.core.models import OutboxMessage
from app.courses import services
from app.extensions import db

LINK = "https://meet.example.org/secret-room-4711"


def _online(courses, **values):
    values.setdefault("location", "")
    values.setdefault("country", None)
    return courses.session(online_url=LINK, **values)


def _mail_text(user) -> str:
    """Every mail body and attachment queued for `user`, as one text."""
    parts = []
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)):
        parts.append(message.text_body + message.html_body)
        parts.extend(a.data.decode() for a in message.attachments)
    return "\n".join(parts)


def _unfolded(text: str) -> str:
    return text.replace("\r\n ", "").replace("\n ", "")


def test_predicate_only_for_seat_holders_trainers_and_admins(make, courses, db):
    session = _online(courses, capacity=1)
    enrolled, waiting = make.user(), make.user()
    services.enrol(enrolled, session)
    services.enrol(waiting, session)
    db.session.commit()
    assert session.shows_link_to(enrolled) and session.online_url_for(enrolled) == LINK
    assert not session.shows_link_to(waiting) and session.online_url_for(waiting) == ""
    assert not session.shows_link_to(make.user())
    assert not session.shows_link_to(None)
    assert session.shows_link_to(session.module.trainers[0])
    assert session.shows_link_to(make.admin())
    assert not session.shows_link_to(make.trainer())  # a trainer of another module


def test_anonymous_ics_downloads_leave_the_link_out(client, courses):
    session = _online(courses)
    for path in (f"/api/v1/sessions/{session.id}/ics", f"/courses/sessions/{session.id}/invite.ics"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        assert "secret-room" not in _unfolded(response.get_data(as_text=True)), path


def test_ics_downloads_carry_the_link_for_a_seat_only(app, make, courses, login, db):
    session = _online(courses, capacity=1)
    enrolled, waiting = make.user(), make.user()
    services.enrol(enrolled, session)
    services.enrol(waiting, session)
    db.session.commit()
    for user, visible in ((enrolled, True), (waiting, False), (make.user(), False),
                          (session.module.trainers[0], True), (make.admin(), True)):
        api = app.test_client().get(f"/api/v1/sessions/{session.id}/ics", headers=make.bearer(user))
        assert (LINK in _unfolded(api.get_data(as_text=True))) is visible, user
        page_client = login(user, target=app.test_client())
        invite = page_client.get(f"/courses/sessions/{session.id}/invite.ics")
        assert (LINK in _unfolded(invite.get_data(as_text=True))) is visible, user


def test_session_json_and_pages_hide_the_link_from_everyone_without_a_seat(app, client, make, courses, login, db):
    session = _online(courses, capacity=1)
    enrolled, waiting = make.user(), make.user()
    services.enrol(enrolled, session)
    services.enrol(waiting, session)
    db.session.commit()
    assert client.get(f"/api/v1/sessions/{session.id}").get_json()["online_url"] == ""
    assert LINK not in client.get(f"/api/v1/modules/{session.module_id}").get_data(as_text=True)
    assert LINK not in client.get("/api/v1/modules").get_data(as_text=True)
    for path in (f"/courses/sessions/{session.id}", f"/courses/modules/{session.module_id}", "/courses/"):
        assert LINK not in client.get(path).get_data(as_text=True), path
    waiting_api = app.test_client().get(f"/api/v1/sessions/{session.id}", headers=make.bearer(waiting))
    assert waiting_api.get_json()["online_url"] == ""
    mine = app.test_client().get("/api/v1/me/enrolments", headers=make.bearer(waiting)).get_json()
    assert mine["items"] and all(item["online_url"] == "" for item in mine["items"])
    waiting_page = login(waiting, target=app.test_client()).get(f"/courses/sessions/{session.id}")
    assert LINK not in waiting_page.get_data(as_text=True)
    enrolled_api = app.test_client().get(f"/api/v1/sessions/{session.id}", headers=make.bearer(enrolled))
    assert enrolled_api.get_json()["online_url"] == LINK
    enrolled_page = login(enrolled, target=app.test_client()).get(f"/courses/sessions/{session.id}")
    assert LINK in enrolled_page.get_data(as_text=True)


def test_mail_of_waitlisted_and_pending_people_leaves_the_link_out(make, courses, db):
    full = _online(courses, capacity=1)
    approval = _online(courses, requires_approval=True)
    enrolled, waiting, pending = make.user(), make.user(), make.user()
    services.enrol(enrolled, full)
    services.enrol(waiting, full)
    services.enrol(pending, approval)
    db.session.commit()
    services.update_session(full.module.trainers[0], full, location="Room 2, Heraklion")  # "changed" mail to all
    db.session.commit()
    assert LINK in _unfolded(_mail_text(enrolled))
    assert LINK not in _unfolded(_mail_text(waiting))
    assert LINK not in _unfolded(_mail_text(pending))


def test_a_promoted_person_gets_the_link_and_the_one_who_left_does_not_again(make, courses, db):
    session = _online(courses, capacity=1)
    first, second = make.user(), make.user()
    services.enrol(first, session)
    services.enrol(second, session)
    db.session.commit()
    assert LINK not in _unfolded(_mail_text(second))
    db.session.execute(OutboxMessage.__table__.delete())
    services.unenrol(first, session)
    db.session.commit()
    assert LINK in _unfolded(_mail_text(second))  # promoted: now holds the seat
    assert LINK not in _unfolded(_mail_text(first))  # the "you left" mail and its CANCEL


def test_calendar_feed_shows_the_link_to_seat_holders_and_trainers(client, make, courses, db):
    session = _online(courses)
    enrolled = make.user()
    services.enrol(enrolled, session)
    db.session.commit()
    for user in (enrolled, session.module.trainers[0]):
        url = feed_url(user)
        db.session.commit()
        body = _unfolded(client.get(urlsplit(url).path).get_data(as_text=True))
        assert LINK in body and f"session-{session.id}@" in body
