"""The personal home's coaching section: next appointments with a Join link near the start, and for the
coach the held appointments still waiting for a summary or a no-show; never someone else's."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from app.auth.models import User
from app.coaching import services
from app.coaching.models import Appointment
from app.core.timeutil import local_to_utc, to_zone, utcnow
from tests.coaching.conftest import next_weekday
from tests.pages import home_query_count, home_section


def _book(profile, participant, weekday, db):
    at = datetime.combine(next_weekday(weekday), time(8), tzinfo=UTC)  # 09:00 in Brussels
    appointment = services.book_appointment(participant, coach_id=profile.coach_id, starts_at=at, topic="financing")
    db.session.commit()
    return appointment


def _move(appointment, starts, db):
    db.session.execute(update(Appointment).where(Appointment.id == appointment.id)
                       .values(starts_at=starts, ends_at=starts + timedelta(hours=1)))
    db.session.commit()


def _section(client) -> str:
    return home_section(client, "coaching")


def test_participant_sees_next_appointments_and_joins_when_near(app, client, db, make, login, coach_with_hours):
    profile = coach_with_hours()
    ana, other = make.user(name="Ana Kovač"), make.user(name="Tomasz Nowak")
    soon, later = _book(profile, ana, 0, db), _book(profile, ana, 1, db)
    theirs = _book(profile, other, 2, db)
    _move(soon, utcnow() + timedelta(minutes=10), db)
    login(ana)
    section = _section(client)
    assert f'href="/coaching/appointments/{soon.id}"' in section
    assert f'href="/coaching/appointments/{later.id}"' in section
    assert f'/coaching/appointments/{theirs.id}"' not in section
    assert section.count('href="https://meet.example.org/coach"') == 1  # only the one about to start
    assert "Summaries to write" not in section


def test_coach_is_asked_for_summaries_until_written(app, client, db, make, login, coach_with_hours):
    profile = coach_with_hours()
    ana = make.user(name="Ana Kovač")
    held = _book(profile, ana, 0, db)
    _move(held, utcnow() - timedelta(hours=3), db)
    login(db.session.get(type(ana), profile.coach_id))
    section = _section(client)
    assert "Summaries to write or no-shows to mark" in section and f'/coaching/appointments/{held.id}"' in section
    coach = db.session.get(type(ana), profile.coach_id)
    services.record_summary(coach, db.session.get(Appointment, held.id), summary="Next: a grant application")
    db.session.commit()
    assert "Summaries to write" not in _section(client)


def test_home_coaching_query_count_stays_flat(app, client, db, make, login, coach_with_hours, count_queries):
    profile = coach_with_hours()
    ana = make.user()
    login(ana)
    counts = []
    for weekdays in ((0,), (1, 2, 3, 4)):
        for weekday in weekdays:
            _book(profile, ana, weekday, db)
        counts.append(home_query_count(client, count_queries))
    assert counts[0] == counts[1], counts


def test_coach_sees_today_then_this_week_and_nothing_later(app, client, db, make, login, coach_with_hours):
    profile = coach_with_hours()
    coach = db.session.get(User, profile.coach_id)
    coach.timezone = "Europe/Athens"
    ana = make.user(name="Ana Kovač")
    now = utcnow()
    today_end = local_to_utc(to_zone(now, "Europe/Athens").date() + timedelta(days=1), time(0), "Europe/Athens")
    today, week, later = _book(profile, ana, 0, db), _book(profile, ana, 1, db), _book(profile, ana, 2, db)
    _move(today, now + (today_end - now) / 2, db)  # later today in Athens, whatever the hour
    _move(week, today_end + timedelta(days=2), db)
    _move(later, today_end + timedelta(days=8), db)
    login(coach)
    section = _section(client)
    today_part, week_part = section.split(">This week<")
    assert f'/coaching/appointments/{today.id}"' in today_part and "No appointment today." not in today_part
    assert f'/coaching/appointments/{week.id}"' in week_part
    assert f'/coaching/appointments/{later.id}"' not in section


def test_coach_with_a_free_week_is_told_so(app, client, db, make, login, coach_with_hours):
    profile = coach_with_hours()
    login(db.session.get(User, profile.coach_id))
    section = _section(client)
    assert "No appointment today." in section and "No other appointment in the coming seven days." in section
