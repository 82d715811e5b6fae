"""The personal home's part for trainers: this week's sessions with requests to approve, and held
sessions whose attendance is still to take; only my sessions; none of it for non-trainers."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.core.timeutil import utcnow
from app.courses import services
from app.courses.models import TrainingSession


def _section(client) -> str:
    page = client.get("/home").get_data(as_text=True)
    start = page.index('id="home-teaching"')
    return page[start:page.index("</section>", start)]


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
        db.session.commit()
        with count_queries() as q:
            assert client.get("/home").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
