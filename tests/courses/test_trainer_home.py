"""The personal home's part for trainers: this week's sessions with requests to approve, held sessions
whose attendance is still to take, and the feedback received in the last 30 days; only my sessions;
none of it for non-trainers."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.core.timeutil import utcnow
from app.courses import services
from app.courses.models import Feedback, TrainingSession
from tests.pages import home_section


def _section(client) -> str:
    return home_section(client, "teaching")


def test_trainer_sees_requests_to_approve_and_attendance_to_take(client, db, make, login, courses):
    trainer = make.trainer(name="Eleni Papadopoulou")
    module = courses.module(trainer, title="Monitoring your SECAP")
    soon = courses.session(module, days=3, requires_approval=True)
    held = courses.session(module, days=2)
    later = courses.session(module, days=10)
    theirs = courses.session(courses.module(title="Someone else's module"), days=2)
    services.enrol(make.user(), soon)
    services.enrol(make.user(), held)
    db.session.commit()
    db.session.execute(update(TrainingSession).where(TrainingSession.id == held.id).values(
        starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    login(trainer)
    section = _section(client)
    assert f'href="/courses/sessions/{soon.id}"' in section and "Requests to approve: 1" in section
    assert f'href="/courses/sessions/{held.id}/attendance"' in section
    assert f"/courses/sessions/{later.id}\"" not in section and f"/courses/sessions/{theirs.id}\"" not in section

    services.record_attendance(trainer, db.session.get(TrainingSession, held.id),
                               marks={e.user_id: True for e in held.enrolments})
    db.session.commit()
    assert "Attendance to take" not in _section(client)


def _held(session, db, days_ago: int):
    starts = utcnow() - timedelta(days=days_ago)
    db.session.execute(update(TrainingSession).where(TrainingSession.id == session.id).values(
        starts_at=starts, ends_at=starts + timedelta(hours=3)))
    db.session.commit()


def _answers(session, db, make, *ratings: int, days_ago: int = 1) -> None:
    """Feedback from new participants, given `days_ago`."""
    for rating in ratings:
        db.session.add(Feedback(session_id=session.id, user_id=make.user().id, rating=rating,
                                created_at=utcnow() - timedelta(days=days_ago)))
    db.session.commit()


def test_trainer_sees_feedback_received_in_the_last_30_days_latest_first(client, db, make, login, courses):
    trainer = make.trainer(name="Eleni Papadopoulou")
    module = courses.module(trainer, title="Monitoring your SECAP")
    earlier, latest, old = (courses.session(module, days=1) for _ in range(3))
    theirs = courses.session(courses.module(title="Someone else's module"), days=1)
    for session, days_ago in ((earlier, 20), (latest, 6), (old, 60), (theirs, 6)):
        _held(session, db, days_ago)
    _answers(earlier, db, make, 4, 5, days_ago=3)
    _answers(earlier, db, make, 3, days_ago=45)  # older, still counted with the others on its results page
    _answers(latest, db, make, 3, days_ago=1)
    _answers(old, db, make, 5, days_ago=40)
    _answers(theirs, db, make, 2, days_ago=1)
    login(trainer)
    section = _section(client)
    assert "Feedback received" in section
    first, second = (f'href="/courses/sessions/{s.id}/feedback/results"' for s in (latest, earlier))
    assert first in section and second in section and section.index(first) < section.index(second)
    assert "Average 3.0 of 5 from 1 answer." in section and "Average 4.0 of 5 from 3 answers." in section
    assert f"/courses/sessions/{old.id}/feedback" not in section
    assert f"/courses/sessions/{theirs.id}/" not in section and "Average 2.0" not in section
    results = client.get(f"/courses/sessions/{earlier.id}/feedback/results")
    assert results.status_code == 200 and "Average 4.0 of 5 from 3 answers." in results.get_data(as_text=True)


def test_no_feedback_heading_without_recent_feedback(client, db, make, login, courses):
    trainer = make.trainer()
    session = courses.session(courses.module(trainer))
    _held(session, db, 50)
    _answers(session, db, make, 4, days_ago=40)
    login(trainer)
    assert "Feedback received" not in _section(client)


def test_participants_have_no_teaching_section(client, make, login):
    login(make.user())
    assert 'id="home-teaching"' not in client.get("/home").get_data(as_text=True)


def test_trainer_home_query_count_stays_flat(client, db, make, login, courses, count_queries):
    trainer = make.trainer()
    login(trainer)
    counts = []
    for n in (1, 6):
        module = courses.module(trainer, title=f"Module {n}")
        for day in range(n):
            services.enrol(make.user(), courses.session(module, days=1 + day % 5, requires_approval=True))
            held = courses.session(courses.module(trainer, title=f"Module {n}.{day}"))  # outside this week
            _held(held, db, 20)
            _answers(held, db, make, 1 + day % 5)
        db.session.commit()
        with count_queries() as q:
            assert "Feedback received" in _section(client)
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_feedback_averages_are_written_in_the_viewers_language(client, db, make, login, courses):
    trainer = make.trainer(language="fr")
    session = courses.session(courses.module(trainer), days=1)
    _held(session, db, 2)
    _answers(session, db, make, 4, 5)
    login(trainer)
    assert "4,5" in _section(client)
    assert "4,5" in client.get(f"/courses/sessions/{session.id}/feedback/results").get_data(as_text=True)
