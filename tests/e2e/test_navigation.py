"""Browser: the navbar with its one user menu.

Signed in as the longest role (an admin who also coaches, a long name, 99+ unread notifications), the bar
keeps one line at 1280 px in every interface language, the collapsed bar at 390 px opens and reaches every
item, and the keyboard opens the user menu, walks it and signs out.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.config import Defaults
from app.notifications.services import notify
from tests.e2e.conftest import serious_violations, shot, watch_console
from tests.e2e.test_keyboard import tab_to
from tests.e2e.test_languages import LOCALES, ZONES

LONG_NAME = "Konstantina Papadopoulou-Alexandropoulou"

# Every item of the bar, on one row: the brand, each section link, the bell, the user menu, the language switch.
ROW = """() => {
  const nav = document.querySelector('nav.navbar');
  const items = [nav.querySelector('.navbar-brand'), ...nav.querySelectorAll('#nav-main > ul > li')]
    .filter(e => e.offsetParent);
  const boxes = items.map(e => e.getBoundingClientRect());
  return {
    centres: boxes.map(b => Math.round(b.top + b.height / 2)),
    heights: boxes.map(b => Math.round(b.height)),
    labels: items.map(e => (e.innerText || e.tagName).trim().slice(0, 30)),
    bar: Math.round(nav.getBoundingClientRect().height),
    right: Math.max(...boxes.map(b => b.right)),
    overlaps: boxes.slice(1).filter((b, i) => b.left < boxes[i].right - 1).length,
    slack: Math.round(nav.querySelector('#nav-main > ul:last-child').getBoundingClientRect().left
                      - nav.querySelector('#nav-main > ul:first-child').getBoundingClientRect().right),
    width: document.documentElement.clientWidth,
  };
}"""


def _longest_role(make, db, language: str):
    user = make.admin(name=LONG_NAME, email=f"admin-{language}@example.org", is_coach=True, language=language)
    for n in range(120):
        notify(user, "exchange", f"Notification {n}", "/notifications/")
    db.session.commit()
    return user.email


def _sign_in(page, email: str, password: str) -> None:
    """Sign in through the real form in whatever language it is shown."""
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _context(browser, live_server, language: str, width: int, height: int):
    phone = width < 500
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language], timezone_id=ZONES[language],
                                  viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    context.set_default_timeout(60_000)  # two shared cores
    return context, watch_console(context.new_page())


@pytest.mark.parametrize("language", list(Defaults.LANGUAGES))
def test_bar_on_one_line_at_1280_and_every_item_reachable_at_390(browser, live_server, make, db, language):
    email = _longest_role(make, db, language)

    context, page = _context(browser, live_server, language, 1280, 800)
    _sign_in(page, email, make.PASSWORD)
    page.goto("/admin/")
    assert page.locator("html").get_attribute("lang") == language
    row = page.evaluate(ROW)
    assert len(row["centres"]) >= 10, row  # brand, 6 sections, Admin, bell, user menu
    assert max(row["centres"]) - min(row["centres"]) <= 4, (language, row)
    assert max(row["heights"][1:]) <= 44 and row["bar"] <= 64, (language, row)  # no label wraps
    assert row["right"] <= row["width"] and row["overlaps"] == 0 and row["slack"] >= 0, (language, row)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    expect(page.locator("#nav-bell [data-unread]")).to_contain_text("99+")
    # The name is cut on screen, whole for assistive technology and as a tooltip.
    button = page.get_by_role("button", name=LONG_NAME, exact=True)
    expect(button).to_be_visible()
    assert page.locator("#user-menu-button .nav-user").evaluate("e => e.scrollWidth > e.clientWidth")
    button.click()
    menu = page.locator("#user-menu-items")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (language, box)
    expect(menu.locator("[data-unread]")).to_contain_text("99+")
    shot(page, f"navigation-{language}-1280-menu", full_page=False)
    if language == "en":
        assert serious_violations(page) == []  # axe-core on the open menu
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    shot(page, f"navigation-{language}-1280", full_page=False)
    # Down to the breakpoint (1200 px) the bar still fits: nothing overlaps, nothing sticks out.
    page.set_viewport_size({"width": 1200, "height": 800})
    narrow = page.evaluate(ROW)
    assert max(narrow["centres"]) - min(narrow["centres"]) <= 4 and narrow["overlaps"] == 0, (language, narrow)
    assert narrow["slack"] >= 0 and narrow["right"] <= narrow["width"], (language, narrow)
    assert page.console_errors == []
    context.close()

    context, phone = _context(browser, live_server, language, 390, 844)
    _sign_in(phone, email, make.PASSWORD)
    phone.goto("/")
    expect(phone.locator("#nav-bell-phone")).to_be_visible()  # the bell stays outside the collapsed bar
    phone.locator(".navbar-toggler").click()
    expect(phone.locator("#nav-main")).to_have_class("navbar-collapse collapse show")  # opened, not opening
    links = phone.locator("#nav-main > ul:first-child .nav-link")
    expect(links.last).to_be_visible()
    assert links.count() >= 7
    phone.get_by_role("button", name=LONG_NAME, exact=True).click()
    items = phone.locator("#user-menu-items .dropdown-item")
    assert items.count() >= 10
    for i in range(items.count()):  # every item can be scrolled to and is on the screen, none cut at the side
        item = items.nth(i)
        item.scroll_into_view_if_needed()
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (language, i, box)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    if language in ("en", "fr"):
        phone.evaluate("window.scrollTo(0, 0)")
        shot(phone, f"navigation-{language}-390-open")
    context.close()


def test_keyboard_opens_the_user_menu_walks_it_and_signs_out(page, make, db):
    user = make.coach(name="Tab Keyboard")
    email = user.email
    db.session.commit()
    _sign_in(page, email, make.PASSWORD)
    page.goto("/courses/")
    button = page.locator("#user-menu-button")
    menu = page.locator("#user-menu-items")
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")  # closes and gives the focus back to the button
    expect(menu).to_be_hidden()
    assert button.evaluate("el => el === document.activeElement")
    outline = button.evaluate("el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineColor]")
    assert outline == ["solid", "rgb(255, 210, 63)"], outline  # the yellow outline, seen on the green bar
    page.keyboard.press("Space")
    expect(menu).to_be_visible()
    tab_to(page, menu.get_by_role("link", name="My training"), limit=2)  # the first item, right after the button
    tab_to(page, menu.get_by_role("link", name="My calendar"), limit=6)
    tab_to(page, menu.get_by_role("button", name="Sign out"), limit=8)
    expect(menu).to_be_visible()  # Tab inside the menu keeps it open
    shot(page, "navigation-keyboard-sign-out", full_page=False)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator("#user-menu-button")).to_have_count(0)
    assert page.request.get("/auth/profile", max_redirects=0).status == 302  # the session is gone
    # The calendar item opens the profile at its calendar section.
    _sign_in(page, email, make.PASSWORD)
    page.locator("#user-menu-button").click()
    page.locator("#user-menu-items").get_by_role("link", name="My calendar").click()
    page.wait_for_url("**/auth/profile#calendar")
    expect(page.get_by_role("heading", name="My calendar")).to_be_in_viewport()
    assert page.console_errors == []


def test_without_javascript_the_menu_opens_on_hover_and_signs_out(browser, live_server, make, db):
    user = make.user(name="No Script")
    email = user.email
    db.session.commit()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB",
                                  timezone_id="Europe/Brussels", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    _sign_in(page, email, make.PASSWORD)
    menu = page.locator("#user-menu-items")
    expect(menu).to_be_hidden()
    page.locator("#user-menu-button").hover()
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] + box["width"] <= 1280, box  # right-aligned under the button, as with JavaScript
    shot(page, "navigation-no-js-menu", full_page=False)
    menu.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    context.close()
