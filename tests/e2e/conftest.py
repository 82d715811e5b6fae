"""Browser fixtures: Playwright for Python driving Debian's Chromium against a live gunicorn.

Without /usr/bin/chromium the browser tests skip, unless REQUIRE_BROWSER=1 (CI) makes them fail.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no browser at {CHROMIUM}")
        pytest.skip(f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server, desktop size, English."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="Europe/Brussels")
    context.set_default_timeout(15_000)
    page = watch_console(context.new_page())
    yield page
    context.close()


def watch_console(page):
    """Collect the page's console errors in page.console_errors, for tests to assert there are none."""
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    return page


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized context, to look at pages as people on the move do."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB",
                                  timezone_id="Europe/Brussels")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under tests/e2e/artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the real form and wait for the redirect."""
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(
                " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                for node in v["nodes"][:5])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def open_user_menu(page):
    """Open the user menu of the navbar (its name button), opening the collapsed bar first on a phone."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#nav-main.show:not(.collapsing)").wait_for()
    button = page.locator("#user-menu-button")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    menu = page.locator("#user-menu-items")
    menu.wait_for(state="visible")
    return menu


def sign_out(page) -> None:
    """Sign out through the user menu's POST form and wait for the page it leads to."""
    open_user_menu(page).locator("#sign-out").click()
    page.locator("#user-menu-button").wait_for(state="detached")
