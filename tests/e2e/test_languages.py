"""Browser: the platform in its visitors' languages and zones.

A Greek visitor in Athens reads Greek and sees the Heraklion workshop at 10:00 Athens time; a Polish
participant books coaching and reads the confirmation, the invitation and the mail in Polish; every
offered language keeps the navigation on one line at 1280 px and fits a phone.
"""
from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.coaching import services as coaching
from app.config import Defaults
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.courses.models import Module, TrainingSession
from tests.e2e.conftest import ARTIFACTS, shot, watch_console

LOCALES = {"en": "en-GB", "nl": "nl-BE", "fr": "fr-BE", "hr": "hr-HR", "el": "el-GR", "it": "it-IT",
           "pl": "pl-PL", "es": "es-ES"}
ZONES = {"en": "Europe/Brussels", "nl": "Europe/Brussels", "fr": "Europe/Brussels", "hr": "Europe/Zagreb",
         "el": "Europe/Athens", "it": "Europe/Rome", "pl": "Europe/Warsaw", "es": "Europe/Madrid"}


def _context(browser, live_server, language: str, width: int = 1280):
    phone = width < 500
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language], timezone_id=ZONES[language],
                                  viewport={"width": width, "height": 844 if phone else 900},
                                  is_mobile=phone, has_touch=phone)
    context.set_default_timeout(60_000)  # two shared cores
    return context, watch_console(context.new_page())


def _heraklion_workshop(make, db):
    """A session in Heraklion on a winter Monday at 08:00 UTC: 10:00 in Athens, 09:00 in Brussels."""
    trainer = make.trainer(name="Eleni Trainer")
    start = utcnow() + timedelta(days=30)
    while start.month in (4, 5, 6, 7, 8, 9, 10):  # stay in winter time so the offsets are the ones above
        start += timedelta(days=30)
    start = start.replace(hour=8, minute=0, second=0, microsecond=0)
    module = Module(title="Φτώχεια ενέργειας στην πράξη", summary="Εργαστήριο για δήμους.", language="el",
                    status="published", topics=["energy-poverty"], trainers=[trainer])
    db.session.add(module)
    db.session.flush()
    db.session.add(TrainingSession(module_id=module.id, starts_at=start, ends_at=start + timedelta(hours=3),
                                   timezone="Europe/Athens", location="Heraklion", country="GR", capacity=20))
    db.session.commit()


def test_a_greek_visitor_in_athens_reads_greek_and_athens_times(browser, live_server, make, db):
    _heraklion_workshop(make, db)
    context, page = _context(browser, live_server, "el")
    page.goto("/courses/")
    page.reload()  # the first answer cannot know the zone: static/js/app.js stores the browser's
    assert page.locator("html").get_attribute("lang") == "el"
    footer = page.locator("footer").inner_text()
    assert "Europe/Athens" in footer
    page.get_by_role("link", name="Φτώχεια ενέργειας στην πράξη").click()
    main = page.locator("main").inner_text()
    assert "10:00" in main and "09:00" not in main, main
    shot(page, "languages-el-heraklion-athens")
    # Searching in Greek without accents finds the module tagged Energy poverty.
    page.goto("/courses/?q=φτωχεια")
    assert page.get_by_role("link", name="Φτώχεια ενέργειας στην πράξη").count() == 1
    context.close()


def _polish_slot(make, db):
    coach = make.coach(country="BE", name="Tom Coach", languages=["en", "pl"])
    rules = coaching.validate_availability(
        weekly=[{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)], timezone="Europe/Brussels",
        slot_minutes=45, min_notice_hours=0, cancel_cutoff_hours=4, topics=["financing"],
        meeting_url="https://meet.example.org/tom")
    coaching.set_availability(coach, rules)
    make.user(country="PL", name="Agnieszka Wiśniewska", email="agnieszka@example.org", language="pl",
              timezone="Europe/Warsaw")
    coach_id = coach.id
    db.session.commit()
    return coach_id


def test_a_polish_participant_books_coaching_in_polish(browser, live_server, make, db):
    coach_id = _polish_slot(make, db)
    context, page = _context(browser, live_server, "pl")
    page.goto("/auth/login")
    page.locator("#email").fill("agnieszka@example.org")
    page.locator("#password").fill(make.PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(f"/coaching/coaches/{coach_id}")
    page.locator("#later").click()
    page.wait_for_url("**start=*")  # the next week is a new page: read it once it is there
    expect(page.locator("main")).to_contain_text("Europe/Warsaw")
    page.locator("a.slot").first.click()
    page.locator("#topic").select_option("financing")
    page.locator("textarea").first.fill("Finansowanie termomodernizacji szkół")
    shot(page, "languages-pl-booking")
    page.locator("main form button[type=submit]").last.click()
    page.locator("#when-local").wait_for()
    confirmation = page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "pl"
    assert "(4 godziny przed rozpoczęciem)" in confirmation, confirmation  # the "few" plural form (2–4)
    shot(page, "languages-pl-booked")
    # Signed in, with the bell and a long name, the Polish navigation still fits 1280 px.
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    with page.expect_download() as info:
        page.locator("#download-ics").click()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "languages-pl-invitation.ics"
    info.value.save_as(str(path))
    event = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert "Tom Coach" in str(event["SUMMARY"])
    assert "Kiedy:" in str(event["DESCRIPTION"]) or "Temat" in str(event["DESCRIPTION"]), event["DESCRIPTION"]
    context.close()
    db.session.rollback()
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == "agnieszka@example.org")).all()
    assert mails, "no mail queued"
    body = mails[-1].subject + "\n" + mails[-1].text_body
    assert "Spotkanie" in body or "spotkanie" in body, body
    assert " AM" not in body and " PM" not in body and ":00:00" not in body, body
    db.session.commit()


@pytest.mark.parametrize("language", list(Defaults.LANGUAGES))
def test_each_language_fits_on_desktop_and_phone(browser, live_server, make, db, language):
    _heraklion_workshop(make, db)
    for width in (1280, 390):
        context, page = _context(browser, live_server, language, width)
        for url, name in (("/", "home"), ("/courses/", "catalogue")):
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language
            shot(page, f"languages-{language}-{name}-{width}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 40))""")
            assert overflow <= 0, (language, width, url, overflow, widest)
            if width == 1280:  # one line of navigation: no label wraps, every item on the same row
                tops, heights = page.evaluate("""() => {
                    const links = [...document.querySelectorAll('nav.navbar .nav-link')].filter(l => l.offsetParent);
                    return [links.map(l => Math.round(l.getBoundingClientRect().top + l.getBoundingClientRect().height / 2)),
                            links.map(l => l.getBoundingClientRect().height)];
                }""")
                assert max(heights) < 1.5 * min(heights) and max(tops) - min(tops) <= 4, (language, url, tops, heights)
        context.close()
