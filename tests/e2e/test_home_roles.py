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
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.courses import services as courses
from app.municipalities.models import Municipality, MunicipalityMember
from app.municipalities.services import add_years
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


def test_admin_grants_a_claimed_role_from_home(page, app, make, db):
    with app.test_request_context():
        make.admin(name="Ada Admin", email="ada@example.org")
        claimant = make.user(name="Ivana Horvat", country="HR", com_role="coordinator", com_role_status="claimed")
        db.session.add(OutboxMessage(to_email="far@example.org", kind="password_reset", subject="Reset your password",
                                     text_body="…", status="failed", attempts=8, last_error="550 mailbox unavailable"))
        claimant_id = claimant.id
        db.session.commit()

    _lands_on_home(page, "ada@example.org", make.PASSWORD)
    card = page.locator("#home-admin")
    expect(card).to_contain_text("550 mailbox unavailable")
    expect(card.locator("#home-waiting-count")).to_have_text("1")
    _keep(shot(page, "home-06-admin"))
    card.get_by_role("link", name="Ivana Horvat").click()
    page.wait_for_url(f"**/admin/users/{claimant_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Grant the claimed role").click()
    expect(page.get_by_text("Ivana Horvat is now confirmed as", exact=False)).to_be_visible()
    page.goto("/")
    expect(page.locator("#home-admin")).to_contain_text("No account waits for a role.")
    assert page.console_errors == []


def test_editor_records_an_overdue_report_from_home(page, app, make, db):
    with app.test_request_context():
        editor = make.user(name="Marko Babić", email="marko@example.org", country="HR")
        town = Municipality(name="Koprivnica", country="HR", population=30_000, baseline_year=2010,
                            baseline_emissions_t=100_000.0, reduction_target_percent=20.0, target_year=2020,
                            seap_submitted_on=add_years(utcnow().date() - timedelta(days=10), -2))
        town.members = [MunicipalityMember(user=editor, role="editor", status="accepted")]
        db.session.add(town)
        db.session.commit()
        town_id = town.id

    _lands_on_home(page, "marko@example.org", make.PASSWORD)
    card = page.locator("#home-municipalities")
    expect(card).to_contain_text("Koprivnica")
    expect(card).to_contain_text("overdue")
    _keep(shot(page, "home-07-editor"))
    card.locator(f'a[href="/municipalities/{town_id}"]').first.click()
    page.wait_for_url(f"**/municipalities/{town_id}")
    page.get_by_role("link", name="Record a report").click()
    page.get_by_label("Sent to the Covenant on").fill(utcnow().date().isoformat())
    page.get_by_label("Kind of report").select_option("action")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The report was recorded.")).to_be_visible()
    page.goto("/home")
    expect(page.locator("#home-municipalities")).not_to_contain_text("overdue")
    assert page.console_errors == []
