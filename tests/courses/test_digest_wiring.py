"""Courses plug into the weekly trainer digest, and features' mail kinds can be switched off."""
from __future__ import annotations

from app.notifications.digest import digest_for


def test_trainer_digest_lists_the_weeks_sessions(app, courses, make, db):
    session = courses.session(days=2, capacity=3)
    later = courses.session(days=20)
    trainer = session.module.trainers[0]
    participant = make.user()
    from app.courses import services

    services.enrol(participant, session)
    db.session.commit()
    sections = digest_for(trainer)
    lines = [line for _title, section in sections for line in section]
    assert any(session.module.title in line and "1 of 3 seats" in line for line in lines), lines
    assert len(lines) == 1  # the session three weeks ahead is not in this week's digest
    assert later.id != session.id
    assert digest_for(participant) == []


def test_feature_mail_kinds_are_on_the_preferences_page(client, make, login):
    login(make.trainer())
    page = client.get("/notifications/preferences").get_data(as_text=True)
    for label in ("Changes to my training enrolments", "Coaching bookings, changes and summaries",
                  "Peer exchange proposals and replies", "Monitoring reports falling due for my municipalities"):
        assert label in page


def test_coordinator_dashboard_shows_my_training_and_coaching(app, courses, make, login, client, db):
    from datetime import timedelta

    from app.coaching.models import Appointment
    from app.core.timeutil import utcnow
    from app.courses import services

    coordinator = make.user(com_role="coordinator")
    session = courses.session(days=3)
    services.enrol(coordinator, session)
    coach = make.coach(name="Eleni Coach")
    starts = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    db.session.add(Appointment(coach_id=coach.id, participant_id=coordinator.id, starts_at=starts,
                               ends_at=starts + timedelta(hours=1), status="booked", topic="financing"))
    db.session.commit()
    login(coordinator)
    page = client.get("/municipalities/dashboard").get_data(as_text=True)
    assert '<h2 id="dashboard-training" class="h4">My training</h2>' in page and session.module.title in page
    assert '<h2 id="dashboard-coaching" class="h4">My coaching</h2>' in page and "Eleni Coach" in page
