"""Browser: a participant makes a calendar address, copies it with the button, finds the webcal:// link,
makes a new address and reads the message where the page opens (the calendar section), on a phone too."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in


def test_copy_subscribe_and_rotate_the_calendar_address(page, phone, db, make):
    user = make.user(name="Ana Kovač", email="ana.feed@example.org")
    email = user.email
    db.session.commit()
    for browser_page in (page, phone):
        browser_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, email, make.PASSWORD)
    page.goto("/auth/profile#calendar")
    page.get_by_role("button", name="Create my calendar address").click()
    address = page.get_by_label("Your calendar address")
    first = address.input_value()
    assert first.startswith("http")
    webcal = page.get_by_role("link", name="Open in my calendar app")
    assert webcal.get_attribute("href") == "webcal://" + first.split("://", 1)[1]

    page.get_by_role("button", name="Copy the address").click()
    expect(page.get_by_text("The address is copied.")).to_be_visible()
    shot(page, "calendar-feed-copied")

    page.get_by_role("button", name="Make a new address").click()
    notice = page.get_by_role("status").filter(has_text="Your calendar address is new.")
    expect(notice).to_be_in_viewport()
    assert page.get_by_label("Your calendar address").input_value() != first
    shot(page, "calendar-feed-rotated", full_page=False)

    sign_in(phone, email, make.PASSWORD)
    phone.goto("/auth/profile#calendar")
    copy = phone.get_by_role("button", name="Copy the address")
    copy.scroll_into_view_if_needed()
    expect(copy).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "calendar-feed-phone", full_page=False)
