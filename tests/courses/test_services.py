"""Enrolment rules against the real database: seats, FIFO waitlist, approval, attendance, certificates."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.errors import Invalid, NotAllowed
from app.core.models import OutboxMessage
from app.core.reminders import Reminder
from app.core.timeutil import utcnow
from app.courses import services
from app.courses.models import Certificate, Enrolment, TrainingSession


@pytest.fixture(autouse=True)
def _request(app):
    """Services run inside requests (or the scheduler's forced locale): give them one."""
    with app.test_request_context():
        yield


def _positions(db, session):
    return db.session.scalars(select(Enrolment.waitlist_position).where(
        Enrolment.session_id == session.id, Enrolment.status == "waitlisted")
        .order_by(Enrolment.waitlist_position)).all()


def test_seats_then_fifo_waitlist_and_promotion(db, make, courses):
    session = courses.session(capacity=2)
    people = [make.user() for _ in range(5)]
    results = [services.enrol(p, session) for p in people]
    db.session.commit()
    assert [e.status for e in results] == ["enrolled", "enrolled", "waitlisted", "waitlisted", "waitlisted"]
    assert [e.waitlist_position for e in results[2:]] == [1, 2, 3]
    db.session.refresh(session)
    assert (session.enrolled_count, session.waitlist_count) == (2, 3)

    services.unenrol(people[3], session)  # second on the waitlist leaves: the third moves up
    db.session.commit()
    assert _positions(db, session) == [1, 2]
    services.unenrol(people[0], session)  # a seat frees up: the first waitlisted gets it
    db.session.commit()
    db.session.refresh(results[2])
    db.session.refresh(results[4])
    assert results[2].status == "enrolled" and results[2].waitlist_position is None
    assert results[4].waitlist_position == 1
    db.session.refresh(session)
    assert (session.enrolled_count, session.waitlist_count) == (2, 1)
    kinds = [m.subject for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == people[2].id).order_by(OutboxMessage.id))]
    assert kinds[0].startswith("On the waitlist") and kinds[-1].startswith("A seat for you")
    promoted_mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == people[2].id)
                                       .order_by(OutboxMessage.id.desc())).first()
    assert promoted_mail.attachments[0].content_type.endswith("method=REQUEST")
    assert b"METHOD:REQUEST" in promoted_mail.attachments[0].data


def test_enrolling_twice_is_a_conflict_and_rejoining_reuses_the_row(db, make, courses):
    session = courses.session()
    user = make.user()
    services.enrol(user, session)
    db.session.commit()
    with pytest.raises(services.AlreadyEnrolled):
        services.enrol(user, session)
    db.session.rollback()
    services.unenrol(user, session)
    again = services.enrol(user, session)
    db.session.commit()
    assert again.status == "enrolled"
    assert db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id)) == again.id


def test_approval_flow(db, make, courses):
    session = courses.session(capacity=1, requires_approval=True)
    trainer = session.module.trainers[0]
    a, b = make.user(), make.user()
    ea, eb = services.enrol(a, session, note="I coordinate 12 municipalities"), services.enrol(b, session)
    db.session.commit()
    assert ea.status == eb.status == "pending"
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == trainer.id)) is not None
    with pytest.raises(NotAllowed):
        services.approve_enrolment(a, ea)
    services.approve_enrolment(trainer, ea)
    services.approve_enrolment(trainer, eb)
    db.session.commit()
    assert (ea.status, eb.status, eb.waitlist_position) == ("enrolled", "waitlisted", 1)
    services.decline_enrolment(trainer, ea)  # the seat goes to b
    db.session.commit()
    db.session.refresh(eb)
    assert (ea.status, eb.status) == ("declined", "enrolled")
    with pytest.raises(services.WrongState):
        services.enrol(a, session)


def test_enrolment_window_and_unenrol_deadline(db, make, courses):
    session = courses.session(days=2, enrol_opens_at=utcnow() + timedelta(days=1))
    user = make.user()
    with pytest.raises(services.EnrolmentClosed):
        services.enrol(user, session)
    db.session.rollback()
    services.enrol(user, session, now=utcnow() + timedelta(days=1, hours=1))
    db.session.commit()
    services.update_session(session.module.trainers[0], session, unenrol_deadline=utcnow() + timedelta(hours=1))
    db.session.commit()
    with pytest.raises(services.WrongState) as error:
        services.unenrol(user, session, now=utcnow() + timedelta(hours=2))
    assert error.value.code == "unenrol_deadline_passed"


def test_trainer_records_a_past_session(db, make, courses):
    session = courses.session(days=-10, capacity=1)
    trainer = session.module.trainers[0]
    a, b = make.user(), make.user()
    with pytest.raises(services.EnrolmentClosed):
        services.enrol(a, session)
    db.session.rollback()
    assert services.enrol(trainer, session, user=a).status == "enrolled"
    with pytest.raises(services.SessionFull):
        services.enrol(trainer, session, user=b)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        services.enrol(make.user(), session, user=b)


def test_attendance_completion_certificate_and_indicators(db, make, courses):
    module = courses.module(required_sessions=2)
    first = courses.session(module, days=-3, country="IT")
    second = courses.session(module, days=-1, country="GR")
    future = courses.session(module, days=3)
    trainer = module.trainers[0]
    person = make.user(country="PL", language="nl")
    for s in (first, second):
        services.enrol(trainer, s, user=person)
    services.enrol(person, future)
    db.session.commit()
    with pytest.raises(services.WrongState):
        services.mark_attendance(trainer, future, user_id=person.id, attended=True)
    db.session.rollback()
    services.mark_attendance(trainer, first, user_id=person.id, attended=True)
    db.session.commit()
    assert db.session.scalar(select(Certificate)) is None
    services.mark_attendance(trainer, second, user_id=person.id, attended=True)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    assert certificate.is_valid and len(certificate.code) == 19
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == person.id)
                              .order_by(OutboxMessage.id.desc())).first()
    assert mail.language == "nl" and certificate.code in mail.text_body
    totals, by_country = services.indicators()
    assert totals == {"trained_people": 1, "sessions_held": 2}
    assert by_country["PL"]["trained_people"] == 1
    assert by_country["IT"]["sessions_held"] == 1 and by_country["GR"]["sessions_held"] == 1
    services.mark_attendance(trainer, second, user_id=person.id, attended=False)
    db.session.commit()
    db.session.refresh(certificate)
    assert not certificate.is_valid
    assert services.find_certificate(certificate.code.replace("-", "").lower()).id == certificate.id


def test_reminders_follow_the_seat(db, make, courses, app):
    session = courses.session(capacity=1, days=5)
    a, b = make.user(), make.user()
    services.enrol(a, session)
    services.enrol(b, session)
    db.session.commit()
    assert {r.user_id for r in db.session.scalars(select(Reminder))} == {a.id}
    services.unenrol(a, session)
    db.session.commit()
    assert {r.user_id for r in db.session.scalars(select(Reminder))} == {b.id}
    reminder = db.session.scalars(select(Reminder)).first()
    services.render_session_reminder(reminder)
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like("Reminder:%"))) is not None
    services.cancel_session(session.module.trainers[0], session, reason="Trainer ill")
    db.session.commit()
    assert db.session.scalars(select(Reminder)).all() == []
    cancel = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "cancellation")).one()
    assert b"METHOD:CANCEL" in cancel.attachments[0].data and b"STATUS:CANCELLED" in cancel.attachments[0].data
    assert "Trainer ill" in cancel.text_body


def test_moving_a_session_resends_invitations(db, make, courses):
    session = courses.session()
    user = make.user()
    services.enrol(user, session)
    db.session.commit()
    services.update_session(session.module.trainers[0], session, starts_at=session.starts_at + timedelta(hours=1),
                            ends_at=session.ends_at + timedelta(hours=1))
    db.session.commit()
    assert session.sequence == 1
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert mail.subject.startswith("Changed") and b"SEQUENCE:1" in mail.attachments[0].data


def test_capacity_increase_promotes_and_decrease_below_seats_is_refused(db, make, courses):
    session = courses.session(capacity=1)
    trainer = session.module.trainers[0]
    people = [make.user() for _ in range(3)]
    for p in people:
        services.enrol(p, session)
    db.session.commit()
    services.update_session(trainer, session, capacity=2)
    db.session.commit()
    assert (session.enrolled_count, session.waitlist_count) == (2, 1)
    with pytest.raises(Invalid) as error:
        services.update_session(trainer, session, capacity=1)
    assert "capacity" in error.value.fields


def test_session_validation_lists_every_problem(db, courses):
    module = courses.module()
    now = utcnow()
    with pytest.raises(Invalid) as error:
        services.add_session(module.trainers[0], module, starts_at=now, ends_at=now - timedelta(hours=1),
                             timezone="Mars/Olympus", capacity=-3, location="")
    assert set(error.value.fields) >= {"ends_at", "timezone", "capacity", "location"}


def test_feedback_requests_are_sent_once(db, make, courses, app):
    session = courses.session(days=-1, hours=2)
    trainer = session.module.trainers[0]
    a, b = make.user(), make.user()
    services.enrol(trainer, session, user=a)
    services.enrol(trainer, session, user=b)
    services.mark_attendance(trainer, session, user_id=b.id, attended=False)
    db.session.commit()
    assert services.send_feedback_requests() == 1
    db.session.commit()
    assert services.send_feedback_requests() == 0
    services.submit_feedback(a, session, rating=4, comment="Very practical")
    db.session.commit()
    assert services.feedback_summary(session)["average"] == 4.0
    with pytest.raises(NotAllowed):
        services.submit_feedback(b, session, rating=5)


def test_duplicate_session_moves_windows(db, courses):
    session = courses.session(enrol_closes_at=utcnow() + timedelta(days=6))
    copy = services.duplicate_session(session.module.trainers[0], session)
    db.session.commit()
    assert copy.starts_at - session.starts_at == timedelta(days=7)
    assert copy.enrol_closes_at - session.enrol_closes_at == timedelta(days=7)
    assert db.session.get(TrainingSession, copy.id).enrolled_count == 0


def test_move_enrolment_frees_the_seat_for_the_waitlist(db, make, courses):
    module = courses.module()
    first, second = courses.session(module, capacity=1), courses.session(module, days=14, capacity=5)
    trainer = module.trainers[0]
    a, b = make.user(), make.user()
    ea = services.enrol(a, first)
    eb = services.enrol(b, first)
    db.session.commit()
    moved = services.move_enrolment(trainer, ea, target=second)
    db.session.commit()
    db.session.refresh(eb)
    assert (moved.session_id, moved.status, eb.status) == (second.id, "enrolled", "enrolled")


def test_feed_lists_sessions_with_a_seat(db, make, courses):
    session = courses.session()
    person = make.user()
    services.enrol(person, session)
    db.session.commit()
    events = services.feed_events(person)
    assert [e.uid for e in events] == [f"session-{session.id}@mayors-in-action.eu"]
    assert services.feed_events(session.module.trainers[0])[0].uid == events[0].uid


def test_scheduler_tick_sends_feedback_requests_once(db, make, courses, app):
    from app.core.scheduler import tick

    session = courses.session(days=-1, hours=2)
    person = make.user()
    services.enrol(session.module.trainers[0], session, user=person)
    db.session.commit()
    assert tick(app)["course_feedback_requests"] == 1
    assert tick(app)["course_feedback_requests"] == 0
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "feedback"))
    assert f"/courses/sessions/{session.id}/feedback" in mail.text_body


def test_due_session_reminder_is_mailed_by_the_reminder_job(db, make, courses):
    from app.core.reminders import send_due_reminders

    session = courses.session(days=0.5)
    person = make.user()
    services.enrol(person, session)
    db.session.commit()
    assert send_due_reminders(now=session.starts_at - timedelta(minutes=30)) == 1
    db.session.commit()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).one()
    assert mail.user_id == person.id and session.module.title in mail.subject


def test_personal_feed_url_lists_the_session(client, db, make, courses):
    from app.core.calendar import feed_url

    session = courses.session()
    person = make.user()
    services.enrol(person, session)
    url = feed_url(person)
    db.session.commit()
    body = client.get(url.replace("http://localhost", "")).get_data(as_text=True)
    assert f"UID:session-{session.id}@" in body and "METHOD:PUBLISH" in body


def test_the_feed_answers_304_until_something_in_it_changes(client, db, make, courses):
    """Calendar clients poll: an unchanged feed is a 304 with its ETag; a moved session, a new seat or
    another language is a new ETag and a full feed."""
    from app.core.calendar import feed_url

    session = courses.session()
    person = make.user()
    services.enrol(person, session)
    path = feed_url(person).replace("http://localhost", "")
    db.session.commit()
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "no-store"  # personal: out of HTTP caches, the app keeps its copy
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    services.update_session(session.module.trainers[0], session, location="Chania, Crete")
    db.session.commit()
    moved = client.get(path, headers={"If-None-Match": etag})
    assert moved.status_code == 200 and "Chania" in moved.get_data(as_text=True)
    assert moved.headers["ETag"] != etag
    other = courses.session(courses.module(title="Heat pumps for town halls"))
    services.enrol(person, other)
    db.session.commit()
    grown = client.get(path, headers={"If-None-Match": moved.headers["ETag"]})
    assert grown.status_code == 200 and "Heat pumps" in grown.get_data(as_text=True)
    unchanged = client.get(path, headers={"If-None-Match": grown.headers["ETag"]})
    assert unchanged.status_code == 304


def test_a_poll_with_nothing_changed_anywhere_reads_no_event(client, db, make, courses, count_queries,
                                                             monkeypatch):
    """The ETag starts with the data versions the feed's sources read: unchanged, the 304 reads no event.
    A change elsewhere (someone else's seat) or the next day reads the events; the same events are still a
    304, with a new tag that is again cheap to answer."""
    from app.core import calendar
    from app.core.calendar import feed_url

    session = courses.session()
    person = make.user()
    services.enrol(person, session)
    path = feed_url(person).replace("http://localhost", "")
    db.session.commit()
    etag = client.get(path).headers["ETag"]
    with count_queries() as q:
        again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert q.count <= 2, q.statements  # the person behind the token, the data versions
    services.enrol(make.user(), session)  # someone else's seat: the data changed, this feed did not
    db.session.commit()
    elsewhere = client.get(path, headers={"If-None-Match": etag})
    assert elsewhere.status_code == 304 and elsewhere.headers["ETag"] != etag
    with count_queries() as q:
        assert client.get(path, headers={"If-None-Match": elsewhere.headers["ETag"]}).status_code == 304
    assert q.count <= 2, q.statements
    tomorrow = calendar.utcnow() + timedelta(days=1)
    monkeypatch.setattr(calendar, "utcnow", lambda: tomorrow)
    next_day = client.get(path, headers={"If-None-Match": elsewhere.headers["ETag"]})
    assert next_day.status_code == 304 and next_day.headers["ETag"] != elsewhere.headers["ETag"]
