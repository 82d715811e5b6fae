"""The personal home's training section: next sessions with waitlist positions, feedback still to give,
new certificates, each a link; someone else's training never shows; the query count stays flat."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.core.timeutil import utcnow
from app.courses import services
from app.courses.models import TrainingSession
from tests.pages import home_query_count, home_section


def _held(session, db):
    db.session.execute(update(TrainingSession).where(TrainingSession.id == session.id).values(
        starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=1)))
    db.session.commit()


def test_home_shows_my_next_sessions_waitlist_feedback_and_certificate(client, db, make, login, courses):
    me, other = make.user(name="Ana Kovač"), make.user(name="Tomasz Nowak")
    coming = courses.session(courses.module(title="Monitoring your SECAP"))
    full = courses.session(courses.module(title="Financing retrofits"), capacity=1)
    held = courses.session(courses.module(title="Energy poverty basics"))
    services.enrol(other, full)
    for session in (coming, full, held):
        services.enrol(me, session)
    services.enrol(other, coming)
    db.session.commit()
    _held(held, db)
    services.record_attendance(held.module.trainers[0], db.session.get(TrainingSession, held.id),
                               marks={me.id: True})
    db.session.commit()
    login(me)
    section = home_section(client, "training")
    assert f'href="/courses/sessions/{coming.id}"' in section and "Monitoring your SECAP" in section
    assert "Financing retrofits" in section and "position 1" in section
    assert f'href="/courses/sessions/{held.id}/feedback"' in section
    assert "New certificate: Energy poverty basics (PDF)" in section

    client.post(f"/courses/sessions/{held.id}/feedback", data={"rating": "5", "comment": "Clear"})
    page = client.get("/home").get_data(as_text=True)
    assert f'/courses/sessions/{held.id}/feedback"' not in page


def test_home_training_empty_state_points_to_the_catalogue(client, make, login):
    login(make.user())
    page = client.get("/home").get_data(as_text=True)
    assert 'id="home-training"' in page and "Find training in the catalogue" in page


def test_home_training_query_count_stays_flat(client, db, make, login, courses, count_queries):
    me = make.user()
    login(me)
    counts = []
    for n in (1, 8):
        module = courses.module(title=f"Module {n}")
        for _ in range(n):
            services.enrol(me, courses.session(module))
        db.session.commit()
        counts.append(home_query_count(client, count_queries))
    assert counts[0] == counts[1] and counts[1] <= 16, counts


def test_feedback_rule_in_sql_agrees_with_the_model(db, make, courses):
    """Enrolment.may_give_feedback_where (what the home queries) and can_give_feedback (what every page
    asks) answer alike for every status, attendance, cancelled or started session."""
    from itertools import product

    from sqlalchemy import select

    from app.courses.models import Enrolment

    now = utcnow()
    cases = []
    for status, attended, cancelled, started in product(("enrolled", "waitlisted", "pending", "declined"),
                                                       (None, True, False), (False, True), (False, True)):
        session = courses.session(courses.module())
        starts = now + timedelta(hours=-2 if started else 30)
        db.session.execute(update(TrainingSession).where(TrainingSession.id == session.id).values(
            starts_at=starts, ends_at=starts + timedelta(hours=1), status="cancelled" if cancelled else "scheduled"))
        enrolment = Enrolment(session_id=session.id, user_id=make.user().id, status=status, attended=attended,
                              waitlist_position=1 if status == "waitlisted" else None)
        db.session.add(enrolment)
        cases.append(enrolment)
    db.session.commit()
    in_sql = set(db.session.scalars(select(Enrolment.id).join(TrainingSession)
                                    .where(Enrolment.may_give_feedback_where(now))))
    in_python = {e.id for e in cases if db.session.get(Enrolment, e.id).can_give_feedback(now)}
    assert in_python and in_sql == in_python
