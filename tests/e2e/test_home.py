"""Browser journey: a participant signs in, lands on their home and follows a notification to its item."""
from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import expect

from app.notifications.services import notify
from tests.e2e.conftest import shot, sign_in

SHOTS = Path("/tmp/shots/home")


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_participant_lands_on_home_and_follows_a_notification(page, phone, make, db):
    user = make.user(name="Pieter Claes")
    notify(user, "enrolment", "Your place in SEAP basics is confirmed", url="/courses/my")
    db.session.commit()
    sign_in(page, user.email, make.PASSWORD)
    page.goto("/")
    section = page.locator("#home-notifications")
    expect(section.get_by_text("Your place in SEAP basics is confirmed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="My training", exact=True)).to_be_visible()
    _keep(shot(page, "home-01-participant"))
    sign_in(phone, user.email, make.PASSWORD)
    phone.goto("/home")
    _keep(shot(phone, "home-02-participant-phone"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    section.get_by_role("button", name="Open").click()
    page.wait_for_url("**/courses/my")
    page.goto("/home")
    expect(page.locator("#home-notifications").get_by_text("You have read everything.")).to_be_visible()
    assert page.console_errors == []
