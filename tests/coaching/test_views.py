"""Coaching pages through the test client: find, book, change, summaries, availability editor."""
from __future__ import annotations

import re
from datetime import time, timedelta

from sqlalchemy import select

from app.coaching.models import Appointment, CoachProfile
from app.core.timeutil import local_to_utc
from tests.coaching.conftest import next_weekday


def iso(day, hour, tz="Europe/Brussels"):
    return local_to_utc(day, time(hour), tz).isoformat()


def test_find_coaches_by_topic_language_country(client, coach_with_hours):
    profile = coach_with_hours(country="GR", topics=["financing"], languages=["el", "en"])
    other = coach_with_hours(country="IT", topics=["transport"], languages=["it"])
    page = client.get("/coaching/").get_data(as_text=True)
    assert profile.coach.name in page and other.coach.name in page
    page = client.get("/coaching/?topic=financing&language=el&country=GR").get_data(as_text=True)
    assert profile.coach.name in page and other.coach.name not in page
    page = client.get("/coaching/?language=pl").get_data(as_text=True)
    assert "No coach matches" in page


def test_slots_shown_in_viewer_zone_and_coach_zone(client, coach_with_hours, make, login):
    profile = coach_with_hours()  # Brussels, 09:00-12:00
    login(make.user(country="GR"))  # Athens: an hour later
    monday = next_weekday(0)
    page = client.get(f"/coaching/coaches/{profile.coach_id}?start={monday}").get_data(as_text=True)
    assert "10:00 (09:00)" in page and "12:00 (11:00)" in page
    assert "Europe/Athens" in page


def test_book_through_the_form_then_taken_message(client, coach_with_hours, make, login, db):
    profile = coach_with_hours()
    maria = make.user(country="GR")
    login(maria)
    starts = iso(next_weekday(0), 9)
    form = client.get(f"/coaching/coaches/{profile.coach_id}/book", query_string={"starts_at": starts})
    assert form.status_code == 200 and "Book this time" in form.get_data(as_text=True)
    response = client.post(f"/coaching/coaches/{profile.coach_id}/book",
                           data={"starts_at": starts, "topic": "financing", "agenda": "Funding the retrofit"})
    assert response.status_code == 302
    appointment = db.session.scalar(select(Appointment))
    assert response.headers["Location"].endswith(f"/coaching/appointments/{appointment.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Funding the retrofit" in page and "Add to my calendar" in page
    client.post("/auth/logout")
    login(make.user())
    stale = client.get(f"/coaching/coaches/{profile.coach_id}/book", query_string={"starts_at": starts},
                       follow_redirects=True)
    assert "This time is no longer free" in stale.get_data(as_text=True)
    taken = client.post(f"/coaching/coaches/{profile.coach_id}/book", data={"starts_at": starts, "topic": "financing"},
                        follow_redirects=True)
    assert "somebody booked this slot a moment ago" in taken.get_data(as_text=True)


def test_booking_asks_for_a_topic_when_the_coach_lists_topics(client, coach_with_hours, make, login, db):
    listed = coach_with_hours()  # financing, monitoring
    login(make.user(country="GR"))
    starts = iso(next_weekday(0), 9)
    form = client.get(f"/coaching/coaches/{listed.coach_id}/book", query_string={"starts_at": starts})
    assert re.search(r'<select[^>]*id="topic"[^>]*required', form.get_data(as_text=True))
    refused = client.post(f"/coaching/coaches/{listed.coach_id}/book",
                          data={"starts_at": starts, "topic": "", "agenda": "Our retrofit plan"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Choose a topic." in page and "Our retrofit plan" in page  # nothing lost
    assert db.session.scalar(select(Appointment)) is None
    open_coach = coach_with_hours(country="IT", topics=[])
    booked = client.post(f"/coaching/coaches/{open_coach.coach_id}/book", data={"starts_at": iso(next_weekday(0), 9, "Europe/Rome")})
    assert booked.status_code == 302 and db.session.scalar(select(Appointment)).topic is None


def test_cancel_reschedule_and_ics_download(client, coach_with_hours, make, login, db):
    profile = coach_with_hours()
    maria = make.user(country="GR")
    login(maria)
    monday = next_weekday(0)
    client.post(f"/coaching/coaches/{profile.coach_id}/book", data={"starts_at": iso(monday, 9), "topic": "monitoring"})
    appointment = db.session.scalar(select(Appointment))
    page = client.get(f"/coaching/coaches/{profile.coach_id}?reschedule={appointment.id}&start={monday}")
    assert "Choose a new time" in page.get_data(as_text=True)
    moved = client.post(f"/coaching/appointments/{appointment.id}/reschedule", data={"starts_at": iso(monday, 11)})
    assert moved.status_code == 302
    db.session.refresh(appointment)
    assert appointment.sequence == 1 and appointment.starts_at == local_to_utc(monday, time(11), "Europe/Brussels")
    ics = client.get(f"/coaching/appointments/{appointment.id}/invitation.ics")
    assert b"METHOD:REQUEST" in ics.data and b"SEQUENCE:1" in ics.data
    client.post(f"/coaching/appointments/{appointment.id}/cancel", data={"reason": "Council meeting"})
    db.session.refresh(appointment)
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Council meeting"
    ics = client.get(f"/coaching/appointments/{appointment.id}/invitation.ics")
    assert b"METHOD:CANCEL" in ics.data and b"STATUS:CANCELLED" in ics.data


def test_other_peoples_appointments_are_hidden(client, coach_with_hours, make, login, db):
    profile = coach_with_hours()
    login(make.user())
    client.post(f"/coaching/coaches/{profile.coach_id}/book", data={"starts_at": iso(next_weekday(0), 9), "topic": "monitoring"})
    appointment = db.session.scalar(select(Appointment))
    client.post("/auth/logout")
    login(make.user())
    for path in ("", "/invitation.ics"):
        assert client.get(f"/coaching/appointments/{appointment.id}{path}").status_code == 404
    assert client.post(f"/coaching/appointments/{appointment.id}/cancel").status_code == 404
    assert client.get("/coaching/availability").status_code == 403


def test_summary_and_no_show_by_the_coach(client, coach_with_hours, make, login, db):
    profile = coach_with_hours()
    maria = make.user()
    past = local_to_utc(next_weekday(0) - timedelta(days=21), time(9), "Europe/Brussels")
    appointment = Appointment(coach_id=profile.coach_id, participant_id=maria.id, starts_at=past,
                              ends_at=past + timedelta(hours=1), location="https://meet.example.org/x")
    db.session.add(appointment)
    db.session.commit()
    login(profile.coach)
    page = client.get(f"/coaching/appointments/{appointment.id}").get_data(as_text=True)
    assert "Save and share" in page and "Mark as no-show" in page
    client.post(f"/coaching/appointments/{appointment.id}/summary",
                data={"summary": "We reviewed the BEI.", "action_points": "Collect 2026 data"})
    client.post(f"/coaching/appointments/{appointment.id}/no-show", data={"no_show": "1"})
    db.session.refresh(appointment)
    assert appointment.status == "no_show" and appointment.summary == "We reviewed the BEI."
    client.post("/auth/logout")
    login(maria)
    page = client.get(f"/coaching/appointments/{appointment.id}").get_data(as_text=True)
    assert "We reviewed the BEI." in page and "Collect 2026 data" in page and "Save and share" not in page
    history = client.get("/coaching/appointments/").get_data(as_text=True)
    assert "We reviewed the BEI." in history
    assert client.post(f"/coaching/appointments/{appointment.id}/summary",
                       data={"summary": "Mine"}).status_code == 403  # the coach's side of the appointment
    db.session.refresh(appointment)
    assert appointment.summary == "We reviewed the BEI."


def test_availability_editor(client, make, login, db):
    coach = make.coach(country="GR", languages=["el", "en"])
    login(coach)
    page = client.get("/coaching/availability").get_data(as_text=True)
    assert '<option selected value="Europe/Athens">' in page  # the coach's zone is preselected
    day = next_weekday(2).isoformat()
    data = {"timezone": "Europe/Athens", "slot_minutes": "45", "buffer_minutes": "15", "min_notice_hours": "12",
            "cancel_cutoff_hours": "6", "max_per_day": "", "horizon_days": "60", "topics": ["financing"],
            "languages": ["el", "en"], "meeting_mode": "online", "meeting_url": "https://meet.example.org/eleni",
            "meeting_place": "", "bio": "", "is_accepting": "y",
            "weekly-0-weekday": "0", "weekly-0-start": "09:00", "weekly-0-end": "12:00",
            "weekly-1-weekday": "0", "weekly-1-start": "14:00", "weekly-1-end": "16:00",
            "weekly-2-weekday": "3", "weekly-2-start": "", "weekly-2-end": "",
            "exceptions-0-day": day, "exceptions-0-kind": "off", "exceptions-0-start": "", "exceptions-0-end": ""}
    response = client.post("/coaching/availability", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    profile = db.session.get(CoachProfile, coach.id)
    assert [(r.weekday, r.start_time, r.end_time) for r in profile.weekly] == [(0, time(9), time(12)),
                                                                               (0, time(14), time(16))]
    assert [(e.day.isoformat(), e.kind) for e in profile.exceptions] == [(day, "off")]
    assert (profile.slot_minutes, profile.buffer_minutes, profile.horizon_days, profile.max_per_day) == (45, 15, 60,
                                                                                                       None)
    page = client.get("/coaching/availability").get_data(as_text=True)
    assert 'value="14:00"' in page
    data["weekly-1-end"] = "13:00"
    bad = client.post("/coaching/availability", data=data)
    assert bad.status_code == 200 and "The end must come after the start." in bad.get_data(as_text=True)


def test_coach_page_query_budget(client, coach_with_hours, make, login, count_queries):
    profile = coach_with_hours()
    login(make.user())
    for hour in (9, 10):
        client.post(f"/coaching/coaches/{profile.coach_id}/book", data={"starts_at": iso(next_weekday(0), hour),
                                                                        "topic": "financing"})
    with count_queries() as q:
        page = client.get(f"/coaching/coaches/{profile.coach_id}?start={next_weekday(0)}")
    assert page.status_code == 200
    assert q.count <= 8, q.statements
    assert len(re.findall(r'class="btn btn-outline-primary btn-sm slot"', page.get_data(as_text=True))) == 13


def test_pages_in_dutch_and_a_paused_coach_offers_nothing(client, coach_with_hours, make, login):
    profile = coach_with_hours(is_accepting=False)
    login(make.user(language="nl"))
    page = client.get("/coaching/").get_data(as_text=True)
    assert "Een coach zoeken" in page and profile.coach.name not in page  # paused coaches are not listed
    page = client.get(f"/coaching/coaches/{profile.coach_id}?start={next_weekday(0)}").get_data(as_text=True)
    assert "Geen vrije tijden deze week" in page
