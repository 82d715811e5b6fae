"""Keyboard only: sign in, enrol in a session and book a coaching appointment with Tab and Enter,
seeing where the focus is at every step (a visible outline on each element reached)."""
from __future__ import annotations

from playwright.sync_api import expect

from app.coaching import services as coaching
from tests.courses.conftest import CourseFactories

VISIBLE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing";
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ringed = style.boxShadow && style.boxShadow !== "none";
  return outlined || ringed ? "" : (el.outerHTML || "").slice(0, 120);
}"""


def tab_to(page, target, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab until `target` has the focus, checking that every element on the way shows it."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        unseen = page.evaluate(VISIBLE_FOCUS)
        assert unseen in ("", "nothing"), f"focus not visible on {unseen}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with Tab")


def keyboard_sign_in(page, email: str, password: str) -> None:
    page.goto("/auth/login")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def test_sign_in_and_enrol_with_the_keyboard(page, make, db):
    session = CourseFactories(make).session(capacity=3)
    title = session.module.title
    participant = make.user(name="Keyboard Katja")
    email = participant.email
    db.session.commit()
    keyboard_sign_in(page, email, make.PASSWORD)
    page.goto("/courses/")
    tab_to(page, page.get_by_role("link", name=title).first)
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses/modules/*")
    tab_to(page, page.locator("a[href*='/courses/sessions/']").first)
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses/sessions/*")
    enrol = page.get_by_role("button", name="Enrol", exact=True)
    tab_to(page, enrol)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("enrolled")


def test_book_coaching_with_the_keyboard(page, make, db):
    coach = make.coach(country="BE", name="Tab Coach", languages=["en"])
    rules = coaching.validate_availability(
        weekly=[{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)], timezone="Europe/Brussels",
        slot_minutes=60, min_notice_hours=0, cancel_cutoff_hours=4, topics=[], meeting_url="https://meet.example.org/t")
    coaching.set_availability(coach, rules)
    participant = make.user(country="GR", name="Keyboard Kostas", timezone="Europe/Athens")
    email = participant.email
    db.session.commit()
    keyboard_sign_in(page, email, make.PASSWORD)
    page.goto("/coaching/")
    tab_to(page, page.get_by_role("link", name="Tab Coach").first)
    page.keyboard.press("Enter")
    page.wait_for_url("**/coaching/coaches/*")
    tab_to(page, page.locator("#later"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, page.locator("a.slot").first)
    page.keyboard.press("Enter")
    page.wait_for_url("**/book**")
    message = page.get_by_label("What would you like to discuss?")
    tab_to(page, message)
    page.keyboard.type("Monitoring our SEAP with the new inventory template")
    submit = page.get_by_role("button", name="Book this time")
    tab_to(page, submit)
    page.keyboard.press("Enter")
    page.get_by_text("Your appointment is booked.").wait_for()
