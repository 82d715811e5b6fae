"""Browser journeys: each kind of user signs in, lands on their home, acts on an item there and comes back
to find it gone (the participant's journey is tests/e2e/test_home.py)."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import expect
from sqlalchemy import update

from app.coaching import services as coaching
from app.coaching.models import Appointment
from app.core.timeutil import utcnow
from app.courses import services as courses
from tests.coaching.conftest import WORKDAYS_9_TO_12, next_weekday
from tests.e2e.conftest import shot, sign_in

SHOTS = Path("/tmp/shots/home")


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _lands_on_home(page, email: str, password: str) -> None:
    sign_in(page, email, password)
    assert urlparse(page.url).path in ("/", "/home")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_trainer_approves_a_request_from_home(page, app, make, db):
    with app.test_request_context():
        trainer = make.trainer(name="Eleni Papadopoulou", email="eleni@example.org")
        module = courses.create_module(trainer, title="Monitoring your SECAP", summary="MEI step by step.",
                                       status="published")
        start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
        session = courses.add_session(trainer, module, starts_at=start, ends_at=start + timedelta(hours=2),
                                      timezone="Europe/Athens", capacity=10, location="Thessaloniki",
                                      country="GR", requires_approval=True)
        courses.enrol(make.user(name="Ana Horvat"), session)
        session_id = session.id
        db.session.commit()

    _lands_on_home(page, "eleni@example.org", make.PASSWORD)
    teaching = page.locator("#home-teaching")
    expect(teaching).to_contain_text("Requests to approve: 1")
    _keep(shot(page, "home-03-trainer"))
    teaching.get_by_role("link", name="Monitoring your SECAP").click()
    page.wait_for_url(f"**/courses/sessions/{session_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Accept").first.click()
    page.wait_for_load_state()
    page.goto("/")
    expect(page.locator("#home-teaching")).not_to_contain_text("Requests to approve")
    assert page.console_errors == []


def test_coach_writes_a_summary_from_home(page, phone, app, make, db):
    with app.test_request_context():
        coach = make.coach(name="Tom Coach", email="tom.coach@example.org", languages=["en"])
        rules = coaching.validate_availability(weekly=WORKDAYS_9_TO_12, timezone="Europe/Brussels",
                                               slot_minutes=60, min_notice_hours=0, cancel_cutoff_hours=4,
                                               topics=["financing"], meeting_url="https://meet.example.org/tom")
        coaching.set_availability(coach, rules)
        ana = make.user(name="Ana Kovač")
        booked = [coaching.book_appointment(ana, coach_id=coach.id, topic="financing",
                                            starts_at=datetime.combine(next_weekday(day), time(8), tzinfo=UTC))
                  for day in (0, 1, 2)]
        db.session.commit()
        held, today, week = booked
        now = utcnow().replace(microsecond=0)
        for appointment, starts in ((held, now - timedelta(hours=3)), (today, now + timedelta(minutes=20)),
                                    (week, now + timedelta(days=3))):
            db.session.execute(update(Appointment).where(Appointment.id == appointment.id)
                               .values(starts_at=starts, ends_at=starts + timedelta(hours=1)))
        held_id = held.id
        db.session.commit()

    _lands_on_home(page, "tom.coach@example.org", make.PASSWORD)
    card = page.locator("#home-coaching")
    expect(card.get_by_role("link", name="Join")).to_have_count(1)  # only the one starting in 20 minutes
    expect(card).to_contain_text("Summaries to write or no-shows to mark")
    _keep(shot(page, "home-04-coach"))
    card.locator(f'a[href="/coaching/appointments/{held_id}"]').click()
    page.wait_for_url(f"**/coaching/appointments/{held_id}")
    page.get_by_role("textbox", name="Summary").fill("Next step: the grant application for the school roofs.")
    page.get_by_role("button", name="Save and share").click()
    page.wait_for_load_state()
    page.goto("/home")
    expect(page.locator("#home-coaching")).not_to_contain_text("Summaries to write")

    sign_in(phone, "tom.coach@example.org", make.PASSWORD)
    _keep(shot(phone, "home-05-coach-phone"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.console_errors == []
