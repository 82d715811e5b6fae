"""Browser: a coach sets availability; a participant in Greece books in her zone, downloads the
invitation, reschedules and cancels."""
from __future__ import annotations

import re

import icalendar
import vobject

from tests.e2e.conftest import ARTIFACTS, shot, sign_in, sign_out


def save_download(page, locator, name: str) -> bytes:
    with page.expect_download() as info:
        locator.click()
    path = ARTIFACTS / name
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(str(path))
    return path.read_bytes()


def test_coach_sets_hours_and_greek_participant_books_moves_cancels(page, phone, make, db):
    coach = make.coach(country="BE", name="Tom Coach", languages=["en", "fr"])
    maria = make.user(country="GR", name="Maria Konstantinou", timezone="Europe/Athens")
    coach_id, coach_email, maria_email = coach.id, coach.email, maria.email
    db.session.commit()  # reading the attributes opened a transaction: end it, or SQLite stays locked
    for context in (page.context, phone.context):  # two shared cores: be patient, assert behaviour only
        context.set_default_timeout(60_000)

    # The coach sets weekly hours (Brussels time) and settings.
    sign_in(page, coach_email, make.PASSWORD)
    page.goto("/coaching/availability")
    page.locator("#weekly-0-weekday").select_option("0")
    page.locator("#weekly-0-start").fill("09:00")
    page.locator("#weekly-0-end").fill("12:00")
    page.locator("#weekly-1-weekday").select_option("3")
    page.locator("#weekly-1-start").fill("14:00")
    page.locator("#weekly-1-end").fill("16:00")
    page.get_by_label("Minimum notice (hours)").fill("2")
    page.get_by_role("checkbox", name="Financing and funding").check()  # the searchable multi-select
    page.get_by_role("checkbox", name="Monitoring and reporting (BEI/MEI)").check()
    page.get_by_label("Meeting link").fill("https://meet.example.org/tom")
    page.get_by_role("button", name="Save my availability").click()
    page.get_by_text("Your availability is saved.").wait_for()
    assert page.locator("#weekly-1-end").input_value() == "16:00"
    shot(page, "coaching-availability")
    sign_out(page)

    # Maria, in Athens, finds the coach and sees the times in her zone, the coach's in brackets.
    sign_in(page, maria_email, make.PASSWORD)
    page.goto("/coaching/?topic=financing")
    page.get_by_role("link", name="Tom Coach").click()
    page.locator("#later").click()  # a week ahead: far from notice and cut-off
    page.wait_for_url("**start=*")  # a new page: read it once it is there
    assert "Europe/Athens" in page.locator("main").inner_text()
    slots = page.locator("a.slot")
    assert slots.count() == 5
    first_label = slots.first.inner_text()
    mine, coaches = (int(h) for h in re.fullmatch(r"(\d\d):00 \((\d\d):00\)", first_label).groups())
    assert mine == coaches + 1  # Greece is an hour ahead
    shot(page, "coaching-slots-athens")
    slots.first.click()
    page.get_by_label("Topic").select_option("financing")
    page.get_by_label("What would you like to discuss?").fill("Χρηματοδότηση ενεργειακής αναβάθμισης σχολείων")
    page.get_by_role("button", name="Book this time").click()
    page.get_by_text("Your appointment is booked.").wait_for()
    assert first_label.split(" ")[0] in page.locator("#when-local").inner_text()
    shot(page, "coaching-booked")

    invitation = save_download(page, page.locator("#download-ics"), "coaching-invitation.ics")
    cal = icalendar.Calendar.from_ical(invitation)
    assert cal["METHOD"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert vobject.readOne(invitation.decode()).vevent.description.value.count("Χρηματοδότηση") == 1

    # Reschedule to another free time.
    page.get_by_role("link", name="Choose another time").click()
    page.get_by_text("Choose a new time for your appointment").wait_for()
    shot(page, "coaching-reschedule")
    page.locator("button.slot").nth(1).click()
    page.get_by_text("The appointment has moved.").wait_for()
    moved = save_download(page, page.locator("#download-ics"), "coaching-rescheduled.ics")
    event = icalendar.Calendar.from_ical(moved).walk("VEVENT")[0]
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 1

    # Cancel, confirming the browser's question.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Reason (optional, shared with the other side)").fill("Δημοτικό συμβούλιο")
    page.get_by_role("button", name="Cancel the appointment").click()
    page.get_by_text("The appointment is cancelled.").wait_for()
    shot(page, "coaching-cancelled")
    cancelled = save_download(page, page.locator("#download-ics"), "coaching-cancelled.ics")
    cal = icalendar.Calendar.from_ical(cancelled)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 2
    page.goto("/coaching/appointments/")
    shot(page, "coaching-my-appointments")
    assert page.console_errors == []

    # On a phone, the coach page stays usable.
    sign_in(phone, maria_email, make.PASSWORD)
    phone.goto(f"/coaching/coaches/{coach_id}")
    shot(phone, "coaching-coach-phone")
